"""The periods the programme's figures are counted over, in the city's own calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("week", "month", "quarter", "year", "custom")
LONGEST = 3 * 366  # days: a custom period longer than three years is refused


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both days included, in the city's time zone."""

    first: date
    last: date
    kind: str = "custom"

    @property
    def days(self) -> int:
        """How many days the period holds."""
        return (self.last - self.first).days + 1

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC instants: [start, end)."""
        start = datetime.combine(self.first, time(), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=zone)
        return start, end.astimezone(UTC)

    def a_year_before(self) -> Period:
        """The same days one year earlier (29 February becomes the 28th)."""
        return Period(_year_back(self.first), _year_back(self.last), self.kind)

    def before(self) -> Period:
        """The period of the same kind and length just before this one."""
        if self.kind == "month":
            return month_of(self.first - timedelta(days=1))
        if self.kind == "quarter":
            return quarter_of(self.first - timedelta(days=1))
        if self.kind == "year":
            return year_of(self.first - timedelta(days=1))
        return Period(
            self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.kind
        )

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the period touches (for a weekly trend)."""
        monday = self.first - timedelta(days=self.first.weekday())
        found = []
        while monday <= self.last:
            found.append(monday)
            monday += timedelta(days=7)
        return found


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def week_of(day: date) -> Period:
    """Monday to Sunday around `day`."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6), "week")


def month_of(day: date) -> Period:
    """The calendar month of `day`."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1), "month")


def quarter_of(day: date) -> Period:
    """The calendar quarter of `day`."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last = month_of(date(first.year, first.month + 2, 1)).last
    return Period(first, last, "quarter")


def year_of(day: date) -> Period:
    """The calendar year of `day`."""
    return Period(date(day.year, 1, 1), date(day.year, 12, 31), "year")


def named(kind: str, today: date, first: date | None = None, last: date | None = None) -> Period:
    """The period a dashboard asks for: this week, month, quarter or year, or two dates (swapped
    when given the wrong way round, cut to three years); anything else is this month."""
    if kind == "week":
        return week_of(today)
    if kind == "quarter":
        return quarter_of(today)
    if kind == "year":
        return year_of(today)
    if kind == "custom" and first is not None and last is not None:
        first, last = min(first, last), max(first, last)
        last = min(last, first + timedelta(days=LONGEST - 1))
        return Period(first, last, "custom")
    return month_of(today)
