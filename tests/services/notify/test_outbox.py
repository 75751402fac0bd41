"""The outbox: one message per event, in the change's own transaction; the log by default;
what the text says in each language; news for officers; a worker that died mid-send."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.errors import Conflict
from kiosk.models import Appeal, AppealStatus, Channel, MessageState, Notification, Staff
from kiosk.services import appeals, notify
from kiosk.services.audit import Actor
from kiosk.services.notify import NotifyWorker, texts
from kiosk.services.notify.worker import DOUBT


def _messages(db: Session) -> list[Notification]:
    db.commit()
    db.expire_all()
    return list(db.scalars(select(Notification).order_by(Notification.id)))


def test_the_same_answer_twice_is_one_sms(
    db: Session, make_appeal: Callable[..., Appeal], make_staff: Callable[..., Staff]
) -> None:
    officer = Actor(make_staff())
    appeal = make_appeal()
    appeals.reply(db, appeal.id, "正在协调。", officer)
    appeals.reply(db, appeal.id, "正在协调。", officer)  # the form sent twice
    assert [m.template for m in _messages(db)] == ["appeal_answered"]
    appeals.reply(db, appeal.id, "已协调公交集团。", officer)
    appeals.resolve(db, appeal.id, "已开通接驳线。", officer)
    assert [m.template for m in _messages(db)] == [
        "appeal_answered", "appeal_answered", "appeal_resolved",
    ]  # fmt: skip


def test_a_refused_action_queues_nothing(
    db: Session, make_appeal: Callable[..., Appeal], make_staff: Callable[..., Staff]
) -> None:
    appeal = make_appeal(status=AppealStatus.CLOSED)
    with pytest.raises(Conflict):
        appeals.resolve(db, appeal.id, "已办结。", Actor(make_staff()))
    assert _messages(db) == []


def test_a_reply_that_asks_for_information_says_so(
    db: Session, make_appeal: Callable[..., Appeal], make_staff: Callable[..., Staff]
) -> None:
    appeal = make_appeal()
    appeals.reply(db, appeal.id, "请补充租赁合同。", Actor(make_staff()), needs_info=True)
    (message,) = _messages(db)
    assert message.template == "appeal_needs_info" and message.locale == "zh_CN"
    assert message.subject_type == "appeal" and message.subject_ref == appeal.reference
    assert message.building_code == appeal.building_code
    assert appeal.events[-1].data == {"needs_info": True}


def test_the_text_in_both_languages(
    app: Flask, db: Session, make_appeal: Callable[..., Appeal], make_staff: Callable[..., Staff]
) -> None:
    officer = Actor(make_staff())
    chinese, english = make_appeal(), make_appeal(locale="en")
    for appeal in (chinese, english):
        appeals.resolve(db, appeal.id, "已办结。", officer)
    zh, en = _messages(db)
    with app.app_context():
        zh_title, zh_text = texts.render(zh)
        en_title, en_text = texts.render(en)
    assert zh_title == "您的诉求已办结"
    assert zh_text == (
        f"您的诉求{chinese.reference}已办结，请查看答复并评价：http://kiosk.test/status/{chinese.token}"
    )
    assert en_text == (
        f"Your appeal {english.reference} has been resolved. See the answer and rate it at "
        f"http://kiosk.test/status/{english.token}"
    )
    assert en_title == "Your appeal has been resolved"


def test_without_a_provider_the_sms_is_written_to_the_log_masked(
    app: Flask,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
    caplog: pytest.LogCaptureFixture,
) -> None:
    appeal = make_appeal(contact_mobile="13912345678")
    appeals.reply(db, appeal.id, "收到。", Actor(make_staff()))
    with caplog.at_level(logging.INFO, logger="kiosk.notify"):
        assert NotifyWorker(app).run_once() == 1
    (message,) = _messages(db)
    assert message.state is MessageState.SENT and message.provider == "log"
    logged = caplog.text
    assert "139****5678" in logged and appeal.reference in logged
    assert "13912345678" not in logged and appeal.token not in logged  # the link is cut short
    assert f"/status/{appeal.token[:6]}…" in logged


def test_officers_hear_on_every_robot_once_per_occasion(
    make_app: Callable[..., Flask], db: Session, make_staff: Callable[..., Staff]
) -> None:
    officer = make_staff("liwei", name="李伟")
    plain = make_app().config["KIOSK"]
    robots = make_app(
        wecom_webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
        dingtalk_webhook_url="http://127.0.0.1:9/robot/send?access_token=t",
    ).config["KIOSK"]

    def hand_off(settings: object, key: str) -> int:
        queued = notify.notify_staff(
            db, officer, "handed_off", settings=settings, key=key,  # type: ignore[arg-type]
            building_code="demo", reference="SQ-20261207-0001", title="停车难", due="12-14",
        )  # fmt: skip
        db.commit()
        return queued

    assert hand_off(plain, "handoff-1") == 1
    assert hand_off(robots, "handoff-2") == 2
    assert hand_off(robots, "handoff-2") == 0  # the same occasion again
    channels = [(m.channel, m.audience, m.staff_id) for m in _messages(db)]
    assert channels == [
        (Channel.LOG, "staff", officer.id),
        (Channel.WECOM, "staff", officer.id),
        (Channel.DINGTALK, "staff", officer.id),
    ]


def test_a_message_whose_worker_died_mid_send_is_never_sent_again_unasked(
    app: Flask, db: Session, make_appeal: Callable[..., Appeal], make_staff: Callable[..., Staff]
) -> None:
    officer = Actor(make_staff())
    first, second = make_appeal(), make_appeal()
    appeals.resolve(db, first.id, "已办结。", officer)
    appeals.resolve(db, second.id, "已办结。", officer)
    long_ago = utcnow() - timedelta(hours=1)
    left, never_left = _messages(db)
    for row in (left, never_left):
        row.state, row.claimed_by, row.claimed_at = MessageState.SENDING, "gone:1:x", long_ago
    left.sending_at = long_ago  # its request had left when the worker died
    db.commit()
    assert NotifyWorker(app).run_once() == 1
    left, never_left = _messages(db)
    assert left.state is MessageState.FAILED and left.last_error == DOUBT
    assert never_left.state is MessageState.SENT
    notify.retry(db, left.id, officer)  # a person decided
    assert NotifyWorker(app).run_once() == 1
    assert _messages(db)[0].state is MessageState.SENT
