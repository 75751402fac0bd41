"""Phone pages speak the tenant's language: the one chosen on the phone, else the one the record
was submitted in, else the phone's Accept-Language; a 中文 / English switch on every page."""

from __future__ import annotations

import html as html_lib
import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.i18n import PHONE_COOKIE
from kiosk.models import Appeal, Application, EventSignup, Role, Staff, Tenant
from kiosk.services import appeals, applications, events, licences
from kiosk.services.audit import Actor
from kiosk.services.events import EventDraft, SignupDraft
from tests.support.pages import csrf_token

ZH_APPEAL, EN_APPEAL = "您的诉求", "Your appeal"


def _get(client: FlaskClient, url: str, **headers: str) -> tuple[str, object]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    return html_lib.unescape(response.get_data(as_text=True)), response


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_an_appeal_is_shown_in_the_language_it_was_submitted_in(
    client: FlaskClient, make_appeal: Callable[..., Appeal]
) -> None:
    english, chinese = make_appeal(locale="en"), make_appeal(locale="zh_CN")
    page, _ = _get(client, f"/status/{english.token}")
    assert EN_APPEAL in page and ZH_APPEAL not in page and _lang(page) == "en"
    # The record wins over the phone's languages: the tenant wrote it in that language.
    page, _ = _get(client, f"/status/{chinese.token}", **{"Accept-Language": "en-US,en;q=0.9"})
    assert ZH_APPEAL in page and _lang(page) == "zh-Hans"


def test_without_a_record_the_phone_s_accept_language_decides(
    client: FlaskClient, make_appeal: Callable[..., Appeal]
) -> None:
    response = client.get("/status/no-such-token", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert response.status_code == 404
    assert _lang(response.get_data(as_text=True)) == "en"
    for header in ("zh-TW,zh;q=0.9,en;q=0.5", "fr-FR,fr;q=0.9", ""):
        response = client.get("/status/no-such-token", headers={"Accept-Language": header})
        assert _lang(response.get_data(as_text=True)) == "zh-Hans", header


def test_the_switch_changes_the_language_and_the_choice_sticks(
    client: FlaskClient, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal(locale="zh_CN")
    page, _ = _get(client, f"/status/{appeal.token}")
    assert 'data-lang="zh_CN"' in page and 'aria-current="true">中文' in page
    assert f'href="/status/{appeal.token}?lang=en"' in page
    page, response = _get(client, f"/status/{appeal.token}?lang=en")
    assert EN_APPEAL in page and _lang(page) == "en"
    cookie = response.headers["Set-Cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith(f"{PHONE_COOKIE}=en;") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    page, _ = _get(client, f"/status/{appeal.token}")  # no parameter: the cookie remembers
    assert EN_APPEAL in page and 'aria-current="true">English' in page
    page, _ = _get(client, f"/status/{appeal.token}?lang=zh_CN")
    assert ZH_APPEAL in page
    page, _ = _get(client, f"/status/{appeal.token}?lang=klingon")  # ignored, not an error
    assert ZH_APPEAL in page


def test_a_refused_rating_keeps_the_language_and_switches_on_the_status_page(
    client: FlaskClient,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    appeal = make_appeal(locale="en")
    appeals.resolve(db, appeal.id, "Done.", Actor(make_staff("officer", Role.STAFF), "test"))
    page, _ = _get(client, f"/status/{appeal.token}")
    response = client.post(f"/status/{appeal.token}/rate", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 400
    page = html_lib.unescape(response.get_data(as_text=True))
    assert "Choose how satisfied you are." in page
    assert f'href="/status/{appeal.token}?lang=zh_CN"' in page  # not the POST-only address


def test_the_admin_and_the_terminal_ignore_the_phone_s_cookie(
    client: FlaskClient, make_appeal: Callable[..., Appeal]
) -> None:
    client.get(f"/status/{make_appeal().token}?lang=en")
    assert _lang(client.get("/").get_data(as_text=True)) == "zh-Hans"


@pytest.fixture
def tenant(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant("长沙语言测试有限公司")


def _application(app: Flask, db: Session, tenant: Tenant, locale: str) -> Application:
    draft = applications.Draft(
        task="union",
        reference_prefix="GH",
        submission_key=uuid.uuid4().hex,
        answers={"employees": 18, "members": 12, "route": "joint_union"},
        company_name=tenant.name,
        company_uscc=tenant.uscc,
        tenant_id=tenant.id,
        locale=locale,
    )
    with app.test_request_context():
        return applications.submit(db, app.config["KIOSK"], draft)


def test_an_application_s_status_page_follows_its_submission(
    app: Flask, client: FlaskClient, db: Session, tenant: Tenant
) -> None:
    english = _application(app, db, tenant, "en")
    chinese = _application(app, db, tenant, "zh_CN")
    page, _ = _get(client, f"/applications/{english.token}")
    assert _lang(page) == "en" and "Submitted" in page
    page, _ = _get(client, f"/applications/{chinese.token}", **{"Accept-Language": "en"})
    assert _lang(page) == "zh-Hans"
    page, _ = _get(client, f"/applications/{chinese.token}?lang=en")
    assert _lang(page) == "en"


def _signup(app: Flask, db: Session, locale: str) -> EventSignup:
    starts = utcnow() + timedelta(days=2)
    draft = EventDraft("招聘会", "other", starts, starts + timedelta(hours=4), "1F 大堂", "", 5)
    event = events.publish(db, "demo", draft, Actor(None, "test"))
    signup = SignupDraft(uuid.uuid4().hex, event.id, None, "甲公司", "甲", "13812345678", locale)
    return events.sign_up(db, app.config["KIOSK"], signup)


def test_a_sign_up_s_status_page_follows_its_submission(
    app: Flask, client: FlaskClient, db: Session, building: object
) -> None:
    page, _ = _get(client, f"/signups/{_signup(app, db, 'en').token}")
    assert _lang(page) == "en"
    page, _ = _get(client, f"/signups/{_signup(app, db, 'zh_CN').token}")
    assert _lang(page) == "zh-Hans"


def test_a_licence_check_speaks_the_phone_s_language(
    app: Flask, client: FlaskClient, db: Session, tenant: Tenant
) -> None:
    facts = licences.LicenceFacts(
        tenant.name, "有限责任公司", "张三", Decimal(100000), "1202 室", "软件开发"
    )
    licence = licences.issue(
        db,
        app.config["KIOSK"],
        tenant,
        facts,
        application=None,
        established=date(2026, 1, 5),
        now=utcnow(),
    )
    db.commit()
    url = f"/licence/{licence.verify_token}"
    page, _ = _get(client, url, **{"Accept-Language": "en-US,en;q=0.9"})
    assert "Genuine and current" in page and _lang(page) == "en"
    page, _ = _get(client, url)
    assert "真实有效" in page
