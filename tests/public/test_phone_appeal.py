"""The phone's appeal form (the complaint QR): the code goes out once through the SMS provider,
wrong codes are counted to a lock-out, an old code expires, resends are limited per number and
per address, and a right code files the appeal with source "phone"."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Appeal, Building, Notification, PhoneCode, Source, Tenant
from kiosk.services import phone_appeals
from kiosk.services.notify import NotifyWorker
from tests.services.notify.conftest import sms_settings
from tests.support.fake_sms import FakeSms
from tests.support.pages import csrf_token

FORM = "/phone-appeal/demo"


@pytest.fixture
def fake_sms() -> Iterator[FakeSms]:
    fake = FakeSms().start()
    yield fake
    fake.stop()


@pytest.fixture
def app(make_app: Callable[..., Flask], fake_sms: FakeSms) -> Flask:
    """The app, its SMS through the fake provider (checked as the provider checks)."""
    return make_app(**sms_settings(fake_sms))


@pytest.fixture
def phone(app: Flask, building: Building) -> FlaskClient:
    return app.test_client()


def _answers(phone: FlaskClient, **values: str) -> dict[str, str]:
    token = csrf_token(phone.get(FORM).get_data(as_text=True))
    return {
        "csrf_token": token, "company": "other", "company_name": "长沙小米粒文化传媒有限公司",
        "category": "property", "description": "大楼电梯早高峰排队二十分钟。",
        "contact_name": "赵六", "contact_mobile": "13912345678", **values,
    }  # fmt: skip


def _start(phone: FlaskClient, **values: str) -> str:
    answer = phone.post(FORM, data=_answers(phone, **values))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return answer.headers["Location"].rsplit("/", 1)[-1]


def _codes(app: Flask, fake: FakeSms) -> list[str]:
    """Send what waits in the outbox; the codes the phone received, in order."""
    NotifyWorker(app).run_once()
    return [json.loads(m["TemplateParam"])["code"] for m in fake.received]


def _confirm(phone: FlaskClient, token: str, code: str) -> Any:
    page = phone.get(f"/phone-appeal/confirm/{token}")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "code": code}
    return phone.post(f"/phone-appeal/confirm/{token}", data=data)


def test_a_right_code_files_the_appeal_with_source_phone(
    app: Flask, db: Session, phone: FlaskClient, fake_sms: FakeSms
) -> None:
    token = _start(phone)
    codes = _codes(app, fake_sms)
    assert len(codes) == 1 and len(codes[0]) == 6 and codes[0].isdigit()
    assert fake_sms.received[0]["PhoneNumbers"] == "13912345678"
    assert _codes(app, fake_sms) == codes  # sent once: nothing more waits
    row = db.scalar(select(PhoneCode).where(PhoneCode.token == token))
    assert row is not None and codes[0] not in row.code_hash  # kept as an HMAC only
    sent = db.scalar(select(Notification).where(Notification.template == "phone_code"))
    assert sent is not None and "code" not in sent.params  # scrubbed once it has gone

    answer = _confirm(phone, token, codes[0])
    assert answer.status_code == 303
    db.rollback()  # end the read: see what the request wrote
    appeal = db.scalar(select(Appeal))
    assert appeal is not None and appeal.source is Source.PHONE
    assert answer.headers["Location"].endswith(f"/status/{appeal.token}")
    assert (appeal.building_code, appeal.company_name) == ("demo", "长沙小米粒文化传媒有限公司")
    assert appeal.contact_mobile == "13912345678" and appeal.kiosk_id == ""
    assert phone.get(answer.headers["Location"]).status_code == 200
    # the link is used: a second post files nothing more
    assert _confirm_status(phone, token) == 404
    db.rollback()
    assert db.scalar(select(PhoneCode.draft).where(PhoneCode.token == token)) == {}


def _confirm_status(phone: FlaskClient, token: str) -> int:
    return phone.get(f"/phone-appeal/confirm/{token}").status_code


def test_a_company_picked_from_the_building_is_linked(
    app: Flask,
    db: Session,
    phone: FlaskClient,
    fake_sms: FakeSms,
    make_tenant: Callable[..., Tenant],
) -> None:
    tenant = make_tenant("长沙芙蓉软件有限公司")
    assert "长沙芙蓉软件有限公司" in phone.get(FORM).get_data(as_text=True)
    token = _start(phone, company=str(tenant.id), company_name="")
    assert _confirm(phone, token, _codes(app, fake_sms)[0]).status_code == 303
    appeal = db.scalar(select(Appeal))
    assert appeal is not None and (appeal.tenant_id, appeal.company_uscc) == (
        tenant.id,
        tenant.uscc,
    )


def test_wrong_codes_are_counted_to_a_lock_out(
    app: Flask, db: Session, phone: FlaskClient, fake_sms: FakeSms
) -> None:
    token = _start(phone)
    right = _codes(app, fake_sms)[0]
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(4):
        answer = _confirm(phone, token, wrong)
        assert answer.status_code == 400
        assert "验证码不正确" in answer.get_data(as_text=True)
    assert _confirm(phone, token, wrong).status_code == 400  # the fifth starts the wait
    locked = _confirm(phone, token, right)  # even the right code waits now
    assert locked.status_code == 429
    assert db.scalar(select(Appeal)) is None


def test_an_old_code_expires(
    app: Flask, db: Session, phone: FlaskClient, fake_sms: FakeSms
) -> None:
    token = _start(phone)
    code = _codes(app, fake_sms)[0]
    db.execute(
        update(PhoneCode)
        .where(PhoneCode.token == token)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.commit()
    answer = _confirm(phone, token, code)
    assert answer.status_code == 400
    assert db.scalar(select(Appeal)) is None


def test_resends_are_limited_per_number_and_per_address(
    app: Flask, db: Session, phone: FlaskClient, fake_sms: FakeSms
) -> None:
    token = _start(phone)
    page = phone.get(f"/phone-appeal/confirm/{token}").get_data(as_text=True)
    resend = {"csrf_token": csrf_token(page)}
    too_soon = phone.post(f"/phone-appeal/confirm/{token}/resend", data=resend)
    assert too_soon.status_code == 429  # within a minute of the first
    row = db.scalar(select(PhoneCode).where(PhoneCode.token == token))
    assert row is not None
    row.expires_at -= timedelta(minutes=2)  # as if the first code went out two minutes ago
    db.commit()
    assert phone.post(f"/phone-appeal/confirm/{token}/resend", data=resend).status_code == 303
    codes = _codes(app, fake_sms)
    assert len(codes) == 2
    assert _confirm(phone, token, codes[0]).status_code == 400  # the old code stopped working
    _start(phone)  # a third code to the number in the hour
    refused = phone.post(FORM, data=_answers(phone))
    assert refused.status_code == 429  # a fourth is refused
    assert len(_codes(app, fake_sms)) == 3
    for n in range(phone_appeals.PER_ADDRESS - 3):  # other numbers, the same address
        _start(phone, contact_mobile=f"1370000{n:04d}")
    assert phone.post(FORM, data=_answers(phone, contact_mobile="13600000000")).status_code == 429


@pytest.mark.parametrize(
    ("locale", "words"), [("en", "Choose a category."), ("zh_CN", "请选择类别")]
)
def test_wrong_answers_are_named_in_both_languages(
    phone: FlaskClient, db: Session, locale: str, words: str
) -> None:
    phone.get(f"{FORM}?lang={locale}")
    answer = phone.post(
        FORM, data=_answers(phone, category="", contact_mobile="123", description="")
    )
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert words in html and html.count('class="field__error"') == 3
    assert db.scalar(select(PhoneCode)) is None


def test_the_terminals_complaint_qr_opens_the_phone_form(app: Flask) -> None:
    with app.test_request_context():
        from kiosk.public.phone import complaint_link

        assert complaint_link().endswith("/phone-appeal/demo")


def test_another_buildings_code_is_not_found(phone: FlaskClient) -> None:
    assert phone.get("/phone-appeal/nowhere").status_code == 404
