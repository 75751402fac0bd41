"""Staff see who applied for a company, and whether the company knows that person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Application, ApplicationStatus, Tenant
from kiosk.services import licences
from tests.admin.conftest import Admin
from tests.support.terminal import Terminal


def _move_out(app: Flask, tenant: Tenant, name: str, mobile: str, db: Session) -> Application:
    """An address change (moving out) filed at the kiosk by `name`, `mobile`."""
    terminal = Terminal(app.test_client())
    terminal.pick_company("address", tenant.id, applicant_name=name, applicant_mobile=mobile)
    for path, fields in (
        ("/address/destination", {"destination": "moving_out"}),
        ("/address/new-address", {"new_address": "湖南省长沙市岳麓区麓谷大道1号"}),
        ("/address/effective", {"effective": (utcnow() + timedelta(days=3)).date().isoformat()}),
    ):
        assert terminal.answer(path, **fields).status_code == 303, path
    html = terminal.page("/address/check").get_data(as_text=True)
    assert name in html and mobile.replace(" ", "") in html
    assert terminal.client.post("/address/check", data=Terminal.check_form(html)).status_code == 303
    db.commit()  # a fresh read: the kiosk wrote in its own session
    return db.scalars(select(Application).order_by(Application.id.desc())).first()  # type: ignore[return-value]


def test_an_applicant_nobody_knows_is_flagged_for_staff(
    app: Flask, db: Session, signed_in: Admin, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("长沙甲乙科技有限公司")
    first = _move_out(app, tenant, "王五", "13700001111", db)
    html = signed_in.text(f"/admin/applications/{first.id}")
    assert 'data-applicant="none_on_record"' in html and "no contact on record" in html
    assert "王五 · 13700001111" in html

    # Staff approved an earlier change 李雷 applied for: the company now knows 李雷.
    first.status = ApplicationStatus.REJECTED  # a refused application records nobody
    db.commit()
    known = _move_out(app, tenant, "李雷", "139 1234 5678", db)
    known.status = ApplicationStatus.APPROVED
    db.commit()
    stranger = _move_out(app, tenant, "赵六", "13600002222", db)
    again = _move_out(app, tenant, "李雷", "13912345678", db)
    db.commit()

    html = signed_in.text(f"/admin/applications/{stranger.id}")
    assert 'data-applicant="unknown"' in html and "not the company’s recorded contact" in html
    assert "李雷 · 13912345678" in html and known.reference in html  # whom the company knows
    html = signed_in.text(f"/admin/applications/{again.id}")
    assert 'data-applicant="known"' in html, html[html.find("Who applied") :][:1500]


def test_the_licence_names_the_legal_representative_on_record(
    app: Flask, db: Session, signed_in: Admin, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("长沙丙丁科技有限公司")
    with app.test_request_context():
        licences.issue(
            db, app.config["KIOSK"], tenant,
            licences.LicenceFacts("丙丁", "有限责任公司", "孙七", 10**6, "旧址", "软件开发。"),
            application=None, established=utcnow().date(), now=utcnow(),
        )  # fmt: skip
        db.commit()
    application = _move_out(app, tenant, "王五", "13700001111", db)
    html = signed_in.text(f"/admin/applications/{application.id}")
    assert 'data-applicant="unknown"' in html
    assert "Legal representative on the licence: 孙七" in html
