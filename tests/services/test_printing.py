"""The print outbox worker: slips reach a real socket once, failures are retried, then parked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Appeal, PrintJob, PrintStatus
from kiosk.services import printing
from kiosk.services.printing import PrintWorker
from tests.support.escpos_decoder import decode
from tests.support.fake_printer import FakePrinter


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        yield fake


def _worker(
    app: Flask, make_app: Callable[..., Flask], url: str, **overrides: object
) -> PrintWorker:
    settings = make_app(receipt_printer=url, printer_timeout=1.0, **overrides).config["KIOSK"]
    return PrintWorker(app.extensions["kiosk.sessionmaker"], settings)


def _slip_appeal(app: Flask, make_appeal: Callable[..., Appeal]) -> Appeal:
    """Submit an appeal with the real slip, as the terminal does."""
    from kiosk.services import slips
    from kiosk.web import public_link

    def slip(appeal: Appeal) -> dict[str, object]:
        url = public_link("public.appeal_status", token=appeal.token)
        return slips.appeal_slip(appeal, app.config["KIOSK"], "芙蓉国际金融中心", url)

    return make_appeal(slip=slip, category="policy")


def test_slip_reaches_the_printer_in_chinese_with_the_status_qr(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
    printer: FakePrinter,
) -> None:
    appeal = _slip_appeal(app, make_appeal)
    worker = _worker(app, make_app, printer.url)
    assert worker.run_once() == 1
    (job_bytes,) = printer.wait_for_jobs(1, timeout=5)
    slip = decode(job_bytes)
    assert appeal.reference in slip.text
    assert "诉求类别：政策兑现" in slip.text
    assert "联系电话：138****5678" in slip.text and "13812345678" not in slip.text
    assert slip.qr_payloads == [f"http://kiosk.test/status/{appeal.token}"]
    assert len(slip.cuts) == 1
    job = db.scalar(select(PrintJob))
    assert job is not None and job.status is PrintStatus.PRINTED and job.attempts == 1
    assert job.confirmation == "process_id"  # the printer answered after the cut
    assert worker.run_once() == 0  # sent once, never again
    assert len(printer.jobs) == 1


def test_english_slip_for_an_english_speaker(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    printer: FakePrinter,
) -> None:
    from kiosk.services import slips

    appeal = make_appeal(
        locale="en",
        category="finance",
        slip=lambda a: slips.appeal_slip(
            a, app.config["KIOSK"], "Furong IFC", "http://kiosk.test/s"
        ),
    )
    _worker(app, make_app, printer.url).run_once()
    slip = decode(printer.wait_for_jobs(1, timeout=5)[0])
    assert "Category: Financing" in slip.text and appeal.reference in slip.text


def test_printer_port_closed_is_retried_then_parked(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    _slip_appeal(app, make_appeal)
    with FakePrinter(mode="refuse") as closed:
        worker = _worker(app, make_app, closed.url, print_retry_limit=3, slip_max_age_seconds=3600)
        later = utcnow()
        for _ in range(3):
            assert worker.run_once(now=later) == 1
            db.rollback()  # end the test's read snapshot to see the worker's write
            db.expire_all()
            job = db.scalar(select(PrintJob))
            assert job is not None
            assert "refused" in job.last_error
            later = job.next_attempt_at + timedelta(seconds=1)
    assert job.status is PrintStatus.FAILED and job.attempts == 3
    assert printing.tenant_state(job) == "failed"


def test_tenant_is_told_after_the_first_failure(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = _slip_appeal(app, make_appeal)
    job = printing.latest_job(db, "appeal_slip", appeal.reference)
    assert printing.tenant_state(job) == "printing"
    with FakePrinter(mode="refuse") as closed:
        _worker(app, make_app, closed.url).run_once()
    db.rollback()  # end the test's read snapshot to see the worker's write
    db.expire_all()
    job = printing.latest_job(db, "appeal_slip", appeal.reference)
    assert job is not None and job.status is PrintStatus.PENDING  # still retried …
    assert printing.tenant_state(job) == "failed"  # … but the tenant is not kept waiting


def test_a_slip_too_old_to_hand_over_expires_instead_of_printing(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
    printer: FakePrinter,
) -> None:
    _slip_appeal(app, make_appeal)
    worker = _worker(app, make_app, printer.url, slip_max_age_seconds=10)
    assert worker.run_once(now=utcnow() + timedelta(seconds=30)) == 0
    job = db.scalar(select(PrintJob))
    assert job is not None and job.status is PrintStatus.EXPIRED
    assert printer.jobs == []


def _dead_pid() -> int:
    """The id of a process that has just exited."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_job_in_flight_when_its_process_died_prints_after_restart(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
    printer: FakePrinter,
) -> None:
    import socket

    _slip_appeal(app, make_appeal)
    job = db.scalar(select(PrintJob))
    assert job is not None
    job.status = PrintStatus.PRINTING  # claimed, then the process was killed mid-job
    job.claimed_by, job.claimed_at = f"{socket.gethostname()}:{_dead_pid()}:dead", utcnow()
    db.commit()
    worker = _worker(app, make_app, printer.url)
    assert worker.run_once() == 0  # its lease has not run out: it might still be printing
    assert worker.recover() == 1  # but its process is gone: take it back at once
    assert worker.run_once() == 1
    assert len(printer.wait_for_jobs(1, timeout=5)) == 1


