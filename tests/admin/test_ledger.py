"""The ledger's list: every filter, the count, and keyset paging with no gaps or repeats."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, Staff
from kiosk.services import ledger
from tests.admin.conftest import Admin


def references(html: str) -> list[str]:
    """The references listed on a ledger page, top to bottom."""
    return re.findall(r'data-reference="([^"]+)"', html)


def total(html: str) -> int:
    """The number of matches the page reports."""
    match = re.search(r'data-total="(\d+)"', html)
    assert match is not None
    return int(match.group(1))


def link(html: str, css: str) -> str | None:
    """The href of the pager link with this class."""
    match = re.search(rf'class="[^"]*{css}"[^>]*href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


@pytest.fixture
def local_today(app: Flask) -> object:
    return ledger.today_in(app.config["KIOSK"].zone)


def test_newest_first_with_the_columns_staff_need(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session, officer: Staff
) -> None:
    older = make_appeal(company_name="长沙老客户有限公司", category="finance")
    newer = make_appeal(company_name="湖南新客户有限公司", category="transport")
    newer.assignee_id = officer.id
    db.commit()
    html = signed_in.text("/admin/appeals")
    assert references(html) == [newer.reference, older.reference]
    for shown in (
        "湖南新客户有限公司",
        "Transport and commuting",
        "Received",
        "Li Officer",
        newer.due_date.isoformat(),
    ):
        assert shown in html
    assert f'href="/admin/appeals/{newer.reference}"' in html
    assert total(html) == 2 and "All appeals: 2" in html


def test_status_filter(signed_in: Admin, make_appeal: Callable[..., Appeal]) -> None:
    new = make_appeal()
    resolved = make_appeal(status=AppealStatus.RESOLVED)
    make_appeal(status=AppealStatus.CLOSED)
    assert references(signed_in.text("/admin/appeals", status="resolved")) == [resolved.reference]
    html = signed_in.text("/admin/appeals", status="new")
    assert references(html) == [new.reference]
    assert total(html) == 1 and "Matching appeals: 1" in html
    assert len(references(signed_in.text("/admin/appeals", status="no-such-status"))) == 3


def test_category_filter(signed_in: Admin, make_appeal: Callable[..., Appeal]) -> None:
    transport = make_appeal(category="transport")
    make_appeal(category="finance")
    assert references(signed_in.text("/admin/appeals", category="transport")) == [
        transport.reference
    ]


def test_overdue_means_open_and_due_before_today_locally(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session, local_today: object
) -> None:
    late = make_appeal()
    due_today = make_appeal()
    late_but_resolved = make_appeal(status=AppealStatus.RESOLVED)
    late_reopened = make_appeal(status=AppealStatus.REOPENED)
    assert isinstance(local_today, type(late.due_date))
    for appeal in (late, late_but_resolved, late_reopened):
        appeal.due_date = local_today - timedelta(days=1)
    due_today.due_date = local_today
    db.commit()
    html = signed_in.text("/admin/appeals", overdue="y")
    assert references(html) == [late_reopened.reference, late.reference]
    everything = signed_in.text("/admin/appeals")
    assert everything.count("ledger__row--overdue") == 2


def test_assigned_to_me(
    signed_in: Admin,
    make_appeal: Callable[..., Appeal],
    db: Session,
    officer: Staff,
    supervisor: Staff,
) -> None:
    mine, theirs, _nobodys = make_appeal(), make_appeal(), make_appeal()
    mine.assignee_id, theirs.assignee_id = officer.id, supervisor.id
    db.commit()
    assert references(signed_in.text("/admin/appeals", mine="y")) == [mine.reference]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("星辰软件", ["company"]),
        ("acme", ["english"]),  # case does not matter
        ("王小明", ["contact"]),
        ("地下车库", ["description"]),
        ("100%", ["percent"]),  # % is a character, not a wildcard
        ("a_b", ["underscore"]),
        ("no such text", []),
    ],
)
def test_text_search(
    signed_in: Admin, make_appeal: Callable[..., Appeal], query: str, expected: list[str]
) -> None:
    made = {
        "company": make_appeal(company_name="长沙星辰软件科技有限公司"),
        "english": make_appeal(company_name="ACME Trading Co."),
        "contact": make_appeal(contact_name="王小明"),
        "description": make_appeal(description="地下车库的照明坏了很久。"),
        "percent": make_appeal(description="租金上涨了100%，希望了解政策。"),
        "underscore": make_appeal(description="系统里的编号写成了 a_b 格式。"),
        "decoy": make_appeal(description="租金上涨了1000，编号 axb 格式。"),
    }
    found = references(signed_in.text("/admin/appeals", q=query))
    assert found == [made[name].reference for name in reversed(list(made)) if name in expected]


def test_search_by_reference_exactly_or_by_its_start(
    signed_in: Admin, make_appeal: Callable[..., Appeal]
) -> None:
    appeals = [make_appeal() for _ in range(3)]
    exact = appeals[1].reference
    assert references(signed_in.text("/admin/appeals", q=exact.lower())) == [exact]
    prefix = exact.rsplit("-", 1)[0]  # SQ-20261124: that day's appeals
    assert set(references(signed_in.text("/admin/appeals", q=prefix))) == {
        a.reference for a in appeals
    }


def test_filters_combine_and_carry_into_the_pager(
    signed_in: Admin, make_appeal: Callable[..., Appeal]
) -> None:
    wanted = [make_appeal(category="transport", status=AppealStatus.ACCEPTED) for _ in range(12)]
    make_appeal(category="transport")
    make_appeal(category="finance", status=AppealStatus.ACCEPTED)
    html = signed_in.text("/admin/appeals", status="accepted", category="transport")
    assert total(html) == 12 and len(references(html)) == 10
    older = link(html, "pager__older")
    assert older is not None and "status=accepted" in older and "category=transport" in older
    rest = references(signed_in.text(older))
    assert rest == [a.reference for a in reversed(wanted)][10:]
    export = re.search(r'href="(/admin/appeals/export[^"]*)"', html)
    assert export is not None and "status=accepted" in export.group(1)


def test_keyset_pages_have_no_gaps_or_repeats_both_ways(
    signed_in: Admin, make_appeal: Callable[..., Appeal]
) -> None:
    made = [make_appeal().reference for _ in range(25)]
    newest_first = list(reversed(made))
    pages, html = [], signed_in.text("/admin/appeals")
    assert link(html, "pager__newer") is None
    while True:
        pages.append(references(html))
        older = link(html, "pager__older")
        if older is None:
            break
        assert "before=" in older and "offset" not in older
        html = signed_in.text(older)
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [ref for page in pages for ref in page] == newest_first
    # And back up again with "Newer".
    back = []
    while (newer := link(html, "pager__newer")) is not None:
        html = signed_in.text(newer)
        back.append(references(html))
    assert back == [pages[1], pages[0]]


def test_newer_from_near_the_top_shows_a_full_first_page(
    app: Flask, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    ids = [make_appeal().id for _ in range(15)]
    page = ledger.list_appeals(db, ledger.AppealFilter(), after=ids[-3], limit=10)
    assert [row.id for row in page.items] == ids[::-1][:10]
    assert page.newer is None and page.older == ids[5]
    past_the_end = ledger.list_appeals(db, ledger.AppealFilter(), before=ids[0], limit=10)
    assert [row.id for row in past_the_end.items] == ids[::-1][:10]


def test_paging_cursor_that_is_not_a_number_is_ignored(
    signed_in: Admin, make_appeal: Callable[..., Appeal]
) -> None:
    made = make_appeal()
    assert references(signed_in.text("/admin/appeals", before="x'; drop", after="-1")) == [
        made.reference
    ]


def test_empty_ledger_says_so(signed_in: Admin) -> None:
    html = signed_in.text("/admin/appeals")
    assert "There are no appeals yet." in html and total(html) == 0
    assert "No appeals match these filters." in signed_in.text("/admin/appeals", q="x")
