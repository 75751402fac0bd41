"""Staff accounts kept in the admin: creating, deactivating, one-time passwords, own passwords,
the second factor, and the staff list."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from kiosk.models import AuditLog, Building, Role, Staff
from tests.admin.conftest import Admin
from tests.conftest import STAFF_PASSWORD
from tests.support.pages import csrf_token

GOOD = "walnut copper lantern brisk"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The admin in English, with the second factor required of administrators."""
    return make_app(default_locale="en", admin_second_factor=True)


@pytest.fixture
def boss(make_staff: Callable[..., Staff], db: Session) -> Staff:
    """An administrator who has enrolled a second factor already."""
    staff = make_staff("boss", Role.ADMIN, "Zhao Boss")
    staff.totp_secret = pyotp.random_base32(32)
    db.commit()
    return staff


def _code(secret: str, ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(time.time()) + 30 * ahead)


def _as_boss(app: Flask, boss: Staff) -> Admin:
    admin = Admin(app.test_client())
    assert admin.sign_in("boss").location == "/admin/sign-in"
    assert _post(admin, "/admin/sign-in", code=_code(str(boss.totp_secret))).status_code == 303
    return admin


def _send(admin: Admin, page: str, path: str, **data: str) -> TestResponse:
    """Post to `path` with the CSRF token of `page`."""
    token = csrf_token(admin.text(page))
    return admin.client.post(path, data={"csrf_token": token, **data})


def _post(admin: Admin, path: str, **data: str) -> TestResponse:
    """Post the form of the page at `path`."""
    return _send(admin, path, path, **data)


def _create(admin: Admin, **fields: str) -> tuple[int, str]:
    response = _send(admin, "/admin/staff/new", "/admin/staff/new", **fields)
    html = response.get_data(as_text=True)
    found = re.search(r"data-one-time-password><code lang=\"en\">([a-z0-9-]+)<", html)
    return response.status_code, found.group(1) if found else html


def test_an_admin_creates_an_account_whose_one_time_password_must_be_changed_first(
    app: Flask, boss: Staff, db: Session, building: Building
) -> None:
    admin = _as_boss(app, boss)
    status, password = _create(
        admin, username="Xiao-Li", display_name="Xiao Li", role="staff", unit="demo"
    )
    assert status == 201 and re.fullmatch(r"([a-z0-9]{4}-){3}[a-z0-9]{4}", password)
    made = db.scalar(select(Staff).where(Staff.username == "xiao-li"))
    assert (
        made is not None
        and made.must_change_password
        and made.unit is not None
        and made.unit.code == "demo"
    )
    assert password not in made.password_hash
    newcomer = Admin(app.test_client())
    assert newcomer.sign_in("xiao-li", password).status_code == 303
    for page in ("/admin/appeals", "/admin/printers", "/admin/account/second-factor"):
        assert newcomer.get(page).location == "/admin/account/password", page
    assert "You signed in with a one-time password" in newcomer.text("/admin/account/password")
    changed = _post(
        newcomer,
        "/admin/account/password",
        current_password=password,
        new_password=GOOD,
        repeat=GOOD,
    )
    assert changed.status_code == 303
    assert newcomer.get("/admin/appeals").status_code == 200
    db.rollback()
    assert not db.get(Staff, made.id).must_change_password  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "Use at least 12 characters."),
        ("officer12345", "too easy to guess"),
        ("password1234", "too easy to guess"),
        ("qwertyuiop123", "too easy to guess"),
        ("Officer", "Use at least 12 characters."),
        ("li officer li", "too easy to guess"),
        ("楼宇政务服务驿站", "Use at least 12 characters."),
        ("楼宇政务服务驿站楼宇政务服务驿站", "too easy to guess"),
    ],
)
def test_weak_common_and_own_name_passwords_are_refused_with_a_clear_message(
    signed_in: Admin, password: str, message: str
) -> None:
    response = _post(
        signed_in,
        "/admin/account/password",
        current_password=STAFF_PASSWORD,
        new_password=password,
        repeat=password,
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_username_itself_is_refused(signed_in: Admin, make_staff: Callable[..., Staff]) -> None:
    make_staff("longusername1", Role.STAFF)
    other = Admin(signed_in.client.application.test_client())
    other.sign_in("longusername1")
    response = _post(
        other,
        "/admin/account/password",
        current_password=STAFF_PASSWORD,
        new_password="longusername1",
        repeat="longusername1",
    )
    assert response.status_code == 400
    assert "Do not use your username" in response.get_data(as_text=True)


def test_changing_a_password_needs_the_current_one(signed_in: Admin) -> None:
    response = _post(
        signed_in,
        "/admin/account/password",
        current_password="wrong one!",
        new_password=GOOD,
        repeat=GOOD,
    )
    assert response.status_code == 400
    assert "That is not your current password." in response.get_data(as_text=True)


def test_wrong_current_passwords_count_towards_the_accounts_lock_out(
    app: Flask, signed_in: Admin
) -> None:
    for _ in range(5):
        wrong = _post(
            signed_in,
            "/admin/account/password",
            current_password="not it at all",
            new_password=GOOD,
            repeat=GOOD,
        )
        assert wrong.status_code == 400
    assert Admin(app.test_client()).sign_in("officer").status_code == 401  # the account waits


def test_a_deactivated_accounts_existing_session_is_refused_on_its_next_request(
    app: Flask, boss: Staff, signed_in: Admin, officer: Staff, db: Session
) -> None:
    assert signed_in.get("/admin/appeals").status_code == 200
    admin = _as_boss(app, boss)
    page = f"/admin/staff/{officer.id}"
    assert _send(admin, page, f"{page}/deactivate").status_code == 303
    assert signed_in.get("/admin/appeals").location.startswith("/admin/sign-in")
    assert signed_in.sign_in("officer").status_code == 401
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "staff.deactivate"))
    assert entry is not None and entry.detail == {"active": [True, False]}
    assert "Yes → No" in admin.text("/admin/audit")
    assert _send(admin, page, f"{page}/reactivate").status_code == 303
    assert Admin(app.test_client()).sign_in("officer").status_code == 303