def test_a_live_workers_job_is_left_alone_until_its_lease_runs_out(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
    printer: FakePrinter,
) -> None:
    import os
    import socket

    _slip_appeal(app, make_appeal)
    job = db.scalar(select(PrintJob))
    assert job is not None
    job.status = PrintStatus.PRINTING
    job.claimed_by, job.claimed_at = f"{socket.gethostname()}:{os.getppid()}:alive", utcnow()
    db.commit()
    worker = _worker(app, make_app, printer.url, print_lease_seconds=30, slip_max_age_seconds=3600)
    assert worker.recover() == 0
    assert worker.run_once() == 0
    assert worker.run_once(now=utcnow() + timedelta(seconds=31)) == 1  # the lease ran out
    assert len(printer.wait_for_jobs(1, timeout=5)) == 1


def test_each_kiosk_prints_only_its_own_jobs(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    printer: FakePrinter,
) -> None:
    _slip_appeal(app, make_appeal)  # queued by kiosk-1
    other = _worker(app, make_app, printer.url, id="kiosk-2")
    assert other.run_once() == 0
    assert printer.jobs == []


def test_worker_thread_prints_when_woken(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    printer: FakePrinter,
) -> None:
    worker = _worker(app, make_app, printer.url)
    worker.start()
    try:
        _slip_appeal(app, make_appeal)
        worker.wake()
        assert len(printer.wait_for_jobs(1, timeout=5)) == 1
    finally:
        worker.stop()


def _refresh(db: Session) -> PrintJob:
    db.rollback()
    db.expire_all()
    job = db.scalar(select(PrintJob).order_by(PrintJob.id.desc()))
    assert job is not None
    return job


def test_paper_out_holds_the_job_without_using_up_tries_and_tells_staff(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
    printer: FakePrinter,
) -> None:
    from kiosk.services.printing import state

    _slip_appeal(app, make_appeal)
    worker = _worker(app, make_app, printer.url, slip_max_age_seconds=3600)
    printer.state = "paper_out"
    assert worker.run_once() == 1
    job = _refresh(db)
    assert job.status is PrintStatus.PENDING and job.attempts == 0 and job.last_error
    assert printing.tenant_state(job) == "failed"
    row = state.get(db, "kiosk-1")
    assert row is not None and row.state == "paper_out" and state.is_down(row)
    assert printer.jobs == []  # nothing was sent to a printer without paper
    printer.state = "ready"  # staff put paper in
    assert worker.run_once(now=utcnow() + timedelta(seconds=11)) == 1
    assert _refresh(db).status is PrintStatus.PRINTED
    assert len(printer.wait_for_jobs(1, timeout=5)) == 1
    db.expire_all()
    row = state.get(db, "kiosk-1")
    assert row is not None and not state.is_down(row) and row.last_error == ""


def test_status_poll_records_what_the_printer_says(
    app: Flask, make_app: Callable[..., Flask], db: Session, printer: FakePrinter
) -> None:
    from kiosk.services.printing import state

    worker = _worker(app, make_app, printer.url)
    for said in ("ready", "paper_near_end", "cover_open"):
        printer.state = said
        assert worker.poll_status() == said
    printer.state = "mute"  # a printer that confirms slips yet answers nothing is hung
    assert worker.poll_status() == "not_answering"
    row = state.get(db, "kiosk-1")
    assert row is not None and state.is_down(row)
    # one set up as never answering (confirm=none) is unknown, never ready, and not down
    worker = _worker(app, make_app, printer.url + "?confirm=none")
    assert worker.poll_status() == "unknown"
    db.rollback()
    row = state.get(db, "kiosk-1")
    assert row is not None and row.state == "unknown" and not state.is_down(row)


