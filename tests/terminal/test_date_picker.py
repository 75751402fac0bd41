"""The address change's date: the kiosk's own calendar, the next 90 days, working days marked."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from kiosk.models import Tenant
from tests.support.terminal import Terminal

ZONE = ZoneInfo("Asia/Shanghai")


def _today() -> date:
    return datetime.now(ZONE).date()


def _next(weekday: int, after: date) -> date:
    """The first day after `after` that falls on `weekday` (0 is Monday)."""
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


MONDAY = _next(0, _today() + timedelta(days=7))
SATURDAY = _next(5, _today() + timedelta(days=7))


@pytest.fixture
def terminal(make_app: Callable[..., Flask], make_tenant: Callable[..., Tenant]) -> Terminal:
    """At the address change's date question, on a kiosk where MONDAY is a holiday and
    SATURDAY a make-up working day."""
    app = make_app(extra_holidays=(MONDAY,), extra_workdays=(SATURDAY,))
    terminal = Terminal(app.test_client())
    tenant = make_tenant()
    terminal.pick_company("address", tenant.id)
    assert terminal.answer("/address/destination", destination="moving_out").status_code == 303
    response = terminal.answer("/address/new-address", new_address="湖南省长沙市岳麓区麓谷大道1号")
    assert response.status_code == 303
    return terminal


def _days(html: str) -> dict[str, str]:
    """The days offered on the page: date → whether it is a working day."""
    return dict(re.findall(r'data-day="([\d-]+)" data-workday="(true|false)"', html))


def test_the_calendar_offers_the_next_90_days_a_month_a_page_with_working_days_marked(
    terminal: Terminal,
) -> None:
    page = terminal.page("/address/effective")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'type="date"' not in html
    offered: dict[str, str] = {}
    month = 0
    while True:
        days = _days(html)
        assert days, month
        offered.update(days)
        if 'data-month-turn="next"' not in html:
            break
        month += 1
        html = terminal.page(f"/address/effective?month={month}").get_data(as_text=True)
    today = _today()
    assert sorted(offered) == [(today + timedelta(days=n)).isoformat() for n in range(90)]
    assert 3 <= month + 1 <= 4  # 90 days span three or four months
    assert offered[MONDAY.isoformat()] == "false"  # a configured holiday
    assert offered[SATURDAY.isoformat()] == "true"  # a configured make-up working day
    sunday = _next(6, today + timedelta(days=7)).isoformat()
    assert offered[sunday] == "false"
    assert f"{today.year}年{today.month}月" in terminal.page("/address/effective").get_data(
        as_text=True
    )
    for odd in ("99", "abc", "-1", "１"):  # any month asked for: a page, never an error
        assert terminal.page(f"/address/effective?month={odd}").status_code == 200


def test_a_tapped_day_is_kept_and_shown_chosen(terminal: Terminal) -> None:
    day = (_today() + timedelta(days=40)).isoformat()
    assert terminal.answer("/address/effective", effective=day).status_code == 303
    check = terminal.page("/address/check").get_data(as_text=True)
    chosen = date.fromisoformat(day)
    assert f"{chosen.year}年{chosen.month}月{chosen.day}日" in check
    again = terminal.page("/address/effective?change=1").get_data(as_text=True)
    assert re.search(rf'calendar__day--chosen[^>]*\s+name="effective" value="{day}"', again)


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        # Days from today, counted when the test runs: a date worked out at collection is a
        # day off once the run passes midnight where the kiosk is (16:00 UTC).
        (-1, "不能早于今天"),
        (90, "今后 90 天内"),
        (400, "今后 90 天内"),
        ("", "请在日历上点选日期"),
        ("2027/01/05", "请在日历上点选日期"),
        ("２０２７-０１-０５", "请在日历上点选日期"),
        ("2027-02-30", "请在日历上点选日期"),
        ("9" * 5000, "请在日历上点选日期"),
    ],
)
def test_a_day_not_offered_is_refused_with_a_reason(
    terminal: Terminal, posted: int | str, message: str
) -> None:
    if isinstance(posted, int):
        posted = (_today() + timedelta(days=posted)).isoformat()
    response = terminal.answer("/address/effective", effective=posted)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert terminal.page("/address/check").request.path == "/address/effective"  # nothing kept


def test_a_year_without_its_official_holidays_is_said_to_mark_weekends_only(
    terminal: Terminal,
) -> None:
    from kiosk.workdays import has_official_calendar

    html = terminal.page("/address/effective").get_data(as_text=True)
    today = _today()
    for year in range(today.year, (today + timedelta(days=89)).year + 1):
        known = has_official_calendar(max(today, date(year, 1, 1)))
        assert (f'data-unofficial-year="{year}"' in html) is not known, year
        if not known:
            assert f"{year} 年的法定节假日安排尚未发布" in html
