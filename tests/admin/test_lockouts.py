"""Lock-outs seen from the admin: a locked account answers as an unknown one, locks are
audited with where they came from, and a supervisor unlocks them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import AttemptCounter, AuditLog, Role, Staff
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token


@pytest.fixture
def verifies(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every argon2 verification made, by the hash it was made against."""
    made: list[str] = []
    real = PasswordHasher.verify

    def counted(self: PasswordHasher, hash_: str | bytes, password: str | bytes) -> bool:
        made.append(str(hash_))
        return real(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    yield made


def _lock(app: Flask, username: str, tries: int = 5) -> Admin:
    """Five wrong passwords for `username` from one browser (so the account waits)."""
    guesser = Admin(app.test_client())
    for _ in range(tries):
        assert guesser.sign_in(username, "not the password!").status_code == 401
    return guesser


def _answer(admin: Admin, username: str) -> tuple[int, str]:
    response = admin.sign_in(username)
    html = response.get_data(as_text=True).replace(f'value="{username}"', 'value="…"')
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)
    return response.status_code, re.sub(r'value="[A-Za-z0-9._-]{40,}"', "", html)


def test_a_locked_account_answers_as_an_unknown_one_after_one_argon2_verify_each(
    app: Flask, officer: Staff, verifies: list[str]
) -> None:
    _lock(app, "officer")
    verifies.clear()
    locked = _answer(Admin(app.test_client()), "officer")  # the right password, still refused
    assert len(verifies) == 1 and verifies[0] != officer.password_hash  # a dummy, not checked
    unknown = _answer(Admin(app.test_client()), "nobody")
    assert len(verifies) == 2
    assert locked == unknown
    assert locked[0] == 401 and "The username or password is not right." in locked[1]
    assert "supervisor can unlock it" in locked[1]


def test_the_browser_that_typed_the_wrong_passwords_is_told_it_waits(
    app: Flask, officer: Staff
) -> None:
    guesser = _lock(app, "officer")
    response = guesser.sign_in("officer")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Too many failed sign-ins from this browser. Try again in 1 min." in html
    # The same words whatever name it tries next: the wait is the browser's, not the account's.
    assert _answer(guesser, "nobody")[1] == _answer(guesser, "officer")[1]


def test_a_lock_is_audited_with_who_and_from_where(app: Flask, officer: Staff, db: Session) -> None:
    _lock(app, "officer")
    entries = {e.action: e for e in db.scalars(select(AuditLog).where(AuditLog.staff_id.is_(None)))}
    account, visit = entries["staff.locked"], entries["session.locked"]
    assert account.target_type == "staff" and account.target_id == "officer"
    assert account.remote_addr == "127.0.0.1"
    detail = account.detail
    assert detail["kiosk"] == app.config["KIOSK"].id and len(detail["session"]) == 8
    assert detail["minutes"] == 1 and detail["tries"] == 5 and detail["known"] is True
    assert detail["what"] == "sign-in"
    assert visit.target_id == detail["session"] and visit.detail["key"] == "sign-in:officer"


def test_an_unknown_name_is_locked_and_audited_like_an_account(
    app: Flask, officer: Staff, db: Session
) -> None:
    _lock(app, "nobody")
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "staff.locked")).one()
    assert entry.target_id == "nobody" and entry.detail["known"] is False


def test_a_supervisor_unlocks_an_account_from_the_admin(
    app: Flask, officer: Staff, supervisor: Staff, db: Session
) -> None:
    _lock(app, "officer")
    assert Admin(app.test_client()).sign_in("officer").status_code == 401
    chief = Admin(app.test_client())
    assert chief.sign_in("chief").status_code == 303
    html = chief.text("/admin/lock-outs")
    assert 'data-lockout="sign-in:officer"' in html and "Staff sign-in" in html
    assert 'href="/admin/lock-outs"' in html  # in the menu
    assert "127.0.0.1" in html and f"Kiosk {app.config['KIOSK'].id}, session " in html
    # Without the page's CSRF token nothing is unlocked.
    refused = chief.client.post("/admin/lock-outs/unlock", data={"key": "sign-in:officer"})
    assert refused.status_code in (302, 303, 400)
    assert Admin(app.test_client()).sign_in("officer").status_code == 401
    response = chief.client.post(
        "/admin/lock-outs/unlock", data={"key": "sign-in:officer", "csrf_token": csrf_token(html)}
    )
    assert "Unlocked" in chief.flash(response)
    assert Admin(app.test_client()).sign_in("officer").status_code == 303
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "staff.unlocked")).one()
    assert entry.staff_id == supervisor.id and entry.target_id == "officer"
    assert entry.remote_addr == "127.0.0.1"
    again = chief.client.post(
        "/admin/lock-outs/unlock", data={"key": "sign-in:officer", "csrf_token": csrf_token(html)}
    )
    assert "already over" in chief.flash(again)


def test_plain_staff_cannot_see_or_lift_lock_outs(
    app: Flask, officer: Staff, make_staff: Callable[..., Staff], db: Session
) -> None:
    make_staff("other", Role.STAFF)
    _lock(app, "other")
    staff = Admin(app.test_client())
    assert staff.sign_in("officer").status_code == 303
    assert staff.get("/admin/lock-outs").status_code == 403
    html = staff.text("/admin/appeals")
    assert 'href="/admin/lock-outs"' not in html
    response = staff.client.post(
        "/admin/lock-outs/unlock", data={"key": "sign-in:other", "csrf_token": csrf_token(html)}
    )
    assert response.status_code == 303
    assert "You do not have access to this page." in staff.text("/admin/appeals")
    assert db.get(AttemptCounter, "sign-in:other") is not None


def test_a_supervisor_limited_to_a_building_sees_only_its_staff(
    app: Flask, make_staff: Callable[..., Staff], db: Session
) -> None:
    from kiosk.services.audit import Actor
    from kiosk.services.staff import create_staff
    from tests.conftest import STAFF_PASSWORD

    create_staff(db, "here", "Here", STAFF_PASSWORD, Role.STAFF, Actor(None), "demo")
    create_staff(db, "there", "There", STAFF_PASSWORD, Role.STAFF, Actor(None), "tower-2")
    create_staff(db, "local-chief", "Local", STAFF_PASSWORD, Role.SUPERVISOR, Actor(None), "demo")
    _lock(app, "here")
    _lock(app, "there")
    chief = Admin(app.test_client())
    assert chief.sign_in("local-chief").status_code == 303
    html = chief.text("/admin/lock-outs")
    assert 'data-lockout="sign-in:here"' in html
    assert "sign-in:there" not in html and "session:" not in html
    response = chief.client.post(
        "/admin/lock-outs/unlock", data={"key": "sign-in:there", "csrf_token": csrf_token(html)}
    )
    assert "already over" in chief.flash(response)
    assert db.get(AttemptCounter, "sign-in:there") is not None
