"""Staff see what tenants were told, what waits and what failed, and send a failed one again;
an officer of another building neither sees nor retries it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AuditLog, Channel, MessageState, Notification, Role
from kiosk.services.audit import Actor
from kiosk.services.notify import NotifyWorker
from kiosk.services.staff import create_staff
from tests.admin.conftest import Admin
from tests.conftest import STAFF_PASSWORD
from tests.support.pages import csrf_token


def _failed(
    db: Session, building: str = "demo", error: str = "isv.OUT_OF_SERVICE: 业务停机"
) -> int:
    row = Notification(
        channel=Channel.SMS, audience="tenant", recipient="13812345678",
        recipient_masked="138****5678", template="appeal_resolved", params={},
        dedupe_key=uuid.uuid4().hex, subject_type="appeal", subject_ref=f"SQ-{building}",
        building_code=building, state=MessageState.FAILED, attempts=1, last_error=error,
    )  # fmt: skip
    db.add(row)
    db.commit()
    return row.id


def _state(db: Session, message_id: int) -> MessageState:
    db.commit()
    db.expire_all()
    row = db.get(Notification, message_id)
    assert row is not None
    return row.state


def test_the_appeal_page_shows_what_the_tenant_was_told(
    app: Flask, db: Session, signed_in: Admin, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    answer = signed_in.act(appeal.reference, "reply", reply="请补充租赁合同首页。", needs_info="y")
    page = signed_in.flash(answer)
    assert "Told the tenant" in page and "Your appeal needs more information" in page
    assert 'data-message-state="queued"' in page and "138****5678" in page
    NotifyWorker(app).run_once()
    page = signed_in.text(f"/admin/appeals/{appeal.reference}")
    assert 'data-message-state="sent"' in page
    assert "Written to the log only: no SMS provider is set up." in page


def test_a_failed_message_is_listed_and_sent_again(
    db: Session, signed_in: Admin, make_appeal: Callable[..., Appeal]
) -> None:
    message = _failed(db)
    page = signed_in.text("/admin/messages")
    assert f'data-message="{message}"' in page and "isv.OUT_OF_SERVICE" in page
    assert 'data-message-counts="0/1"' in page
    answer = signed_in.client.post(
        f"/admin/messages/{message}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert "The message will be sent again." in signed_in.flash(answer)
    assert _state(db, message) is MessageState.QUEUED
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "message.retry"))
    assert entry is not None and entry.target_id == str(message)
    assert entry.building_code == "demo"
    again = signed_in.client.post(
        f"/admin/messages/{message}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert "Only a message that failed can be sent again." in signed_in.flash(again)


def test_a_message_that_may_have_arrived_warns_before_sending_again(
    db: Session, signed_in: Admin
) -> None:
    from kiosk.services.notify.worker import DOUBT

    _failed(db, error=DOUBT)
    page = signed_in.text("/admin/messages", state="failed")
    assert "It may have arrived: check with the recipient before sending it again." in page


def test_another_buildings_officer_neither_sees_nor_retries_it(db: Session, admin: Admin) -> None:
    theirs = _failed(db, building="b-tower")
    ours = _failed(db, building="demo")
    create_staff(
        db, "demo-officer", "本楼专员", STAFF_PASSWORD, Role.STAFF, Actor(None, "test"),
        unit_code="demo",
    )  # fmt: skip
    assert admin.sign_in("demo-officer").status_code == 303
    page = admin.text("/admin/messages")
    assert f'data-message="{ours}"' in page and f'data-message="{theirs}"' not in page
    answer = admin.client.post(
        f"/admin/messages/{theirs}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert answer.status_code == 404
    assert _state(db, theirs) is MessageState.FAILED
