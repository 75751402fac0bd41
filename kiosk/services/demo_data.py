"""The demo's data: the building, its companies, staff, notices and appeals, read from kiosk/data.

The data set grows by adding rows to `demo-building.json` and `demo-appeals.json`; this module
only turns them into the shapes the demo's loader plays through.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

from kiosk.models import Rating, Role


@dataclass(frozen=True)
class Company:
    """A tenant company. `prefix` is the credit code's registration authority and type."""

    key: str
    name: str
    floor_room: str
    district: str  # GB/T 2260 code of the district where it is registered
    prefix: str = "91"  # 91 company, 92 sole trader, 31 law firm, 51 association, 52 non-profit
    legacy: bool = False  # registered before 2015: an all-digit organisation code


class Step(NamedTuple):
    """One thing that happens to an appeal, `hours` after the step before it."""

    action: str  # accept, assign, note, reply, resolve, reopen (staff); rate, tenant_reopen
    hours: float
    text: str = ""
    rating: Rating | None = None


class Case(NamedTuple):
    """One demo appeal: who raised it, when, about what, and what happened since."""

    company: str  # a Company key
    category: str
    days_ago: int
    contact: str
    description: str
    steps: tuple[Step, ...] = ()
    officer: str | None = None  # who it is assigned to; the supervisor acts when None
    locale: str = "zh_CN"


# What the building's record says for policy matching: (industry section, size band, founded
# so many years ago, employees). Some are left unknown on purpose: the screen asks about them.
Facts = tuple[str, str, int | None, int | None]


def _read(name: str) -> Any:
    return json.loads(resources.files("kiosk").joinpath("data", name).read_text(encoding="utf-8"))


def _company(row: dict[str, Any]) -> Company:
    return Company(
        row["key"], row["name"], row["floor_room"], row["district"],
        row.get("prefix", "91"), row.get("legacy", False),
    )  # fmt: skip


def _step(row: dict[str, Any]) -> Step:
    rating = Rating(row["rating"]) if row.get("rating") else None
    return Step(row["action"], row["hours"], row.get("text", ""), rating)


def _case(row: dict[str, Any]) -> Case:
    return Case(
        row["company"], row["category"], row["days_ago"], row["contact"], row["description"],
        tuple(_step(step) for step in row.get("steps", ())), row.get("officer"),
        row.get("locale", "zh_CN"),
    )  # fmt: skip


_BUILDING = _read("demo-building.json")

BUILDING: dict[str, str] = _BUILDING["building"]
COMPANIES = tuple(_company(row) for row in _BUILDING["companies"])
# A company from the tower next door: not on the list, so the tenant typed its name.
OUTSIDE = _company(_BUILDING["outside"])
FACTS: dict[str, Facts] = {
    row["key"]: (facts["industry"], facts["size_band"], facts["years"], facts["employees"])
    for row in _BUILDING["companies"]
    if (facts := row.get("facts"))
}
ADMIN = (_BUILDING["admin"]["username"], _BUILDING["admin"]["display_name"])
SUPERVISOR: str = _BUILDING["supervisor"]
STAFF = tuple(
    (row["username"], row["display_name"], Role(row["role"])) for row in _BUILDING["staff"]
)
# What the attract screen shows: (starts in days, ends in days or None, Chinese, English).
ANNOUNCEMENTS = tuple(
    (row["starts_in_days"], row["ends_in_days"], row["text_zh"], row["text_en"])
    for row in _BUILDING["announcements"]
)
CASES = tuple(_case(row) for row in _read("demo-appeals.json"))
