"""The fleet agent: a thread in each serve process that reports this kiosk's heartbeat, runs
the commands queued for it, applies the central configuration, keeps its log records in the
database, and takes its turn at the fleet's chores (judging every kiosk: see `chores`)."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kiosk import __version__
from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.models import Kiosk, KioskCommand, PrinterState, PrintJob, PrintStatus
from kiosk.services.fleet import alerts, chores, commands, kiosks, logs
from kiosk.services.fleet import settings as central
from kiosk.services.fleet.screen import Screen

log = logging.getLogger("kiosk.fleet")
Executor = Callable[["FleetAgent", KioskCommand], tuple[bool, dict[str, Any], bytes | None]]


def limits(settings: Settings) -> kiosks.Limits:
    """The stale and offline timeouts from the settings."""
    return kiosks.Limits(settings.stale_seconds, settings.offline_seconds)


class FleetAgent:
    """Reports, listens and judges for one kiosk; `tick` does one round (tests call it)."""

    def __init__(self, app: Flask, executors: dict[str, Executor]) -> None:
        self.app = app
        self.screen: Screen = app.extensions["kiosk.screen"]
        self.executors = executors
        self._factory: sessionmaker[Session] = app.extensions["kiosk.sessionmaker"]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started_at = utcnow()
        self._started = time.monotonic()
        self._next_beat = 0.0
        self.base_settings: Settings = app.config["KIOSK"]
        self.config_version = 0
        self.log_handler = logs.DatabaseLogHandler(self.base_settings.id)

    @property
    def settings(self) -> Settings:
        """The settings in force now (central values applied)."""
        settings: Settings = self.app.config["KIOSK"]
        return settings

    def session(self) -> Session:
        """A new database session."""
        return self._factory()

    def start(self) -> None:
        """Keep this process's log records, report at once, then run in the background."""
        logging.getLogger("kiosk").addHandler(self.log_handler)
        self._thread = threading.Thread(target=self._loop, name="fleet-agent", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current round."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        logging.getLogger("kiosk").removeHandler(self.log_handler)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except SQLAlchemyError as exc:
                log.warning("fleet database unavailable (%s); will try again", type(exc).__name__)
            except Exception:
                log.exception("fleet agent error")
            self._stop.wait(self.settings.command_poll_seconds)

    def tick(self, *, force_beat: bool = False) -> None:
        """One round: the queued commands; every `heartbeat_seconds` the rest as well."""
        # A web server (not a terminal) has no screen to command and is no kiosk to list: it
        # only takes the central configuration and its turn at the fleet's chores.
        terminal = self.base_settings.terminal
        with self.app.app_context():
            while terminal and (command_id := self.run_next_command()) is not None:
                log.info("command %s done", command_id)
            if force_beat or time.monotonic() >= self._next_beat:
                self._next_beat = time.monotonic() + self.settings.heartbeat_seconds
                self.apply_configuration()
                if terminal:
                    self.beat()
                self.do_chores()
            with self.session() as db:
                self.log_handler.flush_to(db)

    def do_chores(self) -> bool:
        """Judge the fleet, expire commands, send alerts, prune logs, if it is this kiosk's turn."""
        settings = self.settings
        with self.session() as db:
            if not chores.take_turn(db, "judge", settings.heartbeat_seconds, settings.id):
                return False
            kiosks.sweep(db, limits(settings))
            commands.expire(db)
            alerts.deliver(db, settings.alert_webhook_url)
            logs.prune(db)
        return True

    def run_next_command(self) -> int | None:
        """Run this kiosk's oldest queued command and record its result; its id, or None."""
        with self.session() as db:
            command = commands.claim(db, self.base_settings.id)
            if command is None:
                return None
            execute = self.executors.get(command.kind.value)
            try:
                if execute is None:
                    raise NotImplementedError(command.kind.value)
                ok, result, attachment = execute(self, command)
            except Exception as exc:
                log.exception("command %s (%s) failed", command.id, command.kind.value)
                ok, result, attachment = False, {"error": f"{type(exc).__name__}: {exc}"}, None
            commands.finish(db, command.id, ok=ok, result=result, attachment=attachment)
            return command.id

    def apply_configuration(self) -> None:
        """Take up a newer central configuration, if there is one."""
        with self.session() as db:
            if central.latest_version(db, self.base_settings.id) == self.config_version:
                return
            try:
                settings, version = central.effective(db, self.base_settings)
            except ValueError as exc:  # a stored value that no longer passes: keep running
                log.error("central configuration not applied: %s", exc)
                return
        old, self.config_version = self.settings, version
        self.app.config["KIOSK"] = settings
        worker = self.app.extensions.get("kiosk.print_worker")
        if worker is not None and settings.receipt_printer != old.receipt_printer:
            worker.use_settings(settings)
        log.info("central configuration %s applied", version, extra={"version": version})

    def beat(self, now: datetime | None = None) -> kiosks.Reported:
        """Report this kiosk's state; take back what its row says the screen shows."""
        settings, screen, now = self.settings, self.screen, now or utcnow()
        with self.session() as db:
            kiosk = kiosks.heartbeat(db, self._beat(db, settings, screen), now)
            screen.set_state(kiosk.paused_message, kiosk.banner, kiosk.banner_until)
            return kiosk

    def _beat(self, db: Session, settings: Settings, screen: Screen) -> kiosks.Beat:
        printers = {
            row.printer: row.state
            for row in db.scalars(select(PrinterState).where(PrinterState.kiosk_id == settings.id))
        }
        waiting = select(func.count()).where(
            PrintJob.kiosk_id == settings.id,
            PrintJob.status.in_((PrintStatus.PENDING, PrintStatus.PRINTING)),
        )
        return kiosks.Beat(
            kiosk_id=settings.id,
            building_code=settings.building,
            name=settings.name,
            version=__version__,
            started_at=self._started_at,
            uptime_seconds=int(time.monotonic() - self._started),
            last_page=screen.route,
            last_page_at=screen.page_since,
            screen_seen_at=screen.seen_at,
            printers=printers,
            queue_depth=db.scalar(waiting) or 0,
            free_disk_bytes=shutil.disk_usage(self.app.instance_path).free,
            closed_hours=settings.closed_hours,
            timezone=settings.timezone,
            config_version=self.config_version,
        )

    def set_screen(self, **values: Any) -> Kiosk:
        """Change what this kiosk's row says its screen shows (pause, banner), and show it."""
        with self.session() as db, transaction(db):
            kiosk = db.get(Kiosk, self.base_settings.id)
            if kiosk is None:  # a command before the first heartbeat cannot be: issue checks
                raise LookupError(self.base_settings.id)
            for name, value in values.items():
                setattr(kiosk, name, value)
        self.screen.set_state(kiosk.paused_message, kiosk.banner, kiosk.banner_until)
        return kiosk
