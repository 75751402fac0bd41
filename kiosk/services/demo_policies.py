"""The demo's policy catalogue: policies written for this project, in the import format.

The files in kiosk/data are dated as of DEMO_TODAY; loading moves every date by the days since,
so the demo's windows (open, upcoming, closed) look the same whenever it is loaded.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from kiosk.services.policies import catalogue

DEMO_TODAY = date(2026, 11, 25)
_DATES = ("published_on", "opens_on", "closes_on")


def demo_rows(today: date) -> list[dict[str, Any]]:
    """The demo policies as import rows, with their dates moved to `today`."""
    shift = today - DEMO_TODAY
    rows: list[dict[str, Any]] = []
    folder = resources.files("kiosk").joinpath("data")
    names = sorted(f.name for f in folder.iterdir() if f.name.startswith("policies-"))
    for name in names:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        for row in json.loads(text):
            for field in _DATES:
                if row.get(field):
                    row[field] = (date.fromisoformat(row[field]) + shift).isoformat()
            rows.append(row)
    return rows


def load_demo_policies(db: Session, today: date) -> int:
    """Import the demo policies through the catalogue's own import; returns how many."""
    raw = demo_rows(today)
    good, errors = catalogue.check_rows(list(enumerate(raw, start=1)))
    if errors:  # the files are ours: a wrong row is a bug, say which
        raise ValueError(f"demo policy {errors[0].line}: {'; '.join(errors[0].problems)}")
    return catalogue.import_policies(db, good, staff_id=None).added
