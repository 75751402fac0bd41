"""After the decision: collecting the licence, fixing what staff asked, the status pages."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.errors import ValidationFailed
from kiosk.models import (
    Application,
    ApplicationEventKind,
    ApplicationStatus,
    Building,
    Licence,
    LicencePrint,
    LicenceStatus,
    Room,
    Staff,
    Tenant,
)
from kiosk.services import applications, licences
from kiosk.services.audit import Actor
from kiosk.services.lockouts import Source
from kiosk.tasks import TASKS
from kiosk.tasks.applying import open_answers
from kiosk.tasks.base import Approval
from kiosk.tasks.dates import today_at
from kiosk.validators import uscc_check_char
from tests.support.pages import csrf_token
from tests.support.terminal import Terminal
from tests.terminal.test_applications import fill_register, ok, submit

ISSUED = "91430102MA4T00001" + uscc_check_char("91430102MA4T00001")


# Checks of what people type: the database plays no part, so SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def terminal(client: FlaskClient) -> Terminal:
    return Terminal(client)


@pytest.fixture
def officer(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("approver")


def _registered(terminal: Terminal, rooms: list[Room], db: Session) -> Application:
    fill_register(terminal, rooms)
    ok(submit(terminal, "register"))
    terminal.client.post("/reset")
    return db.scalars(select(Application)).one()


def _approve(app: Flask, db: Session, application: Application, officer: Staff) -> None:
    task = TASKS[application.task]
    assert task.paperwork is not None and task.paperwork.approve is not None
    with app.test_request_context():

        def apply(session: Session, row: Application, now: object) -> None:
            if task.paperwork.issues_uscc:  # type: ignore[union-attr]
                row.issued_uscc = ISSUED
            task.paperwork.approve(  # type: ignore[union-attr, misc]
                Approval(
                    session, app.config["KIOSK"], row, open_answers(row.answers),
                    Actor(officer), now, issued_uscc=ISSUED,  # type: ignore[arg-type]
                )
            )  # fmt: skip

        applications.approve(db, application.id, Actor(officer), apply=apply)
    db.expire_all()


def _collect(terminal: Terminal, uscc: str, code: str) -> object:
    html = terminal.page("/collect").get_data(as_text=True)
    return terminal.client.post(
        "/collect", data={"csrf_token": csrf_token(html), "uscc": uscc, "code": code}
    )


def test_an_approved_registration_is_collected_and_its_pdf_names_the_company(
    app: Flask,
    terminal: Terminal,
    rooms: list[Room],
    db: Session,
    officer: Staff,
    tmp_path: Path,
) -> None:
    application = _registered(terminal, rooms, db)
    _approve(app, db, application, officer)
    tenant = db.scalars(select(Tenant).where(Tenant.uscc == ISSUED)).one()
    assert tenant.name == application.company_name and tenant.floor_room == "12F-1202"
    licence = db.scalars(select(Licence)).one()
    assert licence.status is LicenceStatus.CURRENT and licence.registered_capital == 1_000_000
    ok(_collect(terminal, ISSUED.lower(), application.pickup_code))
    done = terminal.page("/collect/done").get_data(as_text=True)
    assert ISSUED in done
    spooled = list(Path(app.config["KIOSK"].licence_printer.removeprefix("spool://")).glob("*.pdf"))
    assert len(spooled) == 1
    text = subprocess.run(
        ["pdftotext", "-layout", str(spooled[0]), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert ISSUED in text and "长沙星辰云图软件科技有限公司" in text
    assert "壹佰万元整" in text and "软件开发" in text
    db.rollback()  # a new read transaction: the kiosk's process wrote meanwhile
    assert db.scalars(select(LicencePrint)).one().printed
    kinds = [event.kind for event in db.get(Application, application.id).events]  # type: ignore[union-attr]
    assert ApplicationEventKind.COLLECTED in kinds


def test_wrong_pickup_codes_are_counted_and_the_sixth_try_waits(
    app: Flask,
    terminal: Terminal,
    rooms: list[Room],
    db: Session,
    officer: Staff,
) -> None:
    application = _registered(terminal, rooms, db)
    _approve(app, db, application, officer)
    wrong = f"{(int(application.pickup_code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = _collect(terminal, ISSUED, wrong)
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert "不正确" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    # Locked now: even the right code waits, and says for how long.
    response = _collect(terminal, ISSUED, application.pickup_code)
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "分钟后再试" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert db.scalars(select(LicencePrint)).all() == []


def _never() -> bool:
    raise AssertionError("a code was compared while its key or session was waiting")


def test_a_keys_wait_grows_step_by_step_up_to_a_quarter_hour_and_ends(
    db: Session, building: Building
) -> None:
    now = utcnow()
    for round_, wait in enumerate((1, 5, 15, 15)):
        for n in range(5):  # five people each typing one wrong code: the key waits
            session = Source(f"round-{round_}-person-{n}")
            assert not applications.check_code(db, "collect:X", lambda: False, session, now=now)
        with pytest.raises(applications.TooManyTries):
            applications.check_code(
                db,
                "collect:X",
                _never,
                Source("owner"),
                now=now + timedelta(minutes=wait, seconds=-1),
            )
        now += timedelta(minutes=wait, seconds=1)
    assert applications.check_code(db, "collect:X", lambda: True, Source("owner"), now=now)


def test_a_session_that_keeps_guessing_waits_longer_each_time(
    db: Session, building: Building
) -> None:
    guesser, now = Source("guesser"), utcnow()
    for round_, wait in enumerate((1, 5, 15, 60, 60)):
        for n in range(5):  # a different company each time: no key waits, the session does
            key = f"collect:R{round_}N{n}"
            assert not applications.check_code(db, key, lambda: False, guesser, now=now)
        with pytest.raises(applications.TooManyTries):
            applications.check_code(
                db, "collect:Y", _never, guesser, now=now + timedelta(minutes=wait, seconds=-1)
            )
        # Someone else's session is not held up by the guesser's wait.
        assert applications.check_code(db, "collect:Y", lambda: True, Source("other"), now=now)
        now += timedelta(minutes=wait, seconds=1)
    # A day without wrong codes and the steps start again.
    now += timedelta(hours=25)
    for n in range(5):
        applications.check_code(db, f"collect:D{n}", lambda: False, guesser, now=now)
    with pytest.raises(applications.TooManyTries):
        applications.check_code(db, "collect:Y", _never, guesser, now=now + timedelta(seconds=30))
    applications.check_code(
        db, "collect:Y", lambda: True, guesser, now=now + timedelta(minutes=1, seconds=1)
    )


def test_right_codes_do_not_count_against_the_session(db: Session, building: Building) -> None:
    tenant, now = Source("tenant"), utcnow()
    for n in range(4):
        assert not applications.check_code(db, f"collect:T{n}", lambda: False, tenant, now=now)
    for n in range(5):
        assert applications.check_code(db, f"collect:T{n}", lambda: True, tenant, now=now)
    assert applications.check_code(db, "collect:T9", lambda: True, tenant, now=now)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("code", "message"), [("12345", "6 位"), ("abcdef", "6 位"), ("", "取件码")]
)
def test_a_malformed_pickup_code_is_refused_before_any_lookup(
    terminal: Terminal, building: Building, code: str, message: str
) -> None:
    response = _collect(terminal, ISSUED, code)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_a_printer_that_is_down_leaves_the_licence_to_collect_later(
    make_app: Callable[..., Flask],
    db: Session,
    rooms: list[Room],
    officer: Staff,
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the spool folder should be")
    app = make_app(licence_printer=f"spool://{blocked}")
    terminal = Terminal(app.test_client())
    application = _registered(terminal, rooms, db)
    _approve(app, db, application, officer)
    response = _collect(terminal, ISSUED, application.pickup_code)
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "执照打印机暂时无法使用" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    db.rollback()
    record = db.scalars(select(LicencePrint)).one()
    assert not record.printed and record.error
    # Nothing is used up: once the printer works, the same code prints it.
    blocked.unlink()
    blocked.mkdir()
    ok(_collect(terminal, ISSUED, application.pickup_code))


def test_the_verification_page_says_genuine_and_current_and_nothing_else(
    app: Flask, client: FlaskClient, terminal: Terminal, rooms: list[Room], db: Session,
    officer: Staff,
) -> None:  # fmt: skip
    application = _registered(terminal, rooms, db)
    _approve(app, db, application, officer)
    licence = db.scalars(select(Licence)).one()
    html = client.get(f"/licence/{licence.verify_token}").get_data(as_text=True)
    assert "真实有效" in html and ISSUED in html and licence.name in html
    assert "张三" not in html and "1202" not in html  # no legal representative, no address
    licence.status = LicenceStatus.SUPERSEDED
    db.commit()
    html = client.get(f"/licence/{licence.verify_token}").get_data(as_text=True)
    assert "已失效" in html
    assert client.get("/licence/not-a-token").status_code == 404


def test_changes_requested_are_fixed_at_the_kiosk_and_go_back_to_the_queue(
    app: Flask,
    client: FlaskClient,
    terminal: Terminal,
    rooms: list[Room],
    db: Session,
    officer: Staff,
) -> None:
    application = _registered(terminal, rooms, db)
    applications.request_changes(
        db, application.id, Actor(officer), "注册资本请与章程一致：200万元", ["capital"],
        [step.slug for step in TASKS["register"].steps],
    )  # fmt: skip
    status = client.get(f"/applications/{application.token}").get_data(as_text=True)
    assert "注册资本请与章程一致" in status and "注册资本是多少" in status
    assert application.pickup_code in status
    # At the kiosk: reference and pickup code open it on the check page, the row marked.
    html = terminal.page("/fix").get_data(as_text=True)
    response = client.post(
        "/fix",
        data={
            "csrf_token": csrf_token(html),
            "reference": application.reference.lower(),
            "code": application.pickup_code,
        },
    )
    assert response.headers["Location"].endswith("/register/check")
    check = terminal.page("/register/check").get_data(as_text=True)
    assert "注册资本请与章程一致" in check and "summary__row--fix" in check
    ok(terminal.answer("/register/capital?change=1", capital="200"))
    ok(submit(terminal, "register"))
    db.expire_all()
    fixed = db.get(Application, application.id)
    assert fixed is not None
    assert fixed.status is ApplicationStatus.SUBMITTED and fixed.version == 2
    assert fixed.answers["capital"] == "200" and fixed.fix_steps == []
    assert fixed.answers["rep_id"].startswith("v1:")  # still sealed after the round trip
    assert db.scalars(select(Application)).all() == [fixed]  # fixed, not a second one


def test_fixing_needs_the_right_code(
    client: FlaskClient, terminal: Terminal, rooms: list[Room], db: Session, officer: Staff
) -> None:
    application = _registered(terminal, rooms, db)
    html = terminal.page("/fix").get_data(as_text=True)
    response = client.post(
        "/fix",
        data={"csrf_token": csrf_token(html), "reference": application.reference, "code": "000000"},
    )
    assert response.status_code in (400, 409)
    # The right code for an application that is not waiting for changes says so.
    response = client.post(
        "/fix",
        data={
            "csrf_token": csrf_token(html),
            "reference": application.reference,
            "code": application.pickup_code,
        },
    )
    assert response.status_code == 409 and "不需要补正" in response.get_data(as_text=True)


def test_a_rejection_reason_shows_on_the_status_page(
    client: FlaskClient, terminal: Terminal, rooms: list[Room], db: Session, officer: Staff
) -> None:
    application = _registered(terminal, rooms, db)
    with pytest.raises(ValidationFailed) as refused:
        applications.reject(db, application.id, Actor(officer), "  \u200b ")
    assert set(refused.value.fields) == {"reason"}
    applications.reject(db, application.id, Actor(officer), "名称中的行业表述不规范")
    html = client.get(f"/applications/{application.token}").get_data(as_text=True)
    assert "未通过" in html and "名称中的行业表述不规范" in html
    assert "110***********002X" in html and "11010519491231002X" not in html
    assert re.search(r"data-status=\"rejected\"", html)


def test_an_unknown_status_link_is_a_404(client: FlaskClient, building: Building) -> None:
    assert client.get("/applications/nope").status_code == 404


def test_approving_an_address_change_moves_the_tenant_and_reissues_its_licence(
    app: Flask, db: Session, rooms: list[Room], officer: Staff,
    make_tenant: Callable[..., Tenant], terminal: Terminal,
) -> None:  # fmt: skip
    tenant = make_tenant(floor_room="12F-1201")
    with app.test_request_context():
        old = licences.issue(
            db, app.config["KIOSK"], tenant,
            licences.LicenceFacts(
                "甲", "有限责任公司（自然人投资或控股）", "张三", 10**6, "旧址", "软件开发。"
            ),
            application=None, established=utcnow().date(), now=utcnow(),
        )  # fmt: skip
        db.commit()
    terminal.pick_company("address", tenant.id)
    ok(terminal.answer("/address/destination", destination="in_building"))
    ok(terminal.answer("/address/floor", floor="15"))
    ok(terminal.answer("/address/room", room_id=str(rooms[3].id)))
    # Today where the kiosk is: from 16:00 UTC on, UTC's date is already yesterday there.
    today = today_at(app.config["KIOSK"]).isoformat()
    ok(terminal.answer("/address/effective", effective=today))
    ok(submit(terminal, "address"))
    application = db.scalars(select(Application)).one()
    _approve(app, db, application, officer)
    db.refresh(tenant)
    assert tenant.floor_room == "15F-1501"
    current = licences.current_for(db, tenant.id)
    assert current is not None and current.id != old.id and "1501" in current.address
    db.refresh(old)
    assert old.status is LicenceStatus.SUPERSEDED
