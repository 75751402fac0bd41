"""The demo data set: a full building, appeals in every state, a working admin, loaded once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    AuditLog,
    Building,
    EventKind,
    Rating,
    Role,
    Staff,
    Tenant,
    Unit,
)
from kiosk.services import appeals, demo
from kiosk.services.demo import load_demo
from kiosk.services.staff import SignInFailed, authenticate
from kiosk.validators import USCC_ALPHABET, is_valid_mobile, is_valid_uscc

CHANGSHA_DISTRICTS = {"430102", "430103", "430104", "430105", "430111", "430112", "430121"}
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Loading at awkward moments: just after the National Day and Spring Festival holidays (the
# office-hours clock must skip them and still finish before "now"), and at 01:10 in Changsha.
MOMENTS = {
    "after-national-day": datetime(2026, 10, 9, 2, 0, tzinfo=UTC),
    "after-spring-festival": datetime(2026, 2, 24, 1, 30, tzinfo=UTC),
    "small-hours": datetime(2026, 11, 23, 17, 10, tzinfo=UTC),
}


def _org_check(first8: str) -> str:
    """GB 11714, written out again here so the test does not trust the code under test."""
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in first8]
    check = 11 - sum(v * w for v, w in zip(values, ORG_WEIGHTS, strict=True)) % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_organisation_check_character_matches_the_standard_example() -> None:
    # GB 32100-2015's example code 91350100M000100Y43 holds organisation code M000100Y-4.
    assert demo.org_check_char("M000100Y") == "4" == _org_check("M000100Y")


def test_building_and_companies(app: Flask, db: Session) -> None:
    result = load_demo(db, app.config["KIOSK"])
    building = db.scalar(select(Building).where(Building.code == "demo"))
    assert building is not None and building.name_zh and building.name_en
    assert "长沙市芙蓉区" in building.address_zh and "Changsha" in building.address_en
    tenants = list(db.scalars(select(Tenant).where(Tenant.building_id == building.id)))
    assert len(tenants) == result["tenants"] and 25 <= len(tenants) <= 35
    assert len({t.uscc for t in tenants}) == len({t.name for t in tenants}) == len(tenants)
    for tenant in tenants:
        code = tenant.uscc
        assert is_valid_uscc(code) and set(code) <= set(USCC_ALPHABET), tenant.name
        assert code[:2] in {"91", "92", "31", "51", "52"} and code[2:8] in CHANGSHA_DISTRICTS
        assert code[16] == _org_check(code[8:16]), tenant.name
        floor = re.fullmatch(r"(\d+)F-(\d{3,4})", tenant.floor_room)
        assert floor is not None and tenant.floor_room.split("-")[1].startswith(floor[1])
        assert 3 <= int(floor[1]) <= 58 or int(floor[1]) == 1  # shops on the ground floor
    assert sum(t.uscc.startswith("91") for t in tenants) >= len(tenants) - 6


@pytest.mark.parametrize("moment", [None, *MOMENTS.values()], ids=["now", *MOMENTS])
def test_appeals_cover_the_whole_ledger(app: Flask, db: Session, moment: datetime | None) -> None:
    result = load_demo(db, app.config["KIOSK"], now=moment)
    now = moment or datetime.now(UTC)
    rows = list(db.scalars(select(Appeal).order_by(Appeal.id)))
    assert len(rows) == result["appeals"] and 25 <= len(rows) <= 40
    assert {a.status for a in rows} == set(AppealStatus)
    assert {a.category.code for a in rows} == set(db.scalars(select(AppealCategory.code)))
    assert {a.rating for a in rows if a.status is AppealStatus.CLOSED} == set(Rating)
    assert all(a.rating_reason for a in rows if a.rating is Rating.DISSATISFIED)
    assert any(a.assignee_id is not None and a.status.is_open for a in rows)
    assert any(a.locale == "en" for a in rows)
    outsiders = [a for a in rows if a.tenant_id is None]
    assert len(outsiders) == 1 and is_valid_uscc(outsiders[0].company_uscc)
    assert all(is_valid_mobile(a.contact_mobile) and a.contact_mobile[3:7] == "0000" for a in rows)
    today = now.astimezone(app.config["KIOSK"].zone).date()
    assert any(a.status.is_open and a.due_date < today for a in rows), "nothing overdue"
    assert any(a.status.is_open and a.due_date >= today for a in rows), "everything overdue"
    oldest = min(a.created_at for a in rows)
    assert now - timedelta(days=31) < oldest < now - timedelta(days=20)


@pytest.mark.parametrize("moment", [None, *MOMENTS.values()], ids=["now", *MOMENTS])
def test_timelines_are_in_order_and_in_the_past(
    app: Flask, db: Session, moment: datetime | None
) -> None:
    settings = app.config["KIOSK"]
    load_demo(db, settings, now=moment)
    now = moment or datetime.now(UTC)
    events = list(db.scalars(select(AppealEvent).order_by(AppealEvent.id)))
    times = [e.created_at for e in events]
    assert times == sorted(times) and times[-1] <= now  # across appeals too, as in real use
    for appeal in db.scalars(select(Appeal).order_by(Appeal.id)):
        timeline = [e for e in events if e.appeal_id == appeal.id]
        assert timeline[0].kind is EventKind.SUBMITTED
        assert timeline[0].created_at == appeal.created_at
        kinds = [e.kind for e in timeline]
        resolved = [e.created_at for e in timeline if e.kind is EventKind.RESOLVED]
        if appeal.status in (AppealStatus.RESOLVED, AppealStatus.CLOSED):
            assert appeal.resolved_at == resolved[-1]
        else:
            assert appeal.resolved_at is None
        if appeal.status is AppealStatus.CLOSED:
            assert kinds[-1] is EventKind.RATED
        if appeal.status is AppealStatus.REOPENED:
            reopened = [e.created_at for e in timeline if e.kind is EventKind.REOPENED][-1]
            assert appeal.due_date == appeals.due_date(
                settings, reopened.astimezone(settings.zone).date()
            )


def test_references_follow_submission_order(app: Flask, db: Session) -> None:
    load_demo(db, app.config["KIOSK"], now=MOMENTS["small-hours"])
    rows = list(db.scalars(select(Appeal).order_by(Appeal.id)))
    assert [a.created_at for a in rows] == sorted(a.created_at for a in rows)
    assert [a.reference for a in rows] == sorted(a.reference for a in rows)


def test_admin_signs_in_with_the_generated_password(app: Flask, db: Session) -> None:
    settings = app.config["KIOSK"]
    result = load_demo(db, settings)
    assert result["username"] == "admin" and len(result["password"]) >= 16
    assert authenticate(db, settings, "admin", result["password"]).role is Role.ADMIN
    home = db.scalar(select(Unit.id).where(Unit.code == settings.building))
    officers = list(
        db.scalars(select(Staff).where(Staff.role != Role.ADMIN, Staff.unit_id == home))
    )
    assert 2 <= len(officers) <= 4 and Role.SUPERVISOR in {s.role for s in officers}
    assert all(re.search(r"[\u4e00-\u9fff]", s.display_name) for s in officers)
    source = Path(demo.__file__).read_text(encoding="utf-8")
    assert result["password"] not in source


def test_a_second_building_gets_its_own_companies_and_admin(
    app: Flask, make_app: Any, db: Session
) -> None:
    first = load_demo(db, app.config["KIOSK"])
    second = load_demo(db, make_app(building="tower-2").config["KIOSK"])
    assert first["password"] != second["password"]
    assert second["username"] == "admin-2"  # the first admin is left as it was
    tower = db.scalar(select(Building.id).where(Building.code == "tower-2"))
    assert (
        db.scalar(select(func.count()).select_from(Tenant).where(Tenant.building_id == tower))
        == second["tenants"]
    )
    # The organisation was made once, with the first building, not again.
    assert second["accounts"][0].username == "admin-2"
    assert {made.username for made in second["accounts"]}.isdisjoint({"city-admin-2", "wanglei-2"})


def test_an_existing_admin_account_is_left_alone(app: Flask, db: Session, make_staff: Any) -> None:
    settings = app.config["KIOSK"]
    make_staff("admin", Role.ADMIN)
    result = load_demo(db, settings)
    assert result["username"] == "admin-2"
    assert authenticate(db, settings, "admin-2", result["password"]).role is Role.ADMIN
    with pytest.raises(SignInFailed):
        authenticate(db, settings, "admin", result["password"])


def test_second_load_changes_nothing(app: Flask, db: Session) -> None:
    settings = app.config["KIOSK"]
    load_demo(db, settings)
    models = (Building, Tenant, Staff, Appeal, AppealEvent, AuditLog, Unit)
    counts = {m: _count(db, m) for m in models}
    assert load_demo(db, settings) == {"already": True}
    assert {m: _count(db, m) for m in models} == counts


def test_kiosk_demo_command(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_apps: list[Flask]
) -> None:
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_DATABASE_URL", database_url)
    instance = str(tmp_path / "cli-instance")
    first = CliRunner().invoke(main, ["--instance", instance, "demo"])
    assert first.exit_code == 0, first.output
    shown = re.search(r"^  admin \(admin, 芙蓉国际金融中心\) / (\S+)$", first.output, re.M)
    assert shown is not None and "appeals" in first.output
    # Every account the demo made, with its role, unit and password, at each level.
    listed = dict(re.findall(r"^  ([a-z-]+) \((\w+, [^)]+)\) / \S{16,}$", first.output, re.M))
    assert listed["city-admin"] == "admin, 长沙市优化营商环境办"
    assert listed["furong-officer"] == "supervisor, 芙蓉区专班"
    assert listed["yuelu-officer"] == "supervisor, 岳麓区专班"
    assert listed["samr-officer"] == "staff, 市场监管局"
    assert listed["liujianming"] == "staff, 芙蓉国际金融中心"
    assert "160 policies, 6 events" in first.output
    # One application of each kind, in the states staff meet, and a licence ready to collect.
    licence = re.search(r"领取执照\): (\S{18}), pickup code (\d{6})", first.output)
    assert licence is not None, first.output
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT task, status, answers FROM application ORDER BY id")
            ).all()
            code = connection.execute(
                text(
                    "SELECT a.pickup_code FROM licence l"
                    " JOIN application a ON a.id = l.application_id"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert sorted((task, status) for task, status, _ in rows) == [
        ("address", "submitted"),
        ("claim", "approved"),
        ("claim", "approved"),
        ("claim", "approved"),
        ("claim", "submitted"),
        ("invoice", "approved"),
        ("register", "approved"),
        ("register", "submitted"),
        ("tax", "changes_requested"),
        ("union", "submitted"),
    ]
    assert code == licence[2]
    assert all("v1:" in str(answers) for task, _, answers in rows if task == "register")
    again = CliRunner().invoke(main, ["--instance", instance, "demo"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert shown[1] not in again.output and "--show-codes" in again.output
    # On request: a new password for the same admin (the first stops working), the same licence.
    codes = CliRunner().invoke(main, ["--instance", instance, "demo", "--show-codes"])
    assert codes.exit_code == 0, codes.output
    renewed = re.search(r"admin / (\S+) \(a new password", codes.output)
    assert renewed is not None and renewed[1] != shown[1], codes.output
    assert f"领取执照): {licence[1]}, pickup code {licence[2]}" in codes.output
    app = cli_apps[-1]
    with app.app_context(), Session(app.extensions["kiosk.engine"]) as db:
        settings = app.config["KIOSK"]
        assert authenticate(db, settings, "admin", renewed[1]).role is Role.ADMIN
        with pytest.raises(SignInFailed):
            authenticate(db, settings, "admin", shown[1])


def test_demo_print_history_feeds_the_printers_page(app: Flask, db: Session) -> None:
    from kiosk.models import PrintJob, PrintStatus
    from printers import Receipt

    with app.test_request_context():
        load_demo(
            db, app.config["KIOSK"], status_link=lambda token: f"http://kiosk.test/status/{token}"
        )
    jobs = db.scalars(select(PrintJob).order_by(PrintJob.id)).all()
    statuses = [job.status for job in jobs]
    assert statuses.count(PrintStatus.EXPIRED) == 1 and PrintStatus.SENT in statuses
    assert sum(job.reprint for job in jobs) == 1
    texts = [getattr(e, "text", "") for e in Receipt.from_dict(jobs[0].document).elements]
    assert jobs[0].subject in texts
