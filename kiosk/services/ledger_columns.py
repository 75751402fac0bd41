"""The 问题解决台账's columns beyond the appeal itself — source, unit, department, handed off
on, hand-off due date, progress, follow-up call, closed on, rating — and their filters.

The lead hand-off's department, dates and state are copied onto the appeal (see
kiosk.services.assignments), so every column and filter here is a column of `appeal`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from kiosk.models import (
    OWED,
    Appeal,
    AppealStatus,
    AssignmentState,
    Callback,
    Rating,
    Source,
    Unit,
)

NONE = "none"  # a filter value: the column is empty (never handed off, no call, not rated)
_OPEN = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)
COLUMNS = (
    Appeal.source,
    Appeal.building_code,
    Appeal.department_id,
    Appeal.handed_off_on,
    Appeal.handoff_due_on,
    Appeal.handoff_state,
    Appeal.callback,
    Appeal.resolved_at,
)

Names = tuple[str, str]  # (中文, English)


@dataclass(frozen=True, slots=True)
class Columns:
    """One appeal's ledger columns beyond reference, company and category."""

    source: Source
    building_code: str
    unit: Names
    department: Names | None
    handed_off_on: date | None
    handoff_due_on: date | None
    handoff_state: AssignmentState | None
    callback: Callback | None
    closed_at: datetime | None
    rated: Rating | None

    def unit_name(self, locale: str) -> str:
        """The appeal's unit (its building) in the given locale."""
        return self.unit[1] if locale == "en" and self.unit[1] else self.unit[0]

    def department_name(self, locale: str) -> str:
        """The lead department in the given locale ("" if never handed off)."""
        if self.department is None:
            return ""
        return self.department[1] if locale == "en" and self.department[1] else self.department[0]

    @property
    def owed(self) -> bool:
        """Whether the department still owes an answer on the lead hand-off."""
        return self.handoff_state in OWED and self.handoff_due_on is not None


@dataclass(frozen=True)
class UnitNames:
    """Names of the units a batch of rows names (two small lookups)."""

    buildings: dict[str, Names]
    departments: dict[int, Names]

    @classmethod
    def of(cls, db: Session, rows: Sequence[Any]) -> UnitNames:
        """The names for these rows' buildings and departments."""
        codes = {row.building_code for row in rows}
        ids = {row.department_id for row in rows if row.department_id is not None}
        found = select(Unit.id, Unit.code, Unit.name_zh, Unit.name_en)
        buildings = (
            {r.code: (r.name_zh, r.name_en) for r in db.execute(found.where(Unit.code.in_(codes)))}
            if codes
            else {}
        )
        departments = (
            {r.id: (r.name_zh, r.name_en) for r in db.execute(found.where(Unit.id.in_(ids)))}
            if ids
            else {}
        )
        return cls(buildings, departments)

    def columns(self, row: Any) -> Columns:
        """The columns of one row selected with COLUMNS (and the rating)."""
        # Positional: this runs once per exported row (100,000 of them).
        return Columns(
            row.source,
            row.building_code,
            self.buildings.get(row.building_code, (row.building_code, row.building_code)),
            self.departments.get(row.department_id),
            row.handed_off_on,
            row.handoff_due_on,
            row.handoff_state,
            row.callback,
            row.resolved_at,
            row.rating,
        )


@dataclass(frozen=True)
class HandoffFilter:
    """The ledger's filters on these columns; empty values filter nothing."""

    source: str = ""  # a Source value
    building: str = ""  # a building (unit) code
    department_id: int | None = None
    progress: str = ""  # an AssignmentState value, or NONE: never handed off
    due_from: date | None = None  # owed hand-offs due on or after this day …
    due_before: date | None = None  # … and before this one (due soon, overdue, seriously)
    callback: str = ""  # a Callback value, or NONE
    rating: str = ""  # a Rating value, or NONE
    handed_from: date | None = None
    handed_to: date | None = None  # inclusive
    closed_since: datetime | None = None
    closed_until: datetime | None = None  # exclusive
    late_on: date | None = None  # late before this day: the appeal's answer, or its hand-off
    not_building: str = ""  # leave out this unit's own appeals ("overdue below us")

    def describe(self) -> dict[str, Any]:
        """The filter as plain JSON values (for the audit log)."""
        found: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value not in (None, ""):
                found[name] = value.isoformat() if isinstance(value, date) else value
        return found

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses on `appeal`."""
        found = _choices(self)
        owed = Appeal.handoff_state.in_(OWED)
        if self.due_from is not None:
            found.append(and_(owed, Appeal.handoff_due_on >= self.due_from))
        if self.due_before is not None:
            found.append(and_(owed, Appeal.handoff_due_on < self.due_before))
        if self.handed_from is not None:
            found.append(Appeal.handed_off_on >= self.handed_from)
        if self.handed_to is not None:
            found.append(Appeal.handed_off_on <= self.handed_to)
        if self.closed_since is not None:
            found.append(Appeal.resolved_at >= self.closed_since)
        if self.closed_until is not None:
            found.append(Appeal.resolved_at < self.closed_until)
        if self.late_on is not None:
            found.append(
                or_(
                    and_(Appeal.status.in_(_OPEN), Appeal.due_date < self.late_on),
                    and_(owed, Appeal.handoff_due_on < self.late_on),
                )
            )
        if self.not_building:
            found.append(Appeal.building_code != self.not_building)
        return found


def _choices(wanted: HandoffFilter) -> list[ColumnElement[bool]]:
    """The select-box filters: a value of the column, or NONE for an empty column."""
    found: list[ColumnElement[bool]] = []
    if wanted.source in {s.value for s in Source}:
        found.append(Appeal.source == Source(wanted.source))
    if wanted.building:
        found.append(Appeal.building_code == wanted.building)
    if wanted.department_id is not None:
        found.append(Appeal.department_id == wanted.department_id)
    for value, column, kind in (
        (wanted.progress, Appeal.handoff_state, AssignmentState),
        (wanted.callback, Appeal.callback, Callback),
        (wanted.rating, Appeal.rating, Rating),
    ):
        if value == NONE:
            found.append(column.is_(None))
        elif value in {member.value for member in kind}:
            found.append(column == kind(value))
    return found
