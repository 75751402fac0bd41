"""Reminders: each owed hand-off due soon or overdue is told to its handler once a day,
by a background thread of `kiosk serve` (one server of a fleet per round) or by
`kiosk reminders run-once`."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import date

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload, sessionmaker

from kiosk.config import Settings
from kiosk.db import transaction
from kiosk.models import OWED, Appeal, Assignment
from kiosk.services import notify
from kiosk.services.assignments import common
from kiosk.services.assignments.clock import Calendar, Cutoffs, Timing
from kiosk.services.assignments.review import handlers
from kiosk.services.fleet.chores import take_turn
from kiosk.services.ledger import today_in

log = logging.getLogger("kiosk.reminders")
EVERY = 3600.0  # seconds between rounds; the dedupe key keeps it to one reminder a day
CHORE = "hand_off_reminders"


def run_reminders(db: Session, settings: Settings, today: date) -> int:
    """Queue today's due-soon and overdue reminders; a hand-off already reminded today is
    not reminded again (the message's dedupe key names the hand-off and the day)."""
    cutoffs = Cutoffs.on(Calendar.of(settings), today)
    query = (
        select(Assignment)
        .where(Assignment.state.in_(OWED), Assignment.due_on <= cutoffs.soon_until)
        .options(joinedload(Assignment.appeal).joinedload(Appeal.category))
        .order_by(Assignment.id)
    )
    queued = 0
    with transaction(db):
        for row in db.scalars(query).unique():
            late = cutoffs.timing(row.due_on)
            event = "due_soon" if late is Timing.DUE_SOON else "overdue"
            for person in handlers(db, row):
                queued += notify.notify_staff(
                    db,
                    person,
                    event,
                    settings=settings,
                    key=f"{row.id}:{today.isoformat()}",
                    building_code=row.building_code,
                    reference=row.appeal.reference,
                    title=row.appeal.category.name_zh,
                    due=row.due_on.isoformat(),
                    link=common.admin_link(row.appeal.reference),
                )
    return queued


class ReminderWorker:
    """Runs the reminders every hour in a background thread (one server of a fleet a round)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._factory: sessionmaker[Session] = app.extensions["kiosk.sessionmaker"]
        self._holder = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._loop, name="reminders", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current round."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> int:
        """One round now, if it is this server's turn; how many reminders were queued."""
        settings: Settings = self._app.config["KIOSK"]
        with self._app.app_context(), self._factory() as db:
            if not take_turn(db, CHORE, EVERY, self._holder):
                return 0
            return run_reminders(db, settings, today_in(settings.zone))

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except OperationalError:
                log.warning("reminders: database busy; will try again")
            except Exception:
                log.exception("reminders failed")
            self._stop.wait(60.0)  # seconds: the chore's turn decides how often a round runs
