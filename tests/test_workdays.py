"""Due dates count China's official working days."""

from __future__ import annotations

from datetime import date

from kiosk.workdays import add_workdays, is_workday


def test_national_day_week_is_skipped() -> None:
    # 2026-09-30 is a Wednesday; 1-7 October 2026 are the National Day holiday.
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_weekend_is_skipped() -> None:
    assert add_workdays(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert add_workdays(date(2026, 11, 24), 5) == date(2026, 12, 1)


def test_configured_dates_win_over_the_calendar() -> None:
    assert not is_workday(date(2026, 11, 25), holidays=[date(2026, 11, 25)])
    assert is_workday(date(2026, 11, 28), workdays=[date(2026, 11, 28)])
    assert add_workdays(date(2026, 11, 24), 1, holidays=[date(2026, 11, 25)]) == date(2026, 11, 26)


def test_years_beyond_the_official_calendar_fall_back_to_weekdays() -> None:
    assert add_workdays(date(2031, 1, 3), 1) == date(2031, 1, 6)


def test_whether_a_year_has_its_official_calendar_is_known() -> None:
    from kiosk.workdays import has_official_calendar

    assert has_official_calendar(date(2026, 10, 1))
    assert not has_official_calendar(date(2031, 1, 3))
