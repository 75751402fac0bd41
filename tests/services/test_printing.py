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
    assert job is not None and job.status is PrintStatus.SENT and job.attempts == 1
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


def test_a_job_in_flight_when_the_process_died_prints_after_restart(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    db: Session,
    printer: FakePrinter,
) -> None:
    _slip_appeal(app, make_appeal)
    job = db.scalar(select(PrintJob))
    assert job is not None
    job.status = PrintStatus.PRINTING  # claimed, then the process was killed
    db.commit()
    worker = _worker(app, make_app, printer.url)
    assert worker.run_once() == 0  # not due while another worker might hold it
    assert worker.recover() == 1
    assert worker.run_once() == 1
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
