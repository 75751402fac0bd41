"""A date picked on the touchscreen: a month at a time, each day a button, working days marked.

A browser's own date input opens no on-screen keyboard and shows its own format
(mm/dd/yyyy in an English Chromium); this calendar is the kiosk's, in the screen's language,
and offers only the days a step accepts. The step checks the posted date again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_skeleton, get_day_names
from flask_babel import format_date, get_locale

from kiosk.config import Settings
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.workdays import has_official_calendar, is_workday

WEEK = 7
TEMPLATE = "terminal/steps/date.html"


@dataclass(frozen=True)
class Day:
    """One day's button."""

    day: date
    workday: bool
    label: str  # the whole date in words, for a screen reader


@dataclass(frozen=True)
class Month:
    """One month of the calendar: its title and weeks, Monday first (None: not offered)."""

    title: str
    weeks: list[list[Day | None]]


@dataclass(frozen=True)
class Calendar:
    """The months to page through, the weekday names, today."""

    months: list[Month]
    weekdays: list[str]
    today: date
    last: date  # the last day offered
    unofficial_years: list[int]  # years offered whose official holidays are not known yet


def today_at(settings: Settings) -> date:
    """Today where the kiosk is."""
    return datetime.now(settings.zone).date()


def _month_of(first: date, last: date, settings: Settings, start: date) -> Month:
    """The weeks of `start`'s month from `start` on, offering the days from `first` to `last`."""
    month_end = (start.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    end = min(month_end, last)
    weeks: list[list[Day | None]] = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        week: list[Day | None] = []
        for offset in range(WEEK):
            day = monday + timedelta(days=offset)
            if first <= day <= end and day.month == start.month:
                working = is_workday(day, settings.extra_holidays, settings.extra_workdays)
                kind = _l("working day") if working else _l("rest day")
                week.append(Day(day, working, f"{format_date(day, 'full')}, {kind}"))
            else:
                week.append(None)
        weeks.append(week)
        monday += timedelta(days=WEEK)
    return Month(format_skeleton("yMMMM", start, locale=get_locale()), weeks)


def calendar(settings: Settings, days: int) -> Calendar:
    """The next `days` days from today, a month a page."""
    today = today_at(settings)
    last = today + timedelta(days=days - 1)
    months: list[Month] = []
    start = today
    while start <= last:
        months.append(_month_of(today, last, settings, start))
        start = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    names = get_day_names("abbreviated", locale=get_locale())
    years = range(today.year, last.year + 1)
    unknown = [y for y in years if not has_official_calendar(max(today, date(y, 1, 1)))]
    return Calendar(months, [names[i] for i in range(WEEK)], today, last, unknown)


def month_of(calendar: Calendar, chosen: date | None, asked: str | None) -> int:
    """Which month to show: the one asked for, else the chosen date's, else the first."""
    if asked is not None and asked.isascii() and asked.isdigit() and len(asked) < 3:
        return min(int(asked), len(calendar.months) - 1)
    if chosen is not None:
        for index, month in enumerate(calendar.months):
            if any(d is not None and d.day == chosen for week in month.weeks for d in week):
                return index
    return 0


def parse_day(value: object) -> date | None:
    """The day a calendar button posts (YYYY-MM-DD), or None for anything else."""
    text = str(value or "")
    if len(text) != len("2026-01-31") or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_day(value: date | None, settings: Settings, days: int, field: str) -> date:
    """`value` if it is one of the days offered; else a ValidationFailed saying why."""
    today = today_at(settings)
    if value is None:
        raise ValidationFailed(fields={field: _l("Tap a date on the calendar.")})
    if value < today:
        raise ValidationFailed(fields={field: _l("The date cannot be in the past.")})
    if value > today + timedelta(days=days - 1):
        raise ValidationFailed(
            fields={field: _l("Choose a date within the next %(n)s days.", n=days)}
        )
    return value
