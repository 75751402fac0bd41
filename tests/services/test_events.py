"""The events service: places and the waiting list (also with two kiosks at once), cancelling,
double submits, what staff may publish, and the demo events."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.config import Settings
from kiosk.db import utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.models import AuditLog, Building, Event, EventSignup, SignupStatus
from kiosk.services import events
from kiosk.services.audit import Actor
from kiosk.services.demo_events import add_demo_events
from kiosk.services.events import EventDraft, SignupDraft

STAFF = Actor(None, "test")


def _draft(**values: Any) -> EventDraft:
    starts = values.pop("starts_at", utcnow() + timedelta(days=3))
    fields: dict[str, Any] = {
        "title": "营商课堂：新办企业财税合规",
        "kind": "class",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "place": "3F 多功能厅",
        "online_url": "",
        "capacity": 2,
        "audience": "新办企业",
        "description": "税务专管员现场讲解。",
    }
    fields.update(values)
    return EventDraft(**fields)


@pytest.fixture
def settings(app: Flask) -> Settings:
    value: Settings = app.config["KIOSK"]
    return value


@pytest.fixture
def make_event(db: Session, building: Building) -> Callable[..., Event]:
    def factory(**values: Any) -> Event:
        building_code = values.pop("building_code", "demo")
        return events.publish(db, building_code, _draft(**values), STAFF)

    return factory


def _sign_up(
    db: Session, settings: Settings, event: Event, mobile: str = "13812345678", **values: Any
) -> EventSignup:
    draft = SignupDraft(
        submission_key=values.pop("submission_key", uuid.uuid4().hex),
        event_id=event.id,
        tenant_id=values.pop("tenant_id", None),
        company_name=values.pop("company_name", "长沙星辰软件科技有限公司"),
        contact_name=values.pop("contact_name", "张三"),
        mobile=mobile,
        locale="zh_CN",
    )
    return events.sign_up(db, settings, draft, **values)


def _statuses(db: Session, event: Event) -> list[SignupStatus]:
    db.rollback()  # a fresh snapshot: other sessions wrote
    db.expire_all()
    return [s.status for s in events.attendees(db, event.id)]


def _confirmed_counter(db: Session, event: Event) -> int:
    db.rollback()
    return int(db.scalar(select(Event.confirmed).where(Event.id == event.id)) or 0)


def test_places_then_the_waiting_list(
    db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event(capacity=2)
    first = _sign_up(db, settings, event, "13800000001")
    second = _sign_up(db, settings, event, "13800000002")
    third = _sign_up(db, settings, event, "13800000003")
    fourth = _sign_up(db, settings, event, "13800000004")
    assert [first.status, second.status] == [SignupStatus.CONFIRMED] * 2
    assert [third.status, fourth.status] == [SignupStatus.WAITING] * 2
    assert [events.position(db, s) for s in (first, third, fourth)] == [None, 1, 2]
    assert _confirmed_counter(db, event) == 2
    assert first.reference.startswith("HD-") and first.reference != second.reference
    assert len(first.token) >= 32 and first.token != second.token


def test_the_same_submission_twice_is_one_sign_up(
    db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    once = _sign_up(db, settings, event, submission_key="k" * 32)
    again = _sign_up(db, settings, event, submission_key="k" * 32)
    assert once.id == again.id
    assert db.scalar(select(func.count()).select_from(EventSignup)) == 1
    assert _confirmed_counter(db, event) == 1


def test_one_mobile_signs_up_once_per_event(
    db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    first = _sign_up(db, settings, event)
    with pytest.raises(ValidationFailed) as refused:
        _sign_up(db, settings, event, "+86 138-1234-5678")
    assert first.reference in str(refused.value.fields["contact_mobile"])
    events.cancel_signup(db, first.token)
    assert _sign_up(db, settings, event).status is SignupStatus.CONFIRMED  # after cancelling


def test_bad_input_is_refused_and_names_are_kept_whole(
    db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    with pytest.raises(ValidationFailed) as bad_mobile:
        _sign_up(db, settings, event, "12345")
    assert "contact_mobile" in bad_mobile.value.fields
    with pytest.raises(ValidationFailed) as long_name:
        _sign_up(db, settings, event, contact_name="长" * 51)
    assert "contact_name" in long_name.value.fields
    with pytest.raises(ValidationFailed):
        _sign_up(db, settings, event, submission_key="short")
    signup = _sign_up(
        db, settings, event, contact_name="\u202e张\x00𠀀😀\u200b", company_name="𠮷野家🍜有限公司"
    )
    assert signup.contact_name == "张𠀀😀" and signup.company_name == "𠮷野家🍜有限公司"
    assert db.scalar(select(func.count()).select_from(EventSignup)) == 1


def test_cancelling_a_place_gives_it_to_the_first_waiting(
    db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event(capacity=1)
    seated = _sign_up(db, settings, event, "13800000001")
    first = _sign_up(db, settings, event, "13800000002")
    second = _sign_up(db, settings, event, "13800000003")
    events.cancel_signup(db, first.token)  # waiting, cancelled: nobody moves up
    assert _statuses(db, event) == [
        SignupStatus.CONFIRMED,
        SignupStatus.WAITING,
        SignupStatus.CANCELLED,
    ]
    events.cancel_signup(db, seated.token)
    db.refresh(second)
    assert second.status is SignupStatus.CONFIRMED
    assert _confirmed_counter(db, event) == 1
    again = events.cancel_signup(db, seated.token)  # twice: harmless
    assert again.status is SignupStatus.CANCELLED and _confirmed_counter(db, event) == 1
    events.cancel_signup(db, second.token)
    assert _confirmed_counter(db, event) == 0


def test_no_cancelling_once_the_event_has_started(
    db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    signup = _sign_up(db, settings, event)
    with pytest.raises(Conflict):
        events.cancel_signup(db, signup.token, now=event.starts_at + timedelta(minutes=1))
    with pytest.raises(NotFound):
        events.cancel_signup(db, "no-such-token")


def _race(factory: sessionmaker[Session], *work: Callable[[Session], Any]) -> list[Any]:
    """Run each piece of work in its own thread and session, released at the same moment."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        with factory() as session:
            barrier.wait()
            try:
                results[index] = work[index](session)
            except Exception as exc:  # reported by the test
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_kiosks_for_the_last_place_get_one_place_and_one_waiting(
    app: Flask, db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    factory = app.extensions["kiosk.sessionmaker"]
    for round_ in range(3):
        event = make_event(capacity=2, title=f"供需对接会 {round_}")
        _sign_up(db, settings, event, "13900000000")
        results = _race(
            factory,
            lambda s, e=event: _sign_up(s, settings, e, "13900000001").status,
            lambda s, e=event: _sign_up(s, settings, e, "13900000002").status,
        )
        assert sorted(results) == [SignupStatus.CONFIRMED, SignupStatus.WAITING], results
        assert _confirmed_counter(db, event) == 2


def test_the_same_form_from_two_threads_is_one_sign_up(
    app: Flask, db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event(capacity=5)
    key = uuid.uuid4().hex
    results = _race(
        app.extensions["kiosk.sessionmaker"],
        lambda s: _sign_up(s, settings, event, submission_key=key).reference,
        lambda s: _sign_up(s, settings, event, submission_key=key).reference,
    )
    assert results[0] == results[1] and isinstance(results[0], str), results
    assert _confirmed_counter(db, event) == 1
    assert db.scalar(select(func.count()).select_from(EventSignup)) == 1


def test_a_cancel_racing_a_sign_up_never_strands_a_free_place(
    app: Flask, db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event(capacity=1)
    seated = _sign_up(db, settings, event, "13800000001")
    results = _race(
        app.extensions["kiosk.sessionmaker"],
        lambda s: events.cancel_signup(s, seated.token).status,
        lambda s: _sign_up(s, settings, event, "13800000002").status,
    )
    assert results[0] is SignupStatus.CANCELLED, results
    # Whichever went first, the newcomer has the place (directly, or promoted from waiting).
    assert _statuses(db, event) == [SignupStatus.CONFIRMED, SignupStatus.CANCELLED]
    assert _confirmed_counter(db, event) == 1


def test_what_staff_publish_is_checked(db: Session, make_event: Callable[..., Event]) -> None:
    starts = utcnow() + timedelta(days=1)
    cases = {
        "ends_at": {"ends_at": starts - timedelta(hours=1), "starts_at": starts},
        "capacity": {"capacity": 0},
        "place": {"place": "", "online_url": ""},
        "title": {"title": "课堂\x07标题"},
        "description": {"description": "长" * (events.DESCRIPTION_MAX + 1)},
        "online_url": {"online_url": "javascript:alert(1)"},
        "kind": {"kind": "party"},
        "starts_at": {"starts_at": utcnow() - timedelta(hours=1)},
    }
    for field, values in cases.items():
        with pytest.raises(ValidationFailed) as refused:
            make_event(**values)
        assert field in refused.value.fields, (field, refused.value.fields)
    with pytest.raises(ValidationFailed) as too_many:
        make_event(capacity=10_001)
    assert "capacity" in too_many.value.fields
    online = make_event(place="", online_url="https://meeting.example.gov.cn/ai", capacity=10_000)
    assert online.capacity == 10_000
    assert db.scalar(select(func.count()).select_from(Event)) == 1
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "event.create"))
    assert entry is not None and entry.target_id == str(online.id)


def test_more_places_go_to_the_waiting_list_and_fewer_than_taken_are_refused(
    db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    event = make_event(capacity=1)
    for n in range(3):
        _sign_up(db, settings, event, f"1380000000{n}")
    with pytest.raises(ValidationFailed):
        events.change(db, event.id, "demo", _draft(capacity=0), STAFF)
    events.change(db, event.id, "demo", _draft(capacity=2, starts_at=event.starts_at), STAFF)
    assert _statuses(db, event) == [SignupStatus.CONFIRMED] * 2 + [SignupStatus.WAITING]
    assert _confirmed_counter(db, event) == 2


def test_the_kiosk_lists_open_events_of_its_building_soonest_first(
    db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    later = make_event(title="晚", starts_at=utcnow() + timedelta(days=9))
    sooner = make_event(title="早", starts_at=utcnow() + timedelta(days=2))
    everywhere = make_event(title="全市", building_code="", starts_at=utcnow() + timedelta(days=5))
    make_event(title="别的楼", building_code="other-tower")
    cancelled = make_event(title="取消")
    events.cancel_event(db, cancelled.id, "demo", STAFF)
    listed = events.upcoming(db, "demo")
    assert [e.title for e in listed.events] == ["早", "全市", "晚"]
    assert listed.total == 3
    assert len(events.upcoming(db, "").events) == 4  # "": every building's
    assert events.upcoming(db, "demo", now=sooner.starts_at).total == 2  # started: not listed
    with pytest.raises(NotFound):
        _sign_up(db, settings, cancelled)
    assert later.id and everywhere.id


def test_demo_events(db: Session, settings: Settings, building: Building) -> None:
    now = datetime.now(settings.zone)
    made = add_demo_events(db, settings, now)
    assert len(made) == 6 and all(e.starts_at > now for e in made)
    full = made[-1]
    assert _statuses(db, full) == [SignupStatus.CONFIRMED] * 3 + [SignupStatus.WAITING] * 2
    assert _confirmed_counter(db, full) == full.capacity == 3
    listed = events.upcoming(db, "demo", now=now)
    assert (listed.total, listed.pages, len(listed.events)) == (6, 2, events.PAGE_SIZE)


def test_one_mobile_from_two_kiosks_at_once_is_one_sign_up(
    app: Flask, db: Session, settings: Settings, make_event: Callable[..., Event]
) -> None:
    factory = app.extensions["kiosk.sessionmaker"]
    for round_ in range(5):
        event = make_event(capacity=5, title=f"营商课堂 {round_}")
        results = _race(
            factory,
            lambda s, e=event: _sign_up(s, settings, e, "13700000000").reference,
            lambda s, e=event: _sign_up(s, settings, e, "13700000000").reference,
        )
        refused = [r for r in results if isinstance(r, ValidationFailed)]
        assert len(refused) == 1 and "already signed up" in str(refused[0].message), results
        assert _statuses(db, event) == [SignupStatus.CONFIRMED]
        assert _confirmed_counter(db, event) == 1
