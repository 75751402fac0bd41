"""Wrong pickup codes at the kiosk: counted per company and per visit, audited with where they
came from, and unlocked by a supervisor from the admin."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from kiosk.models import AuditLog, Building, Role, Staff
from kiosk.validators import uscc_check_char
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token
from tests.support.terminal import Terminal


def _uscc(n: int) -> str:
    body = f"91430102MA4T0{n:04d}"
    return body + uscc_check_char(body)


def _collect(terminal: Terminal, uscc: str, code: str = "123456") -> TestResponse:
    html = terminal.page("/collect").get_data(as_text=True)
    return terminal.client.post(
        "/collect", data={"csrf_token": csrf_token(html), "uscc": uscc, "code": code}
    )


def test_a_visit_that_guesses_across_companies_waits_and_others_do_not(
    app: Flask, building: Building
) -> None:
    guesser = Terminal(app.test_client())
    for n in range(5):  # one wrong code for each of five companies: no company waits
        assert _collect(guesser, _uscc(n)).status_code == 400
    refused = _collect(guesser, _uscc(9))
    assert refused.status_code == 409 and "1 分钟后再试" in refused.get_data(as_text=True)
    # The next person at the screen (a new visit) is judged as usual, for any company.
    assert _collect(Terminal(app.test_client()), _uscc(0)).status_code == 400


def test_a_companys_lock_is_audited_with_the_kiosk_and_the_visit(
    app: Flask, building: Building, db: Session
) -> None:
    visits = [Terminal(app.test_client()) for _ in range(5)]
    for visit in visits:  # five visits, one wrong code each: the company's code waits
        assert _collect(visit, _uscc(1)).status_code == 400
    assert _collect(Terminal(app.test_client()), _uscc(1)).status_code == 409
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "code.locked")).one()
    assert entry.target_type == "licence" and entry.target_id == _uscc(1)
    assert entry.remote_addr == "127.0.0.1" and entry.staff_id is None
    assert entry.detail["kiosk"] == app.config["KIOSK"].id and len(entry.detail["session"]) == 8
    assert entry.detail["what"] == "collect" and entry.detail["minutes"] == 1
    assert db.scalars(select(AuditLog).where(AuditLog.action == "session.locked")).all() == []


def test_a_supervisor_unlocks_a_companys_code(
    app: Flask, building: Building, make_staff: Callable[..., Staff], db: Session
) -> None:
    make_staff("chief", Role.SUPERVISOR)
    for _ in range(5):
        _collect(Terminal(app.test_client()), _uscc(2))
    assert _collect(Terminal(app.test_client()), _uscc(2)).status_code == 409
    chief = Admin(app.test_client())
    assert chief.sign_in("chief").status_code == 303
    html = chief.text("/admin/lock-outs")
    assert f'data-lockout="collect:{_uscc(2)}"' in html
    response = chief.client.post(
        "/admin/lock-outs/unlock",
        data={"key": f"collect:{_uscc(2)}", "csrf_token": csrf_token(html)},
    )
    assert response.status_code == 303
    assert _collect(Terminal(app.test_client()), _uscc(2)).status_code == 400  # judged again
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "code.unlocked")).one()
    assert entry.target_id == _uscc(2) and entry.detail["key"] == f"collect:{_uscc(2)}"