def test_print_again_after_a_failed_slip(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = _slip_appeal(app, make_appeal)
    with FakePrinter(mode="refuse") as closed:
        _worker(app, make_app, closed.url).run_once()
    db.rollback()
    status = printing.slip_status(db, "kiosk-1", "appeal_slip", appeal.reference)
    # Unreachable is down: no "print again" until the printer answers again.
    assert status.state == "failed" and status.printer_down and not status.can_retry
    with FakePrinter() as working:
        worker = _worker(app, make_app, working.url)
        assert worker.poll_status() == "ready"
        db.rollback()
        status = printing.slip_status(db, "kiosk-1", "appeal_slip", appeal.reference)
        assert status.state == "failed" and not status.printer_down and status.can_retry
        printing.print_again(db, "kiosk-1", "appeal_slip", appeal.reference)
        worker.run_once()
        slip = decode(working.wait_for_jobs(1, timeout=5)[0])
    assert appeal.reference in slip.text and "补打" not in slip.text  # the tenant's first slip
    jobs = db.scalars(select(PrintJob).order_by(PrintJob.id)).all()
    db.expire_all()
    assert [j.status for j in db.scalars(select(PrintJob).order_by(PrintJob.id))] == [
        PrintStatus.CANCELLED,  # the failed one never prints as well
        PrintStatus.PRINTED,
    ]
    assert len(jobs) == 2


def test_no_print_again_while_the_printer_is_known_down(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    from kiosk.errors import Conflict

    appeal = _slip_appeal(app, make_appeal)
    with FakePrinter() as empty:
        empty.state = "paper_out"
        _worker(app, make_app, empty.url).run_once()
    db.rollback()
    status = printing.slip_status(db, "kiosk-1", "appeal_slip", appeal.reference)
    assert status.state == "failed" and status.printer_down and not status.can_retry
    with pytest.raises(Conflict):
        printing.print_again(db, "kiosk-1", "appeal_slip", appeal.reference)


def test_staff_reprint_is_marked_on_paper_and_never_expires(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
    printer: FakePrinter,
    make_staff: Callable[..., object],
) -> None:
    from kiosk.models import Role
    from kiosk.services.audit import Actor

    _slip_appeal(app, make_appeal)
    worker = _worker(app, make_app, printer.url, slip_max_age_seconds=10)
    worker.run_once()
    original = _refresh(db)
    officer = Actor(make_staff("officer", Role.STAFF), "127.0.0.1")  # type: ignore[arg-type]
    printing.reprint_job(db, original.id, officer)
    assert worker.run_once(now=utcnow() + timedelta(minutes=30)) == 1  # staff asked: no expiry
    first, second = printer.wait_for_jobs(2, timeout=5)
    assert "补打" not in decode(first).text and "补打" in decode(second).text


def test_two_workers_for_one_kiosk_print_each_job_once(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    printer: FakePrinter,
) -> None:
    import threading

    for _ in range(12):
        _slip_appeal(app, make_appeal)
    workers = [_worker(app, make_app, printer.url) for _ in range(3)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    jobs = printer.wait_for_jobs(12, timeout=10)
    references = sorted(
        line for job in jobs for line in decode(job).text.split("\n") if line.startswith("SQ-")
    )
    assert len(references) == 12 and len(set(references)) == 12


def test_two_first_readings_at_once_do_not_collide(app: Flask) -> None:
    """Two workers recording a printer's very first state at the same moment (the fleet case)."""
    import threading

    from kiosk.db import transaction
    from kiosk.services.printing import state

    factory = app.extensions["kiosk.sessionmaker"]
    errors: list[BaseException] = []
    for n in range(5):
        barrier = threading.Barrier(2, timeout=10)

        def record(kiosk: str = f"lobby-{n}", barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                with factory() as db, transaction(db):
                    state.record(
                        db, kiosk_id=kiosk, printer="receipt", url="dummy://", state="ready"
                    )
            except BaseException as exc:  # collected for the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=record) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
