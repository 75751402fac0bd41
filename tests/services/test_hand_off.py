"""Handing one field to the phone: five minutes, one use, owner only, nothing kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.models import HandOff
from kiosk.services import hand_off


def _count(db: Session) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(HandOff)) or 0


def test_round_trip_once_and_then_gone(db: Session) -> None:
    started = hand_off.start(db, "owner-a", "description", "遇到了什么问题？", 1000, "已经写了一半")
    row = hand_off.for_phone(db, started.token)
    assert row.label == "遇到了什么问题？" and row.text == "已经写了一半"
    assert hand_off.collect(db, "owner-a", started.id).state == "waiting"
    hand_off.send_from_phone(db, started.token, "已经写了一半，剩下的在手机上用语音输入。")
    with pytest.raises(NotFound):
        hand_off.send_from_phone(db, started.token, "第二次")  # one use
    collected = hand_off.collect(db, "owner-a", started.id)
    assert collected == hand_off.Collected("filled", "已经写了一半，剩下的在手机上用语音输入。")
    assert _count(db) == 0  # the text is not kept once it is on the kiosk


def test_token_is_stored_hashed(db: Session) -> None:
    started = hand_off.start(db, "owner-a", "description", "label", 1000)
    db.rollback()
    stored = db.scalars(select(HandOff.token_hash)).one()
    assert started.token not in stored and len(stored) == 64


def test_only_the_asking_session_may_collect(db: Session) -> None:
    started = hand_off.start(db, "owner-a", "description", "label", 1000)
    hand_off.send_from_phone(db, started.token, "秘密")
    with pytest.raises(NotFound):
        hand_off.collect(db, "owner-b", started.id)


def test_expires_after_five_minutes(db: Session) -> None:
    now = utcnow()
    started = hand_off.start(db, "owner-a", "description", "label", 1000, now=now)
    later = now + timedelta(minutes=5, seconds=1)
    with pytest.raises(NotFound):
        hand_off.for_phone(db, started.token, now=later)
    assert hand_off.collect(db, "owner-a", started.id, now=later).state == "expired"
    assert _count(db) == 0


def test_text_is_checked_like_on_the_kiosk(db: Session) -> None:
    started = hand_off.start(db, "owner-a", "description", "label", 20)
    with pytest.raises(ValidationFailed):
        hand_off.send_from_phone(db, started.token, "  \u202e ")
    with pytest.raises(ValidationFailed):
        hand_off.send_from_phone(db, started.token, "长" * 21)
    hand_off.send_from_phone(db, started.token, "正好二十个字以内\u202e😀")
    assert hand_off.collect(db, "owner-a", started.id).text == "正好二十个字以内😀"


def test_wipe_forgets_everything_and_new_codes_replace_old(db: Session) -> None:
    first = hand_off.start(db, "owner-a", "description", "label", 1000)
    second = hand_off.start(db, "owner-a", "description", "label", 1000)  # asked again
    with pytest.raises(NotFound):
        hand_off.for_phone(db, first.token)
    hand_off.start(db, "owner-a", "other_field", "label", 1000)
    hand_off.start(db, "owner-a", "third_field", "label", 1000)
    with pytest.raises(Conflict):
        hand_off.start(db, "owner-a", "fourth_field", "label", 1000)
    assert hand_off.forget(db, "owner-a") == 3
    with pytest.raises(NotFound):
        hand_off.for_phone(db, second.token)
