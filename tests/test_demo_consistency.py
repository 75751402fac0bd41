"""The demo agrees with itself and with the README: rooms, the dates policies state, what waits."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Application, ApplicationStatus, Building, Tenant
from kiosk.services import tenants
from kiosk.services.demo import load_demo
from kiosk.services.demo_applications import load_applications
from kiosk.services.demo_policies import DEMO_TODAY, demo_rows

README = Path(__file__).resolve().parent.parent / "README.md"
# How the README names each kind of application.
KINDS = {
    "company registration": "register",
    "address change": "address",
    "union application": "union",
    "tax registration": "tax",
    "invoice collection": "invoice",
    "policy claim": "claim",
}
# A stated date: 2026年11月30日, or 11月30日 with the year of the date written before it.
STATED = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


def test_every_tenant_sits_in_a_room_on_the_building_list(app: Flask, db: Session) -> None:
    settings = app.config["KIOSK"]
    load_demo(db, settings)
    listed = {tenants.room_label(room) for room in tenants.rooms(db, settings.building)}
    home = select(Tenant).join(Tenant.building).where(Building.code == settings.building)
    rooms = {tenant.name: tenant.floor_room for tenant in db.scalars(home)}
    missing = {name: room for name, room in rooms.items() if room not in listed}
    assert not missing, f"{len(missing)} of {len(rooms)} tenants' rooms are not listed: {missing}"


def stated_dates(text: str, year: int) -> list[tuple[date, str, str]]:
    """Each date the text states, with the few characters before and after it."""
    found = []
    for match in STATED.finditer(text):
        year = int(match[1]) if match[1] else year
        try:
            day = date(year, int(match[2]), int(match[3]))
        except ValueError:
            continue
        found.append((day, text[max(0, match.start() - 6) : match.start()], text[match.end() :]))
    return found


def window_dates(text: str, year: int) -> tuple[list[date], list[date]]:
    """The dates the text gives as the start and the end of the application window.

    An end is "…前" or the end of a range ("至…", "截止至…"); a start is "…起" or "于…至". A
    range followed by 期间/新/以 says whom the policy is for, not when to apply.
    """
    starts, ends = [], []
    for day, before, after in stated_dates(text, year):
        if after.startswith(("期间", "新", "以")):
            continue
        if after.startswith("前") or re.search(r"(至|截止至|截止日为|截止日期为)$", before):
            ends.append(day)
        elif after.startswith("起") or (before.endswith("于") and after.startswith("至")):
            starts.append(day)
    return starts, ends


@pytest.mark.parametrize("shift", [0, 12, 45, 200, -60])
def test_a_date_a_policy_states_is_its_window(shift: int) -> None:
    """However far from the files' own day the demo is loaded, the text moves with the window."""
    wrong = []
    for row in demo_rows(DEMO_TODAY + timedelta(days=shift)):
        closes = row.get("closes_on")
        if not closes:
            continue
        for field in ("title", "summary", "body", "other_conditions"):
            starts, ends = window_dates(row.get(field) or "", int(closes[:4]))
            wrong += [(row["code"], field, d, closes) for d in ends if d.isoformat() != closes]
            opens = row.get("opens_on")
            if opens:
                wrong += [(row["code"], field, d, opens) for d in starts if d.isoformat() != opens]
    assert not wrong


def test_the_text_check_reads_the_dates_it_should() -> None:
    text = "企业于2026年9月15日至11月30日申报；2025年1月1日以后新设立的企业；2027年1月5日起受理。"
    assert window_dates(text, 2026) == (
        [date(2026, 9, 15), date(2027, 1, 5)],
        [date(2026, 11, 30)],
    )


def _readme_says() -> tuple[Counter[str], Counter[str]]:
    """What the README's quick start says waits for staff, and what was sent back."""
    text = " ".join(README.read_text(encoding="utf-8").split())
    waiting = re.search(r"waiting for staff: ([^;]+);", text)
    assert waiting is not None, "the README no longer says what waits for staff"
    said: Counter[str] = Counter()
    for item in re.split(r", | and ", waiting[1]):
        number, kind = item.strip().split(" ", 1)
        said[KINDS[kind]] += {"one": 1, "two": 2, "three": 3}[number]
    sent_back = Counter(KINDS[kind] for kind in re.findall(r"; an? ([a-z ]+?) sent back", text))
    return said, sent_back


def test_what_waits_for_staff_is_what_the_readme_says(app: Flask, db: Session) -> None:
    settings = app.config["KIOSK"]
    with app.test_request_context():  # applications seal ID numbers with the instance's key
        result = load_demo(db, settings)
        load_applications(db, settings, result["tenant_rows"], result["officer"], utcnow())
    rows = db.execute(select(Application.task, Application.status)).all()
    waiting = Counter(task for task, status in rows if status is ApplicationStatus.SUBMITTED)
    sent_back = Counter(
        task for task, status in rows if status is ApplicationStatus.CHANGES_REQUESTED
    )
    assert (waiting, sent_back) == _readme_says()


def test_the_demo_data_is_data_not_code() -> None:
    """The appeals, companies and notices are rows in kiosk/data, read by a short loader."""
    import ast

    from kiosk.services import demo

    tree = ast.parse(Path(demo.__file__).read_text(encoding="utf-8"))
    long_texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 40
        and re.search(r"[\u4e00-\u9fff]", node.value)
    ]  # fmt: skip
    assert not long_texts
    assert len(demo.CASES) >= 30 and len(demo.COMPANIES) >= 25
