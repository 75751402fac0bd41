"""Time limits of hand-offs: due dates in working days (the official calendar, as appeals'),
and how late a hand-off is: on time, due soon, overdue, seriously overdue."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.config import Settings
from kiosk.workdays import add_workdays, is_workday

DUE_SOON_DAYS = 1  # working days: due today or on the next working day is "due soon"
SERIOUS_DAYS = 5  # more working days than this past the due date: seriously overdue
DAYS_MIN, DAYS_MAX, DAYS_DEFAULT = 1, 60, 5  # a hand-off's time limit, in working days


class Timing(enum.StrEnum):
    """How an owed hand-off stands against its due date."""

    ON_TIME = "on_time"
    DUE_SOON = "due_soon"  # 即将到期
    OVERDUE = "overdue"  # 已超期
    SERIOUS = "serious"  # 严重超期


@dataclass(frozen=True)
class Calendar:
    """The working-day calendar with the configured extra holidays and make-up workdays."""

    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()

    @classmethod
    def of(cls, settings: Settings) -> Calendar:
        """The calendar the settings describe."""
        return cls(tuple(settings.extra_holidays), tuple(settings.extra_workdays))

    def add(self, start: date, days: int) -> date:
        """`days` working days after `start` (the start day does not count)."""
        return add_workdays(start, days, self.holidays, self.workdays)

    def back(self, start: date, days: int) -> date:
        """The day `days` working days before `start`."""
        day, remaining = start, days
        while remaining > 0:
            day -= timedelta(days=1)
            if is_workday(day, self.holidays, self.workdays):
                remaining -= 1
        return day


@dataclass(frozen=True)
class Cutoffs:
    """The dates that split owed hand-offs by timing, for a given today (for SQL filters)."""

    today: date
    soon_until: date  # due on or before this (and not overdue): due soon
    serious_before: date  # due before this: seriously overdue

    @classmethod
    def on(cls, calendar: Calendar, today: date) -> Cutoffs:
        """The cutoffs as of `today`."""
        return cls(
            today,
            calendar.add(today, DUE_SOON_DAYS),
            calendar.back(today, SERIOUS_DAYS),
        )

    def timing(self, due_on: date) -> Timing:
        """How a hand-off due on `due_on` stands."""
        if due_on < self.serious_before:
            return Timing.SERIOUS
        if due_on < self.today:
            return Timing.OVERDUE
        return Timing.DUE_SOON if due_on <= self.soon_until else Timing.ON_TIME
