"""Two worker processes on one database never send one message twice (SKIP LOCKED on
PostgreSQL, the write lock on SQLite), and between them send every message."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Channel, MessageState, Notification
from kiosk.services import notify
from tests.conftest import TEST_SECRET
from tests.services.notify.conftest import sms_settings
from tests.support.fake_sms import FakeSms

MESSAGES = 30


def _work(config: dict[str, Any], instance: str, go: Any, results: Any) -> None:
    """One worker process: build the app, wait for the start, send what is due."""
    from kiosk import create_app
    from kiosk.services.notify import NotifyWorker

    app = create_app(config, instance_path=Path(instance))
    try:
        go.wait(30)
        results.put(NotifyWorker(app).run_once())
    finally:
        app.extensions["kiosk.engine"].dispose()


def test_two_worker_processes_send_each_message_exactly_once(
    database_url: str, db: Session, fake_sms: FakeSms, tmp_path: Path
) -> None:
    for n in range(MESSAGES):
        notify.enqueue(
            db, channel=Channel.SMS, audience="tenant", recipient=f"138{n:08d}",
            recipient_masked="138****0000", template="appeal_answered", locale="zh_CN",
            params={"reference": f"SQ-20261207-{n:04d}", "token": f"token{n:04d}abcdef"},
            dedupe_key=f"load:{n}", building_code="demo",
        )  # fmt: skip
    db.commit()
    fake_sms.delay = 0.03  # seconds a message takes at the provider: the two overlap
    config = {
        "secret_key": TEST_SECRET, "database_url": database_url, "print_worker": False,
        "receipt_printer": "dummy://", "public_url": "http://kiosk.test",
        "admin_second_factor": False, **sms_settings(fake_sms, notify_timeout=5),
    }  # fmt: skip
    # fork: the children start from this process, the app already imported (spawn took
    # seconds a child); each builds its own app and engine after the fork.
    forked = multiprocessing.get_context("fork")
    go, results = forked.Event(), forked.Queue()
    workers = [
        forked.Process(target=_work, args=(config, str(tmp_path / "instance"), go, results))
        for _ in range(2)
    ]
    for process in workers:
        process.start()
    go.set()
    tried = sorted(results.get(timeout=60) for _ in workers)
    for process in workers:
        process.join(10)
    sent = [params["OutId"] for params in fake_sms.received]
    assert len(sent) == MESSAGES and len(set(sent)) == MESSAGES  # each once, none twice
    assert sum(tried) == MESSAGES and tried[0] > 0, f"both processes should send: {tried}"
    db.expire_all()
    assert set(db.scalars(select(Notification.state))) == {MessageState.SENT}
