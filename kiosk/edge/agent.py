"""The terminal's agent: the fleet agent's rounds, over HTTPS instead of a shared database.

Each round it hands the outbox over (oldest first, in batches, until empty or the link fails),
reports its heartbeat (outbox depth, screen, log records) and runs the commands that come back,
copies reference data down every `edge_sync_seconds` (or when `sync_now` asks), and forgets
what the central has had for longer than a slip may be reprinted. Every call has a timeout of
seconds; a failed one marks the link down and waits for the next round (the outbox backs off
per submission only when the central refuses one).
"""

from __future__ import annotations

import base64
import logging
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, select

from kiosk import __version__
from kiosk.db import utcnow
from kiosk.edge import identity as enrolment
from kiosk.edge import outbox, reference
from kiosk.edge.client import Answer, Central, LinkDown, Refused
from kiosk.models import (
    CommandKind,
    EdgeSync,
    Kiosk,
    KioskCommand,
    KioskLog,
    PrinterState,
    PrintJob,
    PrintStatus,
)
from kiosk.services.fleet.agent import Executor, FleetAgent

log = logging.getLogger("kiosk.edge")
BATCH = 50  # submissions a call


@dataclass
class Link:
    """What the terminal knows of its link to the central (shown on its screens)."""

    up: bool | None = None  # None: not tried yet
    since: datetime | None = None
    error: str = ""
    synced_at: datetime | None = None

    @property
    def down(self) -> bool:
        """Whether the last try failed."""
        return self.up is False

    def mark(self, up: bool, error: str = "") -> None:
        """Record a try's outcome."""
        if self.up is not up:
            self.since = utcnow()
            log.warning(
                "link to the central %s%s", "up" if up else "down", f": {error}" * bool(error)
            )
        self.up, self.error = up, error


