"""Working days in mainland China, for due dates: official holidays and make-up workdays."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)


def is_workday(day: date, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> bool:
    """Whether `day` is a working day; configured dates win over the official calendar."""
    if day in set(workdays):
        return True
    if day in set(holidays):
        return False
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # The calendar package covers years the State Council has published; past those,
        # fall back to Monday-Friday (configure extra_holidays until the package is updated).
        log.warning("no official calendar for %s; counting Monday-Friday", day.year)
        return day.weekday() < 5


def add_workdays(
    start: date, count: int, holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> date:
    """The date `count` working days after `start` (the start day itself does not count)."""
    holidays, workdays = tuple(holidays), tuple(workdays)
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_workday(day, holidays, workdays):
            remaining -= 1
    return day


def has_official_calendar(day: date) -> bool:
    """Whether the official calendar (holidays and make-up workdays) covers `day`'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True
