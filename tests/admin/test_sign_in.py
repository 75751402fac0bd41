"""Signing in and out of the admin: lock-out, safe redirects, idle expiry, default-deny."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Appeal, AuditLog, Role, Staff, WebSession
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token


def test_sign_in_shows_who_is_signed_in_and_the_figures(
    admin: Admin, officer: Staff, db: Session
) -> None:
    response = admin.sign_in("officer")
    assert response.status_code == 303 and response.location == "/admin/dashboard"
    html = admin.text("/admin/appeals")
    assert 'data-signed-in="officer"' in html and "Li Officer" in html
    assert 'action="/admin/sign-out"' in html and "Sign out" in html
    assert db.scalar(select(AuditLog.action).where(AuditLog.action == "staff.sign_in")) is not None


def test_front_door_redirects_to_the_figures(signed_in: Admin) -> None:
    response = signed_in.get("/admin/")
    assert response.status_code == 302 and response.location == "/admin/dashboard"


def test_sign_in_takes_a_new_session_id(admin: Admin, officer: Staff) -> None:
    admin.text("/admin/sign-in")
    before = admin.client.get_cookie("kiosk_session")
    assert before is not None
    admin.sign_in("officer")
    after = admin.client.get_cookie("kiosk_session")
    assert after is not None and after.value != before.value


@pytest.mark.parametrize(
    ("username", "password"), [("officer", "wrong password!"), ("nobody", "whatever12345")]
)
def test_wrong_username_or_password_gets_one_generic_message(
    admin: Admin, officer: Staff, username: str, password: str
) -> None:
    response = admin.sign_in(username, password)
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "The username or password is not right." in html
    assert f'value="{username}"' in html  # the username is kept, the password is not
    assert password not in html
    assert admin.get("/admin/appeals").status_code == 302


def test_empty_fields_are_named(admin: Admin, officer: Staff) -> None:
    response = admin.sign_in("", "")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your username." in html and "Enter your password." in html


def test_lock_out_after_too_many_failures_refuses_even_the_right_password(
    make_app: Callable[..., Flask], make_staff: Callable[..., Staff]
) -> None:
    app = make_app(default_locale="en", login_max_failures=3, login_lockout_minutes=15)
    make_staff("officer")
    admin = Admin(app.test_client())
    for _attempt in range(3):
        assert admin.sign_in("officer", "not the password").status_code == 401
    response = admin.sign_in("officer")
    assert response.status_code == 401
    # This browser is told it waits (the first wait is a minute); the account waits too,
    # so another browser with the right password is refused, in the words of a wrong one.
    assert "Too many failed sign-ins from this browser. Try again in 1 min." in response.get_data(
        as_text=True
    )
    assert admin.get("/admin/appeals").status_code == 302
    other = Admin(app.test_client())
    response = other.sign_in("officer")
    assert response.status_code == 401
    assert "The username or password is not right." in response.get_data(as_text=True)
    assert other.get("/admin/appeals").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/admin/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/x",
    ],
)
def test_next_never_leaves_the_site(admin: Admin, officer: Staff, target: str) -> None:
    response = admin.sign_in("officer", next=target)
    assert response.status_code == 303 and response.location == "/admin/dashboard"


def test_next_takes_the_person_back_where_they_were_going(
    admin: Admin, officer: Staff, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    refused = admin.get(f"/admin/appeals/{appeal.reference}")
    assert refused.status_code == 302
    assert refused.location == f"/admin/sign-in?next=/admin/appeals/{appeal.reference}"
    response = admin.sign_in("officer", next=f"/admin/appeals/{appeal.reference}")
    assert response.location == f"/admin/appeals/{appeal.reference}"


def test_sign_out_ends_the_session(signed_in: Admin) -> None:
    response = signed_in.sign_out()
    assert response.status_code == 303 and response.location == "/admin/sign-in"
    assert "You have signed out." in signed_in.text("/admin/sign-in")
    assert signed_in.get("/admin/appeals").status_code == 302


def test_sign_out_needs_the_csrf_token(signed_in: Admin) -> None:
    assert signed_in.client.post("/admin/sign-out").status_code == 400
    assert signed_in.get("/admin/appeals").status_code == 200


def _session_row(db: Session) -> WebSession:
    row = db.scalars(select(WebSession).order_by(WebSession.expires_at.desc())).first()
    assert row is not None
    return row


def test_staff_session_expires_after_the_idle_minutes(
    make_app: Callable[..., Flask], make_staff: Callable[..., Staff], db: Session
) -> None:
    app = make_app(default_locale="en", staff_idle_minutes=1)
    make_staff("officer")
    admin = Admin(app.test_client())
    admin.sign_in("officer")
    admin.text("/admin/appeals")
    row = _session_row(db)
    lifetime = row.expires_at - utcnow()
    assert timedelta(seconds=50) < lifetime <= timedelta(minutes=1)
    # 61 seconds pass without a request.
    db.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    response = admin.get("/admin/appeals")
    assert response.status_code == 302 and response.location.startswith("/admin/sign-in")


def test_staff_sessions_outlive_the_terminals_short_idle(signed_in: Admin, db: Session) -> None:
    signed_in.text("/admin/appeals")
    assert _session_row(db).expires_at - utcnow() > timedelta(minutes=29)


def _get_routes(app: Flask) -> list[str]:
    return [
        re.sub(
            r"<int:[^>]+>",
            "1",
            rule.rule.replace("<reference>", "SQ-20261124-0001").replace("<kiosk_id>", "a-1"),
        )
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
        and "GET" in (rule.methods or ())
        and rule.endpoint != "admin.sign_in"
    ]


def test_every_admin_page_sends_strangers_to_sign_in(app: Flask, admin: Admin) -> None:
    paths = _get_routes(app)
    assert {"/admin/", "/admin/appeals", "/admin/appeals/export", "/admin/audit"} <= set(paths)
    for path in paths:
        response = admin.get(path)
        assert response.status_code == 302, path
        assert response.location == f"/admin/sign-in?next={path}", path


def test_every_admin_view_declares_who_may_use_it_and_urls_are_kebab_case(app: Flask) -> None:
    import re

    from kiosk.access import ACCESS_ATTR, PUBLIC

    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None)
        assert access == PUBLIC or isinstance(access, Role), rule.endpoint
        if access == PUBLIC:
            assert rule.endpoint in ("admin.sign_in", "admin.sign_out"), rule.endpoint
        static = re.sub(r"<[^>]+>", "x", rule.rule)
        assert re.fullmatch(r"[a-z0-9/-]+", static), rule.rule


def test_sign_in_page_redirects_someone_already_signed_in(signed_in: Admin) -> None:
    response = signed_in.get("/admin/sign-in", next="/admin/audit")
    assert response.status_code == 302 and response.location == "/admin/audit"


def test_expired_sign_in_form_is_shown_again(admin: Admin, officer: Staff) -> None:
    admin.text("/admin/sign-in")
    response = admin.client.post("/admin/sign-in", data={"username": "officer", "password": "x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This page had expired" in html
    assert csrf_token(html)


def test_language_switch_stays_on_the_admin_page(signed_in: Admin) -> None:
    html = signed_in.text("/admin/appeals", status="new")
    assert 'name="next" value="/admin/appeals?status=new"' in html
    response = signed_in.client.post(
        "/language",
        data={
            "locale": "zh_CN",
            "next": "/admin/appeals?status=new",
            "csrf_token": csrf_token(html),
        },
    )
    assert response.location == "/admin/appeals?status=new"
    assert '<html lang="zh-Hans">' in signed_in.text("/admin/appeals")
