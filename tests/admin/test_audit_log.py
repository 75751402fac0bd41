"""The audit log page: supervisors and admins only, newest first, keyset paged."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AuditLog, Role, Staff
from kiosk.services.audit import Actor, record
from tests.admin.conftest import Admin
from tests.admin.test_ledger import link


def actions(html: str) -> list[str]:
    """The audit actions listed on the page, top to bottom."""
    return re.findall(r'data-audit="([^"]+)"', html)


def test_plain_staff_are_refused_and_not_offered_the_link(signed_in: Admin) -> None:
    assert 'href="/admin/audit"' not in signed_in.text("/admin/appeals")
    response = signed_in.get("/admin/audit")
    assert response.status_code == 403
    assert "You do not have access to this page." in response.get_data(as_text=True)


def test_supervisor_sees_who_did_what_to_which_appeal(
    admin: Admin, supervisor: Staff, officer: Staff, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    admin.sign_in("chief")
    admin.flash(admin.act(appeal.reference, "note", note="请跟进"))
    html = admin.text("/admin/audit")
    assert 'href="/admin/audit"' in html
    assert actions(html)[:2] == ["appeal.note", "staff.sign_in"]
    assert "Wang Chief" in html and f'href="/admin/appeals/{appeal.reference}"' in html
    assert "System or command line" in html  # the fixtures' staff.create entries


def test_admin_role_sees_it_too(admin: Admin, make_staff: Callable[..., Staff]) -> None:
    make_staff("boss", Role.ADMIN)
    admin.sign_in("boss")
    assert admin.get("/admin/audit").status_code == 200


def test_audit_log_pages_by_keyset(admin: Admin, supervisor: Staff, db: Session) -> None:
    for n in range(23):
        record(db, Actor(supervisor, "10.0.0.9"), f"test.step{n:02d}", "thing", str(n), n=n)
    db.commit()
    admin.sign_in("chief")
    html, seen = admin.text("/admin/audit"), []
    while True:
        seen += actions(html)
        older = link(html, "pager__older")
        if older is None:
            break
        html = admin.text(older)
    expected = [
        "staff.sign_in",
        *[f"test.step{n:02d}" for n in reversed(range(23))],
        "staff.create",
    ]
    assert seen == expected
    assert len(seen) == len(set(seen)) == db.scalar(select(func.count()).select_from(AuditLog))
    assert "10.0.0.9" in admin.text("/admin/audit")