def test_a_reset_ends_sessions_and_its_one_time_password_must_be_changed(
    app: Flask, boss: Staff, signed_in: Admin, officer: Staff
) -> None:
    admin = _as_boss(app, boss)
    page = f"/admin/staff/{officer.id}"
    response = _send(admin, page, f"{page}/reset-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    found = re.search(r"<code lang=\"en\">([a-z0-9-]+)<", response.get_data(as_text=True))
    assert found is not None
    assert signed_in.get("/admin/appeals").location.startswith("/admin/sign-in")
    assert signed_in.sign_in("officer").status_code == 401  # the old password is gone
    assert signed_in.sign_in("officer", found.group(1)).status_code == 303
    assert signed_in.get("/admin/appeals").location == "/admin/account/password"


def test_an_admin_cannot_deactivate_or_reset_themselves(app: Flask, boss: Staff) -> None:
    admin = _as_boss(app, boss)
    page = f"/admin/staff/{boss.id}"
    for action in ("deactivate", "reset-second-factor"):
        assert admin.flash(_send(admin, page, f"{page}/{action}"))
    assert admin.get("/admin/appeals").status_code == 200  # still active, still enrolled


def test_an_admin_without_a_second_factor_is_sent_to_enrol(
    app: Flask, make_staff: Callable[..., Staff], db: Session
) -> None:
    make_staff("newboss", Role.ADMIN)
    admin = Admin(app.test_client())
    assert admin.sign_in("newboss").status_code == 303
    assert admin.get("/admin/appeals").location == "/admin/account/second-factor"
    html = admin.text("/admin/account/second-factor")
    assert "Administrators must use a second factor" in html and "<svg" in html
    secret = re.search(r"data-secret>([A-Z2-7]+)<", html).group(1)  # type: ignore[union-attr]
    wrong = admin.client.post(
        "/admin/account/second-factor", data={"csrf_token": csrf_token(html), "code": "000000"}
    )
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    right = admin.client.post(
        "/admin/account/second-factor",
        data={"csrf_token": csrf_token(html), "code": _code(secret)},
    )
    codes = re.findall(
        r"<code lang=\"en\">([a-z0-9]{4}-[a-z0-9]{4})<", right.get_data(as_text=True)
    )
    assert right.status_code == 200 and len(codes) == 10
    assert admin.get("/admin/appeals").status_code == 200
    stored = db.scalar(select(Staff).where(Staff.username == "newboss"))
    assert stored is not None and stored.totp_secret == secret
    assert all(code not in stored.recovery_hashes for code in codes)


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_or_replayed_one(
    app: Flask, boss: Staff
) -> None:
    secret = str(boss.totp_secret)
    admin = Admin(app.test_client())
    assert admin.sign_in("boss").location == "/admin/sign-in"
    assert admin.get("/admin/appeals").location.startswith("/admin/sign-in")  # not signed in
    assert "Your second factor" in admin.text("/admin/sign-in")
    wrong = _post(admin, "/admin/sign-in", code="123456" if _code(secret) != "123456" else "654321")
    assert wrong.status_code == 401 and "That code is not right" in wrong.get_data(as_text=True)
    code = _code(secret, 1)
    assert _post(admin, "/admin/sign-in", code=code).status_code == 303
    assert admin.get("/admin/appeals").status_code == 200
    again = Admin(app.test_client())
    assert again.sign_in("boss").location == "/admin/sign-in"
    assert _post(again, "/admin/sign-in", code=code).status_code == 401  # replayed


