"""The announcement service: what the attract screen shows when, validation, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.models import Announcement, AuditLog, Role, Staff
from kiosk.services import announcements
from kiosk.services.announcements import SHOWN_MAX, TEXT_MAX, AnnouncementDraft
from kiosk.services.audit import Actor

HERE = "demo"  # the test kiosk's building
ELSEWHERE = "other-tower"


@pytest.fixture
def chief(make_staff: Callable[..., Staff]) -> Actor:
    """A supervisor acting from the admin."""
    return Actor(make_staff("chief", Role.SUPERVISOR, "Wang Chief"), "10.0.0.8")


def _publish(
    db: Session,
    actor: Actor,
    text_zh: str = "驿站春节期间正常开放",
    *,
    text_en: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    building_code: str = HERE,
) -> Announcement:
    draft = AnnouncementDraft(text_zh, text_en, starts_at, ends_at)
    return announcements.create(db, building_code, draft, actor)


def _stored(db: Session) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Announcement)) or 0


def _audited(db: Session, action_prefix: str = "announcement.") -> list[AuditLog]:
    db.rollback()
    db.expire_all()
    query = select(AuditLog).where(AuditLog.action.like(f"{action_prefix}%")).order_by(AuditLog.id)
    return list(db.scalars(query))


def _texts(items: list[Announcement]) -> list[str]:
    return [item.text_zh for item in items]


def test_an_announcement_shows_from_its_start_until_its_end(db: Session, chief: Actor) -> None:
    now = utcnow()
    start, end = now + timedelta(hours=1), now + timedelta(hours=2)
    item = _publish(db, chief, "消防演练期间请听从指挥", starts_at=start, ends_at=end)
    assert announcements.current(db, HERE, now) == []
    assert announcements.current(db, HERE, start - timedelta(seconds=1)) == []
    assert [a.id for a in announcements.current(db, HERE, start)] == [item.id]  # from its start
    assert [a.id for a in announcements.current(db, HERE, end - timedelta(seconds=1))] == [item.id]
    assert announcements.current(db, HERE, end) == []  # until its end, not including it


def test_without_a_start_it_shows_from_now_and_without_an_end_until_withdrawn(
    db: Session, chief: Actor
) -> None:
    before = utcnow()
    item = _publish(db, chief)
    db.expire_all()
    stored = db.get(Announcement, item.id)
    assert stored is not None and stored.active and stored.ends_at is None
    assert before <= stored.starts_at <= utcnow()
    assert stored.building_code == HERE and stored.staff_id == chief.staff_id
    assert _texts(announcements.current(db, HERE)) == ["驿站春节期间正常开放"]
    far_future = utcnow() + timedelta(days=3650)
    assert _texts(announcements.current(db, HERE, far_future)) == ["驿站春节期间正常开放"]


def test_listing_sorts_current_upcoming_and_past(db: Session, chief: Actor) -> None:
    now = utcnow()
    showing = _publish(db, chief, "正在显示", starts_at=now - timedelta(hours=1))
    soon = _publish(db, chief, "明天开始", starts_at=now + timedelta(days=1))
    sooner = _publish(db, chief, "一小时后开始", starts_at=now + timedelta(hours=1))
    ending = _publish(db, chief, "半小时后结束", ends_at=now + timedelta(minutes=30))
    withdrawn = _publish(db, chief, "已撤下", starts_at=now - timedelta(hours=2))
    announcements.deactivate(db, withdrawn.id, HERE, chief)

    found = announcements.listing(db, HERE, now + timedelta(seconds=1))
    assert [a.id for a in found.current] == [ending.id, showing.id]  # newest start first
    assert [a.id for a in found.upcoming] == [sooner.id, soon.id]  # soonest first
    assert [a.id for a in found.past] == [withdrawn.id]

    # An hour later the short one has ended and the first upcoming one has started.
    later = announcements.listing(db, HERE, now + timedelta(hours=1, minutes=1))
    assert [a.id for a in later.current] == [sooner.id, showing.id]
    assert [a.id for a in later.upcoming] == [soon.id]
    assert {a.id for a in later.past} == {withdrawn.id, ending.id}
    assert announcements.current(db, HERE, now + timedelta(hours=1, minutes=1)) == later.current


def test_the_screen_shows_the_newest_few_only(db: Session, chief: Actor) -> None:
    now = utcnow()
    for hours_ago in (5, 1, 4, 2, 3):
        _publish(db, chief, f"{hours_ago}小时前", starts_at=now - timedelta(hours=hours_ago))
    shown = announcements.current(db, HERE, now)
    assert SHOWN_MAX == 3
    assert _texts(shown) == ["1小时前", "2小时前", "3小时前"]
    # Staff still see every one that is on, so they know why one is not on the screen.
    assert len(announcements.listing(db, HERE, now).current) == 5


def test_same_start_shows_the_later_one_first(db: Session, chief: Actor) -> None:
    start = utcnow() - timedelta(minutes=5)
    first = _publish(db, chief, "先发布", starts_at=start)
    second = _publish(db, chief, "后发布", starts_at=start)
    assert [a.id for a in announcements.current(db, HERE)] == [second.id, first.id]


def test_another_buildings_announcement_is_never_shown_or_touched(
    db: Session, chief: Actor
) -> None:
    theirs = _publish(db, chief, "别的楼宇的通知", building_code=ELSEWHERE)
    mine = _publish(db, chief, "本楼宇的通知")
    assert _texts(announcements.current(db, HERE)) == ["本楼宇的通知"]
    listing = announcements.listing(db, HERE)
    assert _texts(listing.current) == ["本楼宇的通知"] and not listing.upcoming and not listing.past
    assert announcements.get(db, mine.id, HERE).id == mine.id
    with pytest.raises(NotFound):
        announcements.get(db, theirs.id, HERE)
    with pytest.raises(NotFound):
        announcements.get(db, theirs.id + mine.id + 100, HERE)  # no such id at all
    with pytest.raises(NotFound):
        announcements.update(db, theirs.id, HERE, AnnouncementDraft("改掉它"), chief)
    with pytest.raises(NotFound):
        announcements.deactivate(db, theirs.id, HERE, chief)
    db.expire_all()
    untouched = announcements.get(db, theirs.id, ELSEWHERE)
    assert untouched.active and untouched.text_zh == "别的楼宇的通知"
    assert [e.action for e in _audited(db)] == ["announcement.create", "announcement.create"]


def test_creation_is_audited_with_what_was_published(db: Session, chief: Actor) -> None:
    ends = utcnow() + timedelta(days=2)
    item = _publish(db, chief, "本周五停电检修", text_en="Power cut on Friday", ends_at=ends)
    [entry] = _audited(db)
    assert entry.action == "announcement.create" and entry.target_type == "announcement"
    assert entry.target_id == str(item.id) and entry.staff_id == chief.staff_id
    assert entry.remote_addr == "10.0.0.8"
    assert entry.detail == {
        "text_zh": "本周五停电检修",
        "text_en": "Power cut on Friday",
        "starts_at": item.starts_at.isoformat(),
        "ends_at": ends.isoformat(),
    }


@pytest.mark.parametrize(
    ("text_zh", "text_en", "starts_in", "ends_in", "fields"),
    [
        pytest.param("", "Open as usual", None, None, {"text_zh"}, id="no-chinese"),
        pytest.param(" \u200b\x00\n ", "", None, None, {"text_zh"}, id="only-invisible-chinese"),
        pytest.param("通" * (TEXT_MAX + 1), "", None, None, {"text_zh"}, id="chinese-too-long"),
        pytest.param("通知", "x" * (TEXT_MAX + 1), None, None, {"text_en"}, id="english-too-long"),
        pytest.param(
            "通" * (TEXT_MAX + 1),
            "x" * (TEXT_MAX + 1),
            None,
            None,
            {"text_zh", "text_en"},
            id="both-too-long",
        ),
        pytest.param("", "", 2, 1, {"text_zh", "ends_at"}, id="no-chinese-and-end-first"),
        pytest.param("通知", "", 2, 1, {"ends_at"}, id="end-before-start"),
        pytest.param("通知", "", 2, 2, {"ends_at"}, id="end-at-start"),
        pytest.param("通知", "", -3, -1, {"ends_at"}, id="end-in-the-past"),
        pytest.param("通知", "", None, -1, {"ends_at"}, id="end-before-now"),
    ],
)
def test_invalid_drafts_are_refused_and_nothing_is_stored(
    app: Flask,
    db: Session,
    chief: Actor,
    text_zh: str,
    text_en: str,
    starts_in: int | None,
    ends_in: int | None,
    fields: set[str],
) -> None:
    now = utcnow()
    starts_at = now + timedelta(hours=starts_in) if starts_in is not None else None
    ends_at = now + timedelta(hours=ends_in) if ends_in is not None else None
    with pytest.raises(ValidationFailed) as refused:
        _publish(db, chief, text_zh, text_en=text_en, starts_at=starts_at, ends_at=ends_at)
    assert set(refused.value.fields) == fields
    with app.test_request_context(), force_locale("en"):
        messages = {key: str(message) for key, message in refused.value.fields.items()}
    if "ends_at" in fields:
        expected = (
            "The end must be in the future."
            if starts_at is not None and ends_at is not None and ends_at > starts_at
            else "The end must be after the start."
        )
        assert messages["ends_at"] == expected
    if text_zh == "":
        assert messages["text_zh"] == "Enter the announcement in Chinese."
    assert _stored(db) == 0 and _audited(db) == []


def test_the_longest_allowed_text_is_accepted(db: Session, chief: Actor) -> None:
    item = _publish(db, chief, "通" * TEXT_MAX, text_en="x" * TEXT_MAX)
    assert len(item.text_zh) == len(item.text_en) == TEXT_MAX
    # Characters outside the BMP count as one each, as a person counts them.
    assert len(_publish(db, chief, "𠮷" * TEXT_MAX).text_zh) == TEXT_MAX


def test_text_is_cleaned_but_rare_characters_and_emoji_survive(db: Session, chief: Actor) -> None:
    typed_zh = (
        "\u202e𠮷野家\x00今天\x07营业\u200b🎉\r\n👨\u200d👩\u200d👧 欢迎光临  \n\n\n\n第三行\t完"
    )
    typed_en = "\ufeff  Open\x1b[31m today 🎉  "
    item = _publish(db, chief, typed_zh, text_en=typed_en)
    db.expire_all()
    stored = db.get(Announcement, item.id)
    assert stored is not None
    assert stored.text_zh == "𠮷野家今天营业🎉\n👨\u200d👩\u200d👧 欢迎光临\n\n第三行 完"
    assert stored.text_en == "Open[31m today 🎉"


def test_update_keeps_the_start_and_audits_only_what_changed(db: Session, chief: Actor) -> None:
    start = utcnow() - timedelta(hours=3)
    item = _publish(db, chief, "旧的通知", text_en="Old notice", starts_at=start)

    announcements.update(db, item.id, HERE, AnnouncementDraft("新的通知", "Old notice"), chief)
    db.expire_all()
    changed = announcements.get(db, item.id, HERE)
    assert changed.text_zh == "新的通知" and changed.text_en == "Old notice"
    assert changed.starts_at == start  # not restarted now
    assert changed.ends_at is None

    ends = utcnow() + timedelta(days=1)
    announcements.update(
        db, item.id, HERE, AnnouncementDraft("新的通知", "Old notice", None, ends), chief
    )
    db.expire_all()
    assert announcements.get(db, item.id, HERE).ends_at == ends

    create, text_change, end_change = _audited(db)
    assert create.action == "announcement.create"
    assert text_change.action == end_change.action == "announcement.update"
    assert text_change.target_id == end_change.target_id == str(item.id)
    assert text_change.staff_id == chief.staff_id
    assert text_change.detail == {"text_zh": ["旧的通知", "新的通知"]}
    assert end_change.detail == {"ends_at": [None, ends.isoformat()]}


def test_update_is_validated_like_a_new_one(db: Session, chief: Actor) -> None:
    item = _publish(db, chief, "原来的通知")
    with pytest.raises(ValidationFailed) as refused:
        announcements.update(db, item.id, HERE, AnnouncementDraft("\x00", "y" * 201), chief)
    assert set(refused.value.fields) == {"text_zh", "text_en"}
    past = utcnow() - timedelta(minutes=1)
    with pytest.raises(ValidationFailed) as refused:
        announcements.update(db, item.id, HERE, AnnouncementDraft("新", "", None, past), chief)
    assert set(refused.value.fields) == {"ends_at"}
    db.expire_all()
    assert announcements.get(db, item.id, HERE).text_zh == "原来的通知"
    assert [e.action for e in _audited(db)] == ["announcement.create"]


def test_a_withdrawn_announcement_cannot_be_changed(db: Session, chief: Actor) -> None:
    item = _publish(db, chief, "已撤下的通知")
    announcements.deactivate(db, item.id, HERE, chief)
    with pytest.raises(Conflict):
        announcements.update(db, item.id, HERE, AnnouncementDraft("想改回来"), chief)
    db.expire_all()
    stored = announcements.get(db, item.id, HERE)
    assert stored.text_zh == "已撤下的通知" and not stored.active
    assert [e.action for e in _audited(db)] == ["announcement.create", "announcement.deactivate"]


def test_withdrawing_twice_is_harmless_and_audited_once(db: Session, chief: Actor) -> None:
    item = _publish(db, chief, "临时通知")
    first = announcements.deactivate(db, item.id, HERE, chief)
    again = announcements.deactivate(db, item.id, HERE, chief)
    assert not first.active and not again.active and first.id == again.id
    assert announcements.current(db, HERE) == []
    assert [a.id for a in announcements.listing(db, HERE).past] == [item.id]
    withdrawals = _audited(db, "announcement.deactivate")
    assert len(withdrawals) == 1
    assert withdrawals[0].target_id == str(item.id) and withdrawals[0].detail == {
        "text_zh": "临时通知"
    }
