"""The demo's policy catalogue: policies written for this project, in the import format.

The files in kiosk/data are dated as of DEMO_TODAY; loading moves every date by the days since,
so the demo's windows (open, upcoming, closed) look the same whenever it is loaded. A date the
text states for the window ("于2026年9月15日至11月30日", "2026年12月4日前") moves with it, so
the text never names another deadline than the one the catalogue shows.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from kiosk.services.policies import catalogue

DEMO_TODAY = date(2026, 11, 25)
_DATES = ("published_on", "opens_on", "closes_on")
_TEXTS = ("title", "summary", "body", "other_conditions")
# 2026年11月30日, or 11月30日 after a full date (its year is the one before it).
STATED_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


def move_stated_dates(text: str, moves: dict[date, date], year: int) -> str:
    """`text` with each stated date that is a key of `moves` written as its value.

    A month and day without a year take the year written before them (else `year`); a moved
    date is written in full unless its year is the one the reader already has.
    """
    read, written = year, year

    def move(found: re.Match[str]) -> str:
        nonlocal read, written
        if found[1]:
            read = int(found[1])
        try:
            stated = date(read, int(found[2]), int(found[3]))
        except ValueError:
            return found[0]
        moved = moves.get(stated, stated)
        full = bool(found[1]) or moved.year != written
        written = moved.year if full else written
        if moved == stated:
            return found[0]
        return (
            f"{moved.year}年{moved.month}月{moved.day}日"
            if full
            else f"{moved.month}月{moved.day}日"
        )

    return STATED_DATE.sub(move, text)


def demo_rows(today: date) -> list[dict[str, Any]]:
    """The demo policies as import rows, with their dates moved to `today`."""
    shift = today - DEMO_TODAY
    rows: list[dict[str, Any]] = []
    folder = resources.files("kiosk").joinpath("data")
    names = sorted(f.name for f in folder.iterdir() if f.name.startswith("policies-"))
    for name in names:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        for row in json.loads(text):
            rows.append(_moved(row, shift))
    return rows


def _moved(row: dict[str, Any], shift: timedelta) -> dict[str, Any]:
    """The row with its dates, and the window's dates its text states, moved by `shift`."""
    window = [date.fromisoformat(row[f]) for f in ("opens_on", "closes_on") if row.get(f)]
    moves = {day: day + shift for day in window}
    year = window[-1].year if window else DEMO_TODAY.year
    for field in _TEXTS:
        if row.get(field) and moves:
            row[field] = move_stated_dates(row[field], moves, year)
    for field in _DATES:
        if row.get(field):
            row[field] = (date.fromisoformat(row[field]) + shift).isoformat()
    return row


def load_demo_policies(db: Session, today: date) -> int:
    """Import the demo policies through the catalogue's own import; returns how many."""
    raw = demo_rows(today)
    good, errors = catalogue.check_rows(list(enumerate(raw, start=1)))
    if errors:  # the files are ours: a wrong row is a bug, say which
        raise ValueError(f"demo policy {errors[0].line}: {'; '.join(errors[0].problems)}")
    return catalogue.import_policies(db, good, staff_id=None).added
