"""Printed means the printer said so after the cut; a job in doubt is never resent unmarked."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import Appeal, PrintJob, PrintStatus
from kiosk.services import printing
from kiosk.services.printing import PrintWorker, state
from tests.support.escpos_decoder import decode
from tests.support.fake_printer import FakePrinter


def _worker(
    app: Flask, make_app: Callable[..., Flask], url: str, **overrides: object
) -> PrintWorker:
    settings = make_app(receipt_printer=url, printer_timeout=1.0, **overrides).config["KIOSK"]
    return PrintWorker(app.extensions["kiosk.sessionmaker"], settings)


def _slip_appeal(app: Flask, make_appeal: Callable[..., Appeal]) -> Appeal:
    from kiosk.services import slips

    return make_appeal(
        slip=lambda a: slips.appeal_slip(a, app.config["KIOSK"], "芙蓉", "http://kiosk.test/s/x")
    )


def _job(db: Session) -> PrintJob:
    db.rollback()
    db.expire_all()
    job = db.scalar(select(PrintJob).order_by(PrintJob.id.desc()))
    assert job is not None
    return job


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_dummy_printer_is_no_printer_not_printed(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = _slip_appeal(app, make_appeal)
    assert _worker(app, make_app, "dummy://").run_once() == 1
    job = _job(db)
    assert job.status is PrintStatus.SENT and job.confirmation == "simulated"
    assert printing.slip_status(db, "kiosk-1", "appeal_slip", appeal.reference).state == (
        "no_printer"  # the screen says 未连接打印机, never 已打印
    )
    assert printing.unseen_problems(db) == 0  # there is no paper to miss


def test_a_printer_that_cannot_confirm_is_sent_not_confirmed_and_staff_see_it(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = _slip_appeal(app, make_appeal)
    with FakePrinter(model="basic") as printer:
        assert _worker(app, make_app, printer.url + "?confirm=none").run_once() == 1
        printer.wait_for_jobs(1)
    job = _job(db)
    assert job.status is PrintStatus.SENT and job.confirmation == "none"
    status = printing.slip_status(db, "kiosk-1", "appeal_slip", appeal.reference)
    assert status.state == "unconfirmed"
    assert printing.job_counts(db, "kiosk-1").unconfirmed == 1
    assert printing.slip_problem(db, "appeal_slip", appeal.reference) is not None


def test_the_printer_answers_gs_r_when_set_up_so(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    _slip_appeal(app, make_appeal)
    with FakePrinter(speed=20_000) as printer:
        assert _worker(app, make_app, printer.url + "?confirm=status").run_once() == 1
        assert printer.history[0].confirms and all(
            c == b"\x1dr\x01" for c in printer.history[0].confirms
        )
    job = _job(db)
    assert job.status is PrintStatus.PRINTED and job.confirmation == "status"
    row = state.get(db, "kiosk-1")
    assert row is not None and row.rate is not None and row.rate > 0  # its speed is kept


def test_died_while_sending_is_reprinted_marked_while_the_tenant_may_be_there(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:
    appeal = _slip_appeal(app, make_appeal)
    job = _job(db)
    job.status, job.claimed_at = PrintStatus.PRINTING, utcnow()
    job.claimed_by = f"{socket.gethostname()}:{_dead_pid()}:dead"
    job.sending_at = utcnow()  # its first byte had left when the process died
    db.commit()
    with FakePrinter() as printer:
        worker = _worker(app, make_app, printer.url, slip_max_age_seconds=60)
        assert worker.recover() == 1
        taken = _job(db)
        assert (taken.status, taken.reprint) == (PrintStatus.PENDING, True), taken.last_error
        assert printing.slip_status(db, "kiosk-1", "appeal_slip", appeal.reference).state == (
            "retrying"
        )
        assert worker.run_once() == 1
        (copy,) = printer.wait_for_jobs(1)
    slip = decode(copy)
    assert "补打" in slip.text and appeal.reference in slip.text  # never a second unmarked copy
    assert _job(db).status is PrintStatus.PRINTED


def test_died_while_sending_and_restarted_late_is_in_doubt_not_expired(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:
    appeal = _slip_appeal(app, make_appeal)
    job = _job(db)
    long_ago = utcnow() - timedelta(minutes=10)
    job.created_at, job.sending_at, job.claimed_at = long_ago, long_ago, long_ago
    job.status, job.claimed_by = PrintStatus.PRINTING, f"{socket.gethostname()}:{_dead_pid()}:x"
    db.commit()
    with FakePrinter() as printer:
        worker = _worker(app, make_app, printer.url, slip_max_age_seconds=60)
        assert worker.recover() == 1
        assert worker.run_once() == 0
        assert printer.jobs == []  # nothing comes out for a stranger to find
    job = _job(db)
    # it may well have come out: "may not have printed", never "not printed in time"
    assert job.status is PrintStatus.IN_DOUBT and "in time" not in job.last_error
    assert printing.slip_problem(db, "appeal_slip", appeal.reference) is not None


def test_a_slip_the_printer_is_too_slow_to_finish_in_time_is_not_started(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:
    _slip_appeal(app, make_appeal)
    with transaction(db):
        row = state.record(db, kiosk_id="kiosk-1", printer="receipt", url="x", state="ready")
        row.rate = 20.0  # bytes per second, measured on earlier slips
    with FakePrinter() as printer:
        assert _worker(app, make_app, printer.url, slip_max_age_seconds=10).run_once() == 1
        assert printer.jobs == [] and printer.out() == []
    job = _job(db)
    assert job.status is PrintStatus.EXPIRED and job.sending_at is None


def test_a_reset_mid_slip_is_retried_whole_and_marked(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:
    appeal = _slip_appeal(app, make_appeal)
    with FakePrinter(reset_after=300, resets=1) as printer:
        worker = _worker(app, make_app, printer.url, slip_max_age_seconds=60)
        assert worker.run_once() == 1
        job = _job(db)
        assert job.status is PrintStatus.PENDING and job.reprint  # a torn piece may be out
        assert printing.tenant_state(job) == "retrying"
        assert worker.run_once(now=job.next_attempt_at + timedelta(seconds=1)) == 1
        torn, whole = printer.wait_for_jobs(2)
    assert len(torn) <= 300 and "补打" in decode(whole).text
    assert appeal.reference in decode(whole).text
    assert _job(db).status is PrintStatus.PRINTED
