"""Hand-offs through the admin: the done-when flow (交办 to 市场监管, accepted and answered by
its officer, sent back once by the building's reviewer, answered again, published, on the
tenant's phone), a department's reach, the district's overdue list and the XLSX export."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.admin.handoff_panel import row_prefix
from kiosk.models import Appeal, Assignment, Role, Source, Staff
from tests.admin.conftest import Admin
from tests.support.org import Org
from tests.support.pages import csrf_token


def _post(admin: Admin, page: str, action: str, **fields: str) -> str:
    """Post a form of `page` (its CSRF token) and return the page the redirect leads to."""
    html = admin.text(page)
    response = admin.client.post(action, data={"csrf_token": csrf_token(html), **fields})
    return admin.flash(response)


def _assignment(db: Session) -> Assignment:
    db.rollback()
    found = db.query(Assignment).order_by(Assignment.id.desc()).first()
    assert found is not None
    return found


def test_handed_to_market_regulation_answered_reviewed_and_on_the_phone(
    admin: Admin, org: Org, person: Callable[..., Staff], make_appeal: Callable[..., Appeal],
    db: Session, client: FlaskClient,
) -> None:  # fmt: skip
    person("officer", org.building)
    person("reviewer", org.building, Role.SUPERVISOR)
    person("clerk", org.market)
    appeal = make_appeal(category="market")
    page = f"/admin/appeals/{appeal.reference}"

    admin.sign_in("officer")
    html = admin.text(page)
    assert f'<option selected value="{org.market.id}">' in html  # the category's department
    done = _post(admin, page, f"{page}/hand-off", department=str(org.market.id), days="5")
    assert "handed to the department" in done
    row = _assignment(db)
    pre = row_prefix(row.id)  # the row's form fields on the appeal's page
    admin.sign_out()

    admin.sign_in("clerk")
    queue = admin.text("/admin/hand-offs")
    assert appeal.reference in queue
    _post(admin, page, f"/admin/hand-offs/{row.id}/accept")
    first = _post(
        admin, page, f"/admin/hand-offs/{row.id}/reply", **{f"{pre}-reply": "已责令整改。"}
    )
    assert "sent for review" in first
    admin.sign_out()

    phone = client.get(f"/status/{appeal.token}").get_data(as_text=True)
    assert "已责令整改" not in phone  # not until it is published

    admin.sign_in("reviewer")
    assert appeal.reference in admin.text("/admin/hand-offs")
    _post(admin, page, f"/admin/hand-offs/{row.id}/send-back", **{f"{pre}-note": "请写明时限。"})
    admin.sign_out()

    admin.sign_in("clerk")
    _post(admin, page, f"/admin/hand-offs/{row.id}/reply",
          **{f"{pre}-reply": "已责令整改，12月20日前完成。"})  # fmt: skip
    admin.sign_out()

    admin.sign_in("reviewer")
    published = _post(admin, page, f"/admin/hand-offs/{row.id}/publish")
    assert "published to the tenant" in published
    phone = client.get(f"/status/{appeal.token}").get_data(as_text=True)
    assert "已责令整改，12月20日前完成。" in phone


def test_a_department_officer_opens_only_what_was_handed_to_it(
    admin: Admin, org: Org, person: Callable[..., Staff], make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:  # fmt: skip
    person("officer", org.building)
    person("clerk", org.market)
    handed, kept = make_appeal(category="market"), make_appeal()
    admin.sign_in("officer")
    page = f"/admin/appeals/{handed.reference}"
    _post(admin, page, f"{page}/hand-off", department=str(org.market.id), days="5")
    admin.sign_out()
    admin.sign_in("clerk")
    assert admin.get(f"/admin/appeals/{kept.reference}").status_code == 404
    html = admin.text(page)
    assert "data-handoff-panel" in html and "Send the reply for review" in html
    # The department answers through the hand-off, never straight to the tenant.
    response = admin.act(handed.reference, "reply", reply="直接答复")
    assert response.status_code == 403


def test_bad_hand_off_input_is_said_in_the_form(
    admin: Admin, org: Org, person: Callable[..., Staff], make_appeal: Callable[..., Appeal]
) -> None:
    person("officer", org.building)
    appeal = make_appeal()
    admin.sign_in("officer")
    page = f"/admin/appeals/{appeal.reference}"
    html = admin.text(page)
    response = admin.client.post(
        f"{page}/hand-off", data={"csrf_token": csrf_token(html), "department": "", "days": "0"}
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Enter a number of working days from 1 to 60." in text


def test_an_overdue_hand_off_shows_in_the_districts_ledger(
    admin: Admin, org: Org, person: Callable[..., Staff], make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:  # fmt: skip
    person("officer", org.building)
    person("chief", org.district)
    late, fine = make_appeal(), make_appeal()
    admin.sign_in("officer")
    for appeal in (late, fine):
        page = f"/admin/appeals/{appeal.reference}"
        _post(admin, page, f"{page}/hand-off", department=str(org.market.id), days="5")
    assert "Overdue below us" not in admin.text("/admin/appeals")  # a building has none below
    admin.sign_out()
    past = date.today() - timedelta(days=10)
    for model in (Assignment, Appeal):
        column = model.due_on if model is Assignment else model.handoff_due_on  # type: ignore[attr-defined]
        key = model.appeal_id if model is Assignment else model.id  # type: ignore[attr-defined]
        db.execute(update(model).where(key == late.id).values({column: past}))
    db.commit()
    admin.sign_in("chief")
    html = admin.text("/admin/appeals")
    below = html[html.index("data-below") : html.index("</section>", html.index("data-below"))]
    assert 'data-below="1"' in below and late.reference in below and fine.reference not in below
    overdue = admin.text("/admin/appeals", timing="overdue")
    assert late.reference in overdue and fine.reference not in overdue


def test_the_xlsx_export_has_the_ledgers_columns_in_order(
    admin: Admin, org: Org, person: Callable[..., Staff], make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:  # fmt: skip
    person("officer", org.building)
    appeal = make_appeal(company_name="=HYPERLINK(1)")
    hotline = make_appeal()
    db.execute(update(Appeal).where(Appeal.id == hotline.id).values(source=Source.HOTLINE))
    db.commit()
    admin.sign_in("officer")
    page = f"/admin/appeals/{appeal.reference}"
    _post(admin, page, f"{page}/hand-off", department=str(org.market.id), days="5")
    response = admin.get("/admin/appeals/export-xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:12] == [
        "Reference", "Source", "Company", "Category", "Unit", "Department", "Handed off on",
        "Due date", "Progress", "Follow-up call", "Closed on", "Rating",
    ]  # fmt: skip
    by_ref = {row[0]: row for row in rows[1:]}
    assert by_ref[hotline.reference][1] == "12345 hotline"
    mine = by_ref[appeal.reference]
    assert (
        mine[1] == "Kiosk" and mine[2] == "'=HYPERLINK(1)" and mine[5] == "Market-Dept"
    )  # English, as the reader reads
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", mine[6] or "")
    assert mine[8] == "Handed off, not accepted yet"
    only = admin.get("/admin/appeals/export-xlsx", source="hotline").data
    listed = [r[0] for r in load_workbook(io.BytesIO(only)).active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    assert listed == ["Reference", hotline.reference]
