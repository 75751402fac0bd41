"""The ledger's follow-up queue: 不满意 and reopened appeals, and the overdue and due-today counts
as links to the lists they count."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, Staff
from kiosk.services import appeals, ledger
from kiosk.services.audit import Actor
from tests.admin.conftest import Admin
from tests.admin.test_ledger import references


def _count(html: str, name: str) -> tuple[int, str]:
    """The figure shown for one count, and where its link goes."""
    found = re.search(
        rf'href="([^"]+)" data-count="{name}">\s*<span class="to-do__figure">([\d,]+)</span>', html
    )
    assert found is not None, name
    return int(found.group(2).replace(",", "")), found.group(1).replace("&amp;", "&")


def test_counts_link_to_the_lists_they_count(
    app: Flask,
    db: Session,
    signed_in: Admin,
    officer: Staff,
    make_appeal: Callable[..., Appeal],
) -> None:
    today = ledger.today_in(app.config["KIOSK"].zone)
    unhappy = make_appeal(company_name="长沙不满意有限公司")
    appeals.resolve(db, unhappy.id, "已答复。", Actor(officer, "test"))
    appeals.rate(db, app.config["KIOSK"], unhappy.token, "dissatisfied", "没有解决")
    reopened = make_appeal(status=AppealStatus.REOPENED)
    late, fresh = make_appeal(), make_appeal()
    content = make_appeal(status=AppealStatus.CLOSED)
    db.expire_all()
    unhappy = appeals.get_by_token(db, unhappy.token)
    unhappy.due_date, reopened.due_date = today, today
    late.due_date = content.due_date = today - timedelta(days=2)
    fresh.due_date = today + timedelta(days=3)
    db.commit()

    html = signed_in.text("/admin/appeals")
    overdue, overdue_link = _count(html, "overdue")
    due_today, due_today_link = _count(html, "due-today")
    follow_up, follow_up_link = _count(html, "follow-up")
    assert (overdue, due_today, follow_up) == (1, 2, 2)
    assert "Not satisfied" in html  # the 不满意 appeal is marked in the list

    listed = signed_in.text(overdue_link)
    assert references(listed) == [late.reference]
    listed = signed_in.text(due_today_link)
    assert references(listed) == [reopened.reference, unhappy.reference]
    listed = signed_in.text(follow_up_link)
    assert references(listed) == [reopened.reference, unhappy.reference]
    assert 'data-total="2"' in listed
    assert re.search(r'<input[^>]*\bchecked\b[^>]*name="follow_up"', listed)  # the box is ticked
    # The filter carries into the CSV export like every other.
    assert "follow_up=y" in listed.split("Download CSV")[0].rsplit("href=", 1)[-1]


def test_a_dissatisfied_appeal_s_page_says_when_the_follow_up_is_due(
    app: Flask,
    db: Session,
    signed_in: Admin,
    officer: Staff,
    make_appeal: Callable[..., Appeal],
) -> None:
    today = ledger.today_in(app.config["KIOSK"].zone)
    appeal = make_appeal()
    appeals.resolve(db, appeal.id, "已答复。", Actor(officer, "test"))
    appeals.rate(db, app.config["KIOSK"], appeal.token, "dissatisfied", "没有解决")
    db.expire_all()
    appeal = appeals.get_by_token(db, appeal.token)
    appeal.due_date = today - timedelta(days=1)
    db.commit()
    html = signed_in.text(f"/admin/appeals/{appeal.reference}")
    follow_up = html.split("data-follow-up", 1)[1].split("</div>", 1)[0]
    assert "Follow up by" in follow_up and "Overdue" in follow_up
    assert 'action="/admin/appeals/' + appeal.reference + '/reopen"' in html  # the way to do it