def test_a_recovery_code_works_once(app: Flask, boss: Staff, db: Session) -> None:
    from kiosk.services import second_factor
    from kiosk.services.audit import Actor

    staff = db.get(Staff, boss.id)
    assert staff is not None
    codes = second_factor.confirm(
        db, staff, str(boss.totp_secret), _code(str(boss.totp_secret)), Actor(None, "test")
    )
    first = Admin(app.test_client())
    first.sign_in("boss")
    assert _post(first, "/admin/sign-in", code=codes[0].upper()).status_code == 303
    second = Admin(app.test_client())
    second.sign_in("boss")
    assert _post(second, "/admin/sign-in", code=codes[0]).status_code == 401
    assert _post(second, "/admin/sign-in", code=codes[1]).status_code == 303


def test_wrong_codes_lock_the_account_like_wrong_passwords(
    app: Flask, boss: Staff, db: Session
) -> None:
    # A right password with a wrong code counts twice: the password's try stays counted
    # until its code is right, so knowing the password never clears wrong codes.
    answers = []
    for _ in range(5):
        guesser = Admin(app.test_client())
        if guesser.sign_in("boss").status_code == 401:
            answers.append("refused")
            break
        answers.append(str(_post(guesser, "/admin/sign-in", code="000000").status_code))
    assert answers == ["401", "401", "401", "refused"]  # three wrong codes, then a wait
    late = Admin(app.test_client())
    assert late.sign_in("boss").status_code == 401  # the right password waits too
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "staff.locked"))
    assert entry is not None and entry.target_id == "boss"


def test_another_admin_resets_a_lost_authenticator_audited(
    app: Flask, boss: Staff, make_staff: Callable[..., Staff], db: Session
) -> None:
    other = make_staff("other", Role.ADMIN, "Qian Other")
    other.totp_secret = pyotp.random_base32(32)
    db.commit()
    admin = _as_boss(app, boss)
    page = f"/admin/staff/{other.id}"
    assert "Reset a lost authenticator" in admin.text(page)
    assert _send(admin, page, f"{page}/reset-second-factor").status_code == 303
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "staff.second_factor_reset"))
    assert entry is not None and entry.target_id == "other" and entry.staff_id == boss.id
    assert "Reset a lost second factor" in admin.text("/admin/audit")
    back = Admin(app.test_client())
    assert back.sign_in("other").status_code == 303  # no code asked: it is off
    assert back.get("/admin/appeals").location == "/admin/account/second-factor"


