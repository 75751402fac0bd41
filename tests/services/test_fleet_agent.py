"""The fleet agent in one process: it reports, takes up central configuration, rotates its
token, refuses a command it cannot run with a reason, and keeps its log records."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import ApiToken, CommandKind, CommandStatus, Kiosk, KioskState, Scope
from kiosk.services import tokens
from kiosk.services.fleet import commands, kiosks, logs
from kiosk.services.fleet import settings as central
from kiosk.services.fleet.agent import FleetAgent
from kiosk.services.fleet.executors import EXECUTORS
from kiosk.services.fleet.screen import Report


@pytest.fixture
def agent(app: Flask) -> FleetAgent:
    return FleetAgent(app, EXECUTORS)


def run(agent: FleetAgent, db: Session, kind: CommandKind, **payload: object) -> object:
    sent = commands.issue(db, agent.base_settings.id, kind, dict(payload), "test")
    agent.tick()
    db.expire_all()
    return commands.get(db, sent.id)


def test_the_heartbeat_says_what_the_screen_shows(agent: FleetAgent, db: Session) -> None:
    agent.screen.report(Report("/policies/<int:policy_id>", "/policies/7", 1, 1080, 1920))
    agent.tick(force_beat=True)
    kiosk = kiosks.get(db, "kiosk-1")
    assert kiosk is not None and kiosk.state is KioskState.ONLINE
    assert kiosk.last_page == "/policies/<int:policy_id>"  # the route, never the address
    assert kiosk.screen_seen_at is not None and kiosk.free_disk_bytes
    assert kiosk.building_code == "demo" and kiosk.version


def test_central_configuration_is_taken_up(agent: FleetAgent, app: Flask, db: Session) -> None:
    agent.tick(force_beat=True)
    version = central.change(
        db, app.config["KIOSK"], "", {"hotline": "0731-88886666", "idle_seconds": 120}, "ops"
    )
    agent.tick(force_beat=True)
    assert app.config["KIOSK"].hotline == "0731-88886666"
    assert app.config["KIOSK"].idle_seconds == 120
    db.expire_all()
    assert kiosks.get(db, "kiosk-1").config_version == version.id  # type: ignore[union-attr]
    page = app.test_client().get("/").get_data(as_text=True)
    assert "0731-88886666" in page and 'data-idle-seconds="120"' in page


def test_rotating_the_token_replaces_it_in_the_instance_folder(
    agent: FleetAgent, app: Flask, db: Session
) -> None:
    agent.tick(force_beat=True)
    old = tokens.create(db, "kiosk kiosk-1", Scope.OPERATE, kiosk_id="kiosk-1")
    command = run(agent, db, CommandKind.ROTATE_TOKEN)
    assert command.status is CommandStatus.DONE  # type: ignore[attr-defined]
    path = Path(app.instance_path) / "kiosk.token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    new = path.read_text().strip()
    assert tokens.verify(db, new) is not None and tokens.verify(db, old.token) is None
    assert command.result["revoked"] == [old.row.key]  # type: ignore[attr-defined]
    assert new not in str(command.result)  # type: ignore[attr-defined]
    live = db.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))).all()
    assert [t.kiosk_id for t in live] == ["kiosk-1"]


def test_a_command_that_cannot_run_fails_with_its_reason(
    agent: FleetAgent, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent.tick(force_beat=True)
    monkeypatch.setattr("kiosk.services.fleet.executors.RELOAD_WAIT", 0.2)
    reloaded = run(agent, db, CommandKind.RELOAD)  # no screen is showing anything
    assert reloaded.status is CommandStatus.FAILED  # type: ignore[attr-defined]
    assert "did not report back" in reloaded.result["error"]  # type: ignore[attr-defined]
    monkeypatch.setattr("kiosk.services.fleet.executors.PRINT_WAIT", 0.5)
    printed = run(agent, db, CommandKind.TEST_PRINT)  # no print worker in this app
    assert printed.status is CommandStatus.FAILED  # type: ignore[attr-defined]
    assert printed.result["status"] == "waiting"  # type: ignore[attr-defined]


def test_pause_and_banner_reach_the_touchscreen(agent: FleetAgent, app: Flask, db: Session) -> None:
    agent.tick(force_beat=True)
    client = app.test_client()
    run(agent, db, CommandKind.ANNOUNCE, text="今天下午电梯检修", minutes=10)
    assert "今天下午电梯检修" in client.get("/").get_data(as_text=True)
    run(agent, db, CommandKind.PAUSE, message="系统升级")
    paused = client.get("/policies")
    assert paused.status_code == 503 and "系统升级" in paused.get_data(as_text=True)
    assert client.get("/screen?page=/").get_json()["paused"] is True
    assert client.get("/admin/sign-in").status_code == 200  # staff are not paused
    run(agent, db, CommandKind.RESUME)
    assert client.get("/policies").status_code == 200


def test_the_agent_keeps_its_log_records(agent: FleetAgent, db: Session) -> None:
    agent.start()
    try:
        import logging

        logging.getLogger("kiosk.fleet").error("receipt printer gone", extra={"printer": "r"})
        agent.tick(force_beat=True)
    finally:
        agent.stop()
    (record,) = [r for r in logs.recent(db, "kiosk-1") if r.message == "receipt printer gone"]
    assert record.level == "ERROR" and record.fields == {"printer": "r"}


def test_of_two_agents_only_one_judges_the_fleet_in_a_round(
    agent: FleetAgent, app: Flask, db: Session
) -> None:
    other = FleetAgent(app, EXECUTORS)
    assert [agent.do_chores(), other.do_chores(), agent.do_chores()] == [True, False, False]


def test_a_web_server_judges_the_fleet_but_is_no_kiosk(
    make_app: Callable[..., Flask], db: Session
) -> None:
    web = FleetAgent(make_app(id="web-1", terminal=False), EXECUTORS)
    kiosks.heartbeat(db, kiosks.Beat(kiosk_id="lobby-a-1", building_code="a-tower"))
    commands.issue(db, "lobby-a-1", CommandKind.RELOAD, {}, "test")
    db.execute(update(Kiosk).values(last_seen_at=utcnow() - timedelta(minutes=10)))
    db.commit()
    web.tick(force_beat=True)  # every kiosk silent: the web server still raises the alarm
    db.expire_all()
    assert [k.id for k in kiosks.listing(db)] == ["lobby-a-1"]  # web-1 is not a kiosk
    assert kiosks.get(db, "lobby-a-1").state is KioskState.OFFLINE  # type: ignore[union-attr]
    assert [a.kind for a in kiosks.alerts(db, "lobby-a-1")] == ["down"]
    (waiting,) = commands.recent(db, "lobby-a-1")
    assert waiting.status is CommandStatus.QUEUED  # a kiosk's command is its own to run
