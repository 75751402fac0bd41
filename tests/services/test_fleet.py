"""The fleet's services: heartbeats, states with closed hours, one alert each way, commands
through the queue, central configuration with versions, kept logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import NotFound, ValidationFailed
from kiosk.models import CommandKind, CommandStatus, KioskAlert, KioskState
from kiosk.services.fleet import commands, kiosks, logs
from kiosk.services.fleet import settings as central

LIMITS = kiosks.Limits(stale_seconds=90, offline_seconds=180)
T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def beat(db: Session, kiosk_id: str, at: datetime, **values: object) -> None:
    kiosks.heartbeat(db, kiosks.Beat(kiosk_id=kiosk_id, building_code="a-tower", **values), at)  # type: ignore[arg-type]


def alert_kinds(db: Session, kiosk_id: str) -> list[str]:
    query = select(KioskAlert.kind).where(KioskAlert.kiosk_id == kiosk_id).order_by(KioskAlert.id)
    return list(db.scalars(query))


def test_a_silent_kiosk_goes_stale_then_offline_with_one_alert_each_way(db: Session) -> None:
    beat(db, "k1", T0, last_page="/policies", queue_depth=2)
    assert kiosks.get(db, "k1").state is KioskState.ONLINE  # type: ignore[union-attr]
    assert kiosks.sweep(db, LIMITS, T0 + timedelta(seconds=60)) == []
    assert kiosks.sweep(db, LIMITS, T0 + timedelta(seconds=100)) == [("k1", "stale")]
    assert alert_kinds(db, "k1") == []  # stale is shown, never alerted
    assert kiosks.sweep(db, LIMITS, T0 + timedelta(seconds=200)) == [("k1", "offline")]
    for seconds in (230, 260, 900):  # judged again and again: no second alert
        assert kiosks.sweep(db, LIMITS, T0 + timedelta(seconds=seconds)) == []
    assert alert_kinds(db, "k1") == ["down"]
    beat(db, "k1", T0 + timedelta(seconds=1000))
    beat(db, "k1", T0 + timedelta(seconds=1030))
    assert alert_kinds(db, "k1") == ["down", "up"]
    assert kiosks.state_counts(db) == {"online": 1, "stale": 0, "offline": 0, "closed": 0}


def test_a_kiosk_that_only_goes_stale_raises_no_alert_when_it_comes_back(db: Session) -> None:
    beat(db, "k1", T0)
    kiosks.sweep(db, LIMITS, T0 + timedelta(seconds=120))
    beat(db, "k1", T0 + timedelta(seconds=130))
    assert kiosks.get(db, "k1").state is KioskState.ONLINE  # type: ignore[union-attr]
    assert alert_kinds(db, "k1") == []


def test_silence_in_closed_hours_is_closed_not_an_alarm(db: Session) -> None:
    night = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    beat(db, "k2", night, closed_hours="23:00-06:00", timezone="Asia/Shanghai")
    assert kiosks.sweep(db, LIMITS, night + timedelta(hours=1)) == [("k2", "closed")]
    assert alert_kinds(db, "k2") == []
    # 06:30: still silent after opening time is an alarm.
    assert kiosks.sweep(db, LIMITS, night + timedelta(hours=8)) == [("k2", "offline")]
    assert alert_kinds(db, "k2") == ["down"]


def test_closed_hours_windows() -> None:
    at = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    assert kiosks.in_closed_hours(at, "23:00-06:00", "Asia/Shanghai")
    assert not kiosks.in_closed_hours(at, "12:00-13:00", "Asia/Shanghai")
    assert kiosks.in_closed_hours(at, "23:00-23:59", "Asia/Shanghai")
    assert not kiosks.in_closed_hours(at, "", "Asia/Shanghai")


def test_two_judges_at_once_record_one_change(db: Session, app: Flask) -> None:
    beat(db, "k3", T0)
    factory = app.extensions["kiosk.sessionmaker"]
    with factory() as other:
        first = kiosks.sweep(db, LIMITS, T0 + timedelta(seconds=400))
        second = kiosks.sweep(other, LIMITS, T0 + timedelta(seconds=400))
    assert first == [("k3", "offline")] and second == []
    assert alert_kinds(db, "k3") == ["down"]


def test_commands_are_queued_picked_once_and_answered(db: Session) -> None:
    beat(db, "k1", T0)
    beat(db, "k2", T0)
    with pytest.raises(NotFound):
        commands.issue(db, "nobody", CommandKind.RELOAD, {}, "tester")
    sent = commands.issue(
        db, "k1", CommandKind.ANNOUNCE, {"text": "电梯检修\x07 至 18:00", "minutes": 30}, "tester"
    )
    assert sent.payload == {"text": "电梯检修 至 18:00", "minutes": 30}
    assert commands.claim(db, "k2") is None  # another kiosk's command is not picked up
    picked = commands.claim(db, "k1")
    assert picked is not None and picked.id == sent.id and picked.status is CommandStatus.RUNNING
    assert commands.claim(db, "k1") is None  # picked once
    done = commands.finish(db, sent.id, ok=True, result={"until": "later"})
    assert done.status is CommandStatus.DONE and done.result == {"until": "later"}


@pytest.mark.parametrize(
    ("kind", "payload", "field"),
    [
        (CommandKind.ANNOUNCE, {"text": ""}, "text"),
        (CommandKind.ANNOUNCE, {"text": "x" * 201}, "text"),
        (CommandKind.ANNOUNCE, {"text": "ok", "minutes": 0}, "minutes"),
        (CommandKind.ANNOUNCE, {"text": "ok", "minutes": True}, "minutes"),
        (CommandKind.PAUSE, {"message": 5}, "message"),
        (CommandKind.RELOAD, {"force": True}, "force"),
    ],
)
def test_a_bad_payload_is_refused_naming_the_field(
    db: Session, kind: CommandKind, payload: dict[str, object], field: str
) -> None:
    beat(db, "k1", T0)
    with pytest.raises(ValidationFailed) as refused:
        commands.issue(db, "k1", kind, payload, "tester")
    assert field in refused.value.fields


def test_a_command_its_kiosk_never_picks_up_expires(db: Session) -> None:
    beat(db, "k1", T0)
    sent = commands.issue(db, "k1", CommandKind.RELOAD, {}, "tester")
    assert commands.expire(db, sent.issued_at + timedelta(minutes=11)) == 1
    db.refresh(sent)
    assert sent.status is CommandStatus.EXPIRED


def test_central_configuration_is_checked_versioned_and_layered(db: Session, app: Flask) -> None:
    base = app.config["KIOSK"]
    with pytest.raises(ValidationFailed) as refused:
        central.change(db, base, "", {"idle_seconds": 1, "hotline": "call us"}, "ops")
    assert set(refused.value.fields) == {"idle_seconds", "hotline"}
    with pytest.raises(ValidationFailed) as refused:
        central.change(db, base, "", {"secret_key": "x" * 40}, "ops")
    assert "secret_key" in refused.value.fields
    assert central.current(db, "") is None  # nothing stored by a refused change
    fleet = central.change(db, base, "", {"hotline": "0731-12345", "idle_seconds": 90}, "ops")
    own = central.change(db, base, base.id, {"idle_seconds": 120}, "ops")
    same = central.change(db, base, base.id, {"idle_seconds": 120}, "ops")
    assert same.id == own.id  # a change that changes nothing is no new version
    settings, version = central.effective(db, base)
    assert (settings.hotline, settings.idle_seconds, version) == ("0731-12345", 120, own.id)
    cleared = central.change(db, base, base.id, {"idle_seconds": None}, "张工")
    assert cleared.changes == {"idle_seconds": [120, None]} and cleared.changed_by == "张工"
    settings, _ = central.effective(db, base)
    assert settings.idle_seconds == 90 and fleet.changes["hotline"] == [None, "0731-12345"]
    assert [v.id for v in central.history(db)] == [cleared.id, own.id, fleet.id]


def test_log_records_are_kept_with_their_fields_and_pruned(
    db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    handler = logs.DatabaseLogHandler("k1")
    logger = logging.getLogger("kiosk.test-fleet")
    logger.addHandler(handler)
    caplog.set_level(logging.INFO, logger="kiosk.test-fleet")
    try:
        logger.warning("printer %s out of paper", "receipt", extra={"job": 7})
        logger.info("heartbeat sent")
    finally:
        logger.removeHandler(handler)
    assert handler.flush_to(db) == 2
    assert [r.level for r in logs.recent(db, "k1")] == ["INFO", "WARNING"]  # newest first
    found = logs.recent(db, "k1", level="WARNING")
    assert [r.message for r in found] == ["printer receipt out of paper"]
    assert found[0].fields == {"job": 7} and found[0].logger == "kiosk.test-fleet"
    assert logs.prune(db, datetime.now(UTC) + timedelta(days=8)) == 2
    assert logs.recent(db, "k1") == []


def test_accepted_api_calls_stay_out_of_the_kept_logs_refusals_stay_in(
    db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    handler = logs.DatabaseLogHandler("web-1")
    caplog.set_level(logging.INFO, logger="kiosk")
    access, fleet = logging.getLogger("kiosk.access"), logging.getLogger("kiosk.fleet")
    for logger in (access, fleet):
        logger.addHandler(handler)
    try:
        for _ in range(50):  # Prometheus scraping, kiosks reporting over HTTP
            access.info("api token used", extra={"token": "abc"})
        access.warning("api request refused: no live token", extra={"endpoint": "api.x"})
        fleet.info("central configuration 3 applied")
    finally:
        for logger in (access, fleet):
            logger.removeHandler(handler)
    assert handler.flush_to(db) == 2
    kept = [(r.logger, r.message) for r in logs.recent(db, "web-1")]
    assert kept == [
        ("kiosk.fleet", "central configuration 3 applied"),
        ("kiosk.access", "api request refused: no live token"),
    ]


def test_a_fleet_chore_is_done_once_a_round_whoever_asks(db: Session) -> None:
    from kiosk.services.fleet import chores

    assert chores.take_turn(db, "judge", 30, "k1", T0)  # the first ever
    assert not chores.take_turn(db, "judge", 30, "k2", T0 + timedelta(seconds=1))
    assert not chores.take_turn(db, "judge", 30, "k1", T0 + timedelta(seconds=29))
    assert chores.take_turn(db, "judge", 30, "k2", T0 + timedelta(seconds=30))  # due again
    assert not chores.take_turn(db, "judge", 30, "k1", T0 + timedelta(seconds=31))
    assert chores.take_turn(db, "prune", 30, "k1", T0 + timedelta(seconds=31))  # its own round