def test_the_staff_list_shows_role_building_sign_in_2fa_lock_and_state(
    app: Flask, boss: Staff, officer: Staff, make_staff: Callable[..., Staff], db: Session
) -> None:
    gone = make_staff("gone", Role.SUPERVISOR, "Sun Gone")
    gone.active = False
    db.commit()
    for _ in range(5):
        Admin(app.test_client()).sign_in("officer", "not the password!")
    html = _as_boss(app, boss).text("/admin/staff")
    rows = dict(re.findall(r'<tr data-staff="([a-z]+)">(.*?)</tr>', html, re.S))
    assert set(rows) == {"boss", "officer", "gone"}
    assert "Administrator" in rows["boss"] and 'data-second-factor="on"' in rows["boss"]
    assert 'data-state="active locked"' in rows["officer"]
    assert 'data-second-factor="off"' in rows["officer"] and "Never" in rows["officer"]
    assert 'data-state="inactive"' in rows["gone"] and "Supervisor" in rows["gone"]
    assert "City" in rows["boss"]  # the unit at the root: every building


def test_plain_staff_and_supervisors_cannot_manage_accounts(
    signed_in: Admin, officer: Staff
) -> None:
    assert signed_in.get("/admin/staff").status_code == 403
    assert signed_in.get(f"/admin/staff/{officer.id}").status_code == 403


def test_a_building_admin_manages_only_their_buildings_accounts(
    app: Flask, db: Session, make_staff: Callable[..., Staff]
) -> None:
    from kiosk.services.audit import Actor
    from kiosk.services.staff import create_staff

    local = create_staff(
        db, "local", "Local Boss", STAFF_PASSWORD, Role.ADMIN, Actor(None, "t"), "demo"
    )
    local.totp_secret = pyotp.random_base32(32)
    create_staff(db, "far", "Far Away", STAFF_PASSWORD, Role.STAFF, Actor(None, "t"), "b-tower")
    db.commit()
    admin = Admin(app.test_client())
    admin.sign_in("local")
    _post(admin, "/admin/sign-in", code=_code(str(local.totp_secret)))
    html = admin.text("/admin/staff")
    assert 'data-staff="local"' in html and 'data-staff="far"' not in html
    status, text = _create(admin, username="x1", display_name="X", role="staff", unit="b-tower")
    assert (
        status == 400 and "You can add accounts only to your unit and the units under it." in text
    )


def test_a_second_factor_that_is_on_is_not_replaced_without_a_reset(
    app: Flask, boss: Staff, db: Session
) -> None:
    admin = _as_boss(app, boss)
    html = admin.text("/admin/account/second-factor")
    assert "data-enrolled" in html and "data-secret" not in html
    secret = pyotp.random_base32(32)
    with admin.client.session_transaction() as stored:
        stored["enrol_secret"] = secret
    response = admin.client.post(
        "/admin/account/second-factor",
        data={"csrf_token": csrf_token(html), "code": _code(secret)},
    )
    assert response.status_code == 200 and "data-recovery-codes" not in response.get_data(
        as_text=True
    )
    db.rollback()
    assert db.get(Staff, boss.id).totp_secret == boss.totp_secret  # type: ignore[union-attr]


def test_a_new_role_and_unit_end_the_accounts_session_and_read_old_to_new_in_the_log(
    app: Flask, boss: Staff, signed_in: Admin, officer: Staff, db: Session, building: Building
) -> None:
    assert signed_in.get("/admin/appeals").status_code == 200
    admin = _as_boss(app, boss)
    page = f"/admin/staff/{officer.id}"
    html = admin.text(page)
    assert "data-change-account" in html and '<option selected value="city">' in html
    done = _send(admin, page, f"{page}/change", role="supervisor", unit="demo")
    assert "signed out everywhere" in admin.flash(done)
    assert signed_in.get("/admin/appeals").location.startswith("/admin/sign-in")
    db.expire_all()
    changed = db.get(Staff, officer.id)
    assert changed is not None and changed.role is Role.SUPERVISOR
    assert changed.unit is not None and changed.unit.code == "demo"
    log = admin.text("/admin/audit")
    assert "Changed a staff account's role or unit" in log and "Officer → Supervisor" in log
    refused = _send(admin, page, f"{page}/change", role="staff", unit="no-such-unit")
    assert "only to your unit" in admin.flash(refused)
    mine = f"/admin/staff/{boss.id}"
    last = _send(admin, mine, f"{mine}/change", role="supervisor", unit="city")
    assert "last active administrator" in admin.flash(last)
    html = admin.text("/admin/staff", unit="demo")
    assert 'data-staff="officer"' in html and 'data-staff="boss"' not in html
