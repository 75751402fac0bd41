"""Staff limited to one building see that building's appeals and applications only."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.models import Appeal, Role, Staff
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from tests.conftest import STAFF_PASSWORD, AuthActions


def test_a_building_officer_sees_only_their_building(
    make_app: Callable[..., Flask],
    app: Flask,
    db: Session,
    client: FlaskClient,
    auth: AuthActions,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    ours = make_appeal(description="本楼宇的诉求：门禁卡办理太慢。")
    other_app = make_app(building="b-tower")
    with other_app.app_context():
        from kiosk.services.appeals import AppealDraft, submit_appeal

        draft = AppealDraft(
            submission_key="other-building-submission", tenant_id=None,
            company_name="长沙别楼有限公司",
            company_uscc="", category="policy", description="别的楼宇的诉求：停车难。",
            contact_name="李四", contact_mobile="13912345678", locale="zh_CN",
        )  # fmt: skip
        with other_app.test_request_context():
            theirs = submit_appeal(db, other_app.config["KIOSK"], draft)
    create_staff(
        db, "demo-officer", "本楼专员", STAFF_PASSWORD, Role.STAFF, Actor(None, "test"),
        unit_code="demo",
    )  # fmt: skip
    auth.sign_in("demo-officer")
    listed = client.get("/admin/appeals").get_data(as_text=True)
    assert ours.reference in listed and theirs.reference not in listed
    assert client.get(f"/admin/appeals/{ours.reference}").status_code == 200
    assert client.get(f"/admin/appeals/{theirs.reference}").status_code == 404
    auth.sign_out()

    make_staff("city-officer")  # no building: the whole city
    auth.sign_in("city-officer")
    listed = client.get("/admin/appeals").get_data(as_text=True)
    assert ours.reference in listed and theirs.reference in listed
    assert client.get(f"/admin/appeals/{theirs.reference}").status_code == 200
