"""The message worker: sends due messages from the outbox, in a background thread of `kiosk
serve` or once from `kiosk notify run-once`.

A message is claimed with a lease (who, since when) in one short transaction; `sending_at` is
committed just before its request leaves; the outcome is written only by the worker that still
holds it. Several processes may share one database: on PostgreSQL they claim with FOR UPDATE
SKIP LOCKED, on SQLite the write lock taken up front serialises them. A message whose worker
went silent is taken back when its lease runs out: queued again if its request never left,
else failed as "may have arrived", for a person to decide, so nothing is sent twice unasked.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.models import Channel, MessageState, Notification
from kiosk.services.notify import outbox, texts
from kiosk.services.notify.base import Outgoing, Provider
from kiosk.services.notify.http import SendFailed
from kiosk.services.notify.providers import provider_for

log = logging.getLogger("kiosk.notify")
POLL_INTERVAL = 2.0  # seconds between looks at the outbox
# The values a tenant's SMS template takes (the provider's template names the same ones).
TENANT_PARAMS = ("reference", "link", "code", "minutes")
DOUBT = "the sender stopped while this message was leaving: it may have arrived"

ProviderFactory = Callable[[Channel, Settings], Provider]


class NotifyWorker:
    """Sends the outbox's due messages, one at a time."""

    def __init__(self, app: Flask, providers: ProviderFactory = provider_for) -> None:
        self._app = app
        self._factory: sessionmaker[Session] = app.extensions["kiosk.sessionmaker"]
        self._providers = providers
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def settings(self) -> Settings:
        """The app's settings now (central configuration may replace them)."""
        settings: Settings = self._app.config["KIOSK"]
        return settings

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._loop, name="notify-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current message."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look at the outbox now."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except OperationalError:
                log.warning("message outbox unavailable (database busy); will try again")
            except Exception:
                log.exception("message worker error")
            self._wake.wait(POLL_INTERVAL)
            self._wake.clear()

    def run_once(self, now: datetime | None = None) -> int:
        """Send every message that is due; return how many were tried."""
        tried = 0
        while not self._stop.is_set():
            message_id = self._claim(now or utcnow())
            if message_id is None:
                return tried
            self._send(message_id, now)
            tried += 1
        return tried

    def _claim(self, now: datetime) -> int | None:
        abandoned = now - timedelta(seconds=self.settings.notify_lease_seconds)
        with self._factory() as db, transaction(db):
            due = (
                select(Notification)
                .where(
                    or_(
                        and_(
                            Notification.state == MessageState.QUEUED,
                            Notification.next_attempt_at <= now,
                        ),
                        and_(
                            Notification.state == MessageState.SENDING,
                            or_(
                                Notification.claimed_at.is_(None),
                                Notification.claimed_at < abandoned,
                            ),
                        ),
                    )
                )
                .order_by(Notification.id)
                .limit(20)
            )
            if db.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            for row in db.scalars(due):
                if row.state is MessageState.SENDING and row.sending_at is not None:
                    # Its worker went silent after the request left: keep its claim, so that
                    # worker may still record what happened, but never send it again unasked.
                    row.state, row.last_error = MessageState.FAILED, DOUBT
                    continue
                row.state, row.claimed_by, row.claimed_at = (
                    MessageState.SENDING,
                    self.worker_id,
                    now,
                )
                row.sending_at = None
                return row.id
        return None

    def _outgoing(self, db: Session, message_id: int) -> Outgoing:
        row = db.get(Notification, message_id)
        assert row is not None
        with self._app.app_context():
            title, text = texts.render(row)
            params = texts.values(row)
        return Outgoing(
            id=row.id,
            channel=row.channel,
            template=row.template,
            locale=row.locale,
            recipient=row.recipient,
            recipient_masked=row.recipient_masked,
            params={key: params[key] for key in TENANT_PARAMS if key in params}
            if row.audience == "tenant"
            else params,
            title=title,
            text=text,
        )

    def _send(self, message_id: int, now: datetime | None) -> None:
        provider_name, result, error, permanent = "", "", "", False
        try:
            with self._factory() as db:
                message = self._outgoing(db, message_id)
            provider = self._providers(message.channel, self.settings)
            provider_name = provider.name
            if not self._sending(message_id):
                return  # taken back in the meantime
            result = provider.send(message)
        except SendFailed as exc:
            error, permanent = str(exc), exc.permanent
            log.warning("message %s not sent: %s", message_id, error)
        except Exception as exc:  # a bug must not loop forever on one message
            log.exception("message %s crashed", message_id)
            error, permanent = f"internal error: {type(exc).__name__}", True
        self._finish(message_id, provider_name, result, error, permanent, now)

    def _sending(self, message_id: int) -> bool:
        """Commit that the request is about to leave; False if the claim is no longer ours."""
        with self._factory() as db, transaction(db):
            result = db.execute(
                update(Notification)
                .where(Notification.id == message_id, Notification.claimed_by == self.worker_id)
                .values(sending_at=utcnow())
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def _finish(
        self,
        message_id: int,
        provider: str,
        result: str,
        error: str,
        permanent: bool,
        now: datetime | None,
    ) -> None:
        when = now or utcnow()
        with self._factory() as db, transaction(db):
            row = db.get(Notification, message_id, with_for_update=True)
            if row is None or row.claimed_by != self.worker_id:
                return  # our lease ran out and someone else has it now
            row.attempts += 1
            row.provider = provider or row.provider
            row.claimed_at = None
            if not error:
                row.state, row.sent_at, row.last_error = MessageState.SENT, when, ""
                row.provider_message_id = result[:100]
                row.recipient = ""  # gone: only the masked number stays
                if "code" in row.params:  # a confirmation code is not kept once it is sent
                    row.params = {k: v for k, v in row.params.items() if k != "code"}
                return
            row.last_error = error
            if permanent or row.attempts >= self.settings.notify_retry_limit:
                row.state = MessageState.FAILED
            else:
                row.state = MessageState.QUEUED
                row.next_attempt_at = when + outbox.backoff(row.attempts)
