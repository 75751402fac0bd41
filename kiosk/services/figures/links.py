"""Each figure of the dashboard as the ledger filter that lists exactly what it counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement

from kiosk.models import Appeal
from kiosk.services.figures import core
from kiosk.services.figures.periods import Period

# The appeal figures a link can open, with what each counts.
WHAT = ("raised", "raised_solved", "solved", "on_time", "late", "rated", "content")


@dataclass(frozen=True)
class Counted:
    """Appeals counted by one figure: `what` over `period`, in these buildings (None: all)."""

    what: str
    period: Period
    zone: ZoneInfo
    buildings: frozenset[str] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The conditions `core.count` uses for this figure."""
        start, end = self.period.bounds(self.zone)
        found = [core.within(Appeal.building_code, self.buildings)]
        if self.what in ("raised", "raised_solved"):
            found.append(core.raised_in(start, end))
            if self.what == "raised_solved":
                found.append(Appeal.status.in_(core.SOLVED))
        elif self.what in ("solved", "on_time", "late"):
            found.append(core.solved_in(start, end))
            if self.what == "on_time":
                found.append(core.on_time(self.zone))
            elif self.what == "late":
                found.append(~core.on_time(self.zone))
        else:
            found.append(core.rated_in(start, end))
            if self.what == "content":
                found.append(core.CONTENT_RATING)
        return found

    def describe(self) -> dict[str, Any]:
        """As plain JSON values (for the audit log of an export)."""
        return {
            "what": self.what,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "buildings": sorted(self.buildings) if self.buildings is not None else None,
        }