class EdgeAgent(FleetAgent):
    """Reports, listens, hands over and copies down for one enrolled terminal."""

    def __init__(self, app: Flask, executors: dict[str, Executor]) -> None:
        super().__init__(app, {**executors, CommandKind.ROTATE_TOKEN.value: _rotate_refused})
        self.identity: enrolment.Identity = app.extensions["kiosk.edge.identity"]
        self.central = Central(self.identity.central_url, self.identity.token)
        self.link: Link = app.extensions.setdefault("kiosk.edge.link", Link())
        self._next_sync = 0.0
        self._answered = False  # whether the central answered a call this round
        self._screen: dict[str, Any] = {"paused_message": None, "banner": "", "banner_until": None}

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, etag: str = ""
    ) -> Answer:
        """One call to the central, noting that it answered."""
        answer = self.central.call(method, path, body, etag=etag)
        self._answered = True
        return answer

    def sync_now(self) -> None:
        """Copy reference data down in the next round."""
        self._next_sync = 0.0

    def tick(self, *, force_beat: bool = False) -> None:
        """One round: hand over, report, copy down, tidy up. The link is marked up only when
        the central answered this round (a round with nothing to send proves nothing); while
        it is down, every round reports, so the screens learn of its return within a round."""
        with self.app.app_context():
            self._answered = False
            try:
                self.drain()
                if force_beat or self.link.down or time.monotonic() >= self._next_beat:
                    self._next_beat = time.monotonic() + self.settings.heartbeat_seconds
                    self.beat_over_https()
                if time.monotonic() >= self._next_sync:
                    self.sync()
                    self._next_sync = time.monotonic() + self.settings.edge_sync_seconds
                if self._answered:
                    self.link.mark(True)
            except LinkDown as exc:
                self.link.mark(False, str(exc))
            except Refused as exc:  # a revoked token, a terminal unknown to the central
                self.link.mark(False, f"refused: {exc}")
            self.apply_configuration()
            with self.session() as db:
                self.log_handler.flush_to(db)
                outbox.forget_delivered(db, self.settings.slip_max_age_seconds)

    # ---- the outbox --------------------------------------------------------------------------

    def drain(self) -> int:
        """Hand every due submission over, oldest first; how many the central now has."""
        handed = 0
        while True:
            with self.session() as db:
                rows = outbox.due(db, utcnow(), BATCH)
            if not rows:
                return handed
            items = [{"kind": r.kind, "key": r.idempotency_key, "payload": r.payload} for r in rows]
            answer = self._call("POST", "/api/v1/edge/submissions", {"submissions": items})
            results = {r.get("key"): r for r in answer.body.get("results", [])}
            now = utcnow()
            with self.session() as db:
                stored = {k: r["stored"] for k, r in results.items() if r.get("ok")}
                outbox.acknowledge_many(db, stored, now)
                for row in rows:
                    if row.idempotency_key not in stored:
                        error = str(results.get(row.idempotency_key, {}).get("error", "no answer"))
                        log.error("submission %s refused by the central: %s", row.reference, error)
                        outbox.refused(db, row, error, now, park=True)
            handed += len(stored)
            if not stored:
                return handed

    # ---- the heartbeat -------------------------------------------------------------------------

    def beat_over_https(self) -> None:
        """Report this terminal, and run the commands the central hands back."""
        settings, screen = self.settings, self.screen
        with self.session() as db:
            printers = {
                row.printer: row.state
                for row in db.scalars(
                    select(PrinterState).where(PrinterState.kiosk_id == settings.id)
                )
            }
            waiting = db.scalar(
                select(func.count()).where(
                    PrintJob.kiosk_id == settings.id,
                    PrintJob.status.in_((PrintStatus.PENDING, PrintStatus.PRINTING)),
                )
            )
            depth = outbox.depth(db)
            records = list(db.scalars(select(KioskLog).order_by(KioskLog.id).limit(200)))
        body = {
            "name": settings.name, "version": __version__,
            "uptime_seconds": int(time.monotonic() - self._started),
            "last_page": screen.route, "last_page_at": _iso(screen.page_since),
            "screen_seen_at": _iso(screen.seen_at), "printers": printers,
            "queue_depth": waiting or 0, "outbox_depth": depth,
            "config_version": self.config_version,
            "free_disk_bytes": shutil.disk_usage(self.app.instance_path).free,
            "screen": {
                k: _iso(v) if isinstance(v, datetime) else v for k, v in self._screen.items()
            },
            "logs": [
                {"at": _iso(r.at), "level": r.level, "logger": r.logger, "message": r.message,
                 "fields": r.fields} for r in records
            ],
        }  # fmt: skip
        answer = self._call("POST", "/api/v1/edge/beat", body)
        if records:
            with self.session() as db, db.begin():
                db.execute(delete(KioskLog).where(KioskLog.id <= records[-1].id))
        for handed in answer.body.get("commands", []):
            self._run(handed)

    def _run(self, handed: dict[str, Any]) -> None:
        command = KioskCommand(
            id=handed["id"], kind=CommandKind(handed["kind"]), payload=handed.get("payload", {})
        )
        execute = self.executors.get(command.kind.value)
        try:
            if execute is None:
                raise NotImplementedError(command.kind.value)
            ok, result, attachment = execute(self, command)
        except Exception as exc:
            log.exception("command %s (%s) failed", command.id, command.kind.value)
            ok, result, attachment = False, {"error": f"{type(exc).__name__}: {exc}"}, None
        body: dict[str, Any] = {"ok": ok, "result": result}
        if attachment is not None:
            body["attachment"] = base64.b64encode(attachment).decode("ascii")
        self._call("POST", f"/api/v1/edge/commands/{command.id}", body)

    def run_next_command(self) -> int | None:
        """Commands come with the heartbeat on a terminal."""
        return None

    def do_chores(self) -> bool:
        """Judging the fleet is the central's."""
        return False

    def set_screen(self, **values: Any) -> Kiosk:
        """Change what the screen shows; the central hears it with the next heartbeat."""
        self._screen.update(values)
        self._next_beat = 0.0
        self.screen.set_state(
            self._screen["paused_message"], self._screen["banner"], self._screen["banner_until"]
        )
        return Kiosk(id=self.settings.id, **self._screen)

    # ---- reference data ------------------------------------------------------------------------

    def sync(self) -> None:
        """Copy each kind down that changed (by its ETag), and the fleet's public keys."""
        keys = self._call("GET", "/api/v1/edge/keys").body.get("public_keys", [])
        if keys and tuple(keys) != self.identity.public_keys:
            self.identity = self.identity.with_public_keys(list(keys))
            enrolment.save(self._instance, self.identity)
            self.app.extensions["kiosk.edge.identity"] = self.identity
            self.app.extensions.pop("kiosk.vault", None)  # seal with the new key from now on
            log.info("fleet public key now %s", keys[0][:8])
        for kind in reference.KINDS:
            with self.session() as db:
                state = db.get(EdgeSync, kind)
                etag = state.etag if state is not None else ""
            answer = self._call("GET", f"/api/v1/edge/reference/{kind}", etag=etag)
            with self.session() as db:
                if answer.status == 304:
                    reference.touch(db, kind)
                else:
                    reference.apply(db, kind, answer.body.get("rows", []), answer.etag)
        self.link.synced_at = utcnow()

    @property
    def _instance(self) -> Any:
        from pathlib import Path

        return Path(self.app.instance_path)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _rotate_refused(agent: FleetAgent, command: KioskCommand) -> tuple[bool, dict[str, Any], None]:
    """A terminal's token is replaced by enrolling it again (`kiosk enrol`)."""
    return False, {"error": "an edge terminal gets a new token by enrolling again"}, None
