"""Staff see every slip that did not print (or is not known to have) until someone looked."""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import Appeal, AuditLog, PrintJob, PrintStatus, Staff
from kiosk.services.printing import PrintWorker, state
from tests.admin.conftest import Admin
from tests.support.fake_printer import FakePrinter
from tests.support.pages import csrf_token


def _slip(app: Flask, make_appeal: Callable[..., Appeal]) -> Appeal:
    from kiosk.services import slips

    return make_appeal(
        slip=lambda a: slips.appeal_slip(
            a, app.config["KIOSK"], "Furong IFC", "http://kiosk.test/status/x"
        )
    )


def _set(db: Session, status: PrintStatus, **values: object) -> PrintJob:
    db.rollback()
    job = db.scalar(select(PrintJob).order_by(PrintJob.id.desc()))
    assert job is not None
    job.status = status
    for name, value in values.items():
        setattr(job, name, value)
    db.commit()
    return job


def test_not_printed_slips_are_counted_bannered_until_looked_at_and_on_the_appeal(
    admin: Admin, officer: Staff, db: Session, app: Flask, make_appeal: Callable[..., Appeal]
) -> None:
    expired = _slip(app, make_appeal)
    _set(db, PrintStatus.EXPIRED, last_error="not printed in time")
    doubtful = _slip(app, make_appeal)
    _set(db, PrintStatus.IN_DOUBT, sending_at=utcnow(), last_error="the kiosk stopped")
    unconfirmed = _slip(app, make_appeal)
    _set(db, PrintStatus.SENT, confirmation="none")
    fine = _slip(app, make_appeal)
    _set(db, PrintStatus.PRINTED, confirmation="process_id")
    with transaction(db):
        state.record(db, kiosk_id="kiosk-1", printer="receipt", url="tcp://10.0.0.5:9100",
                     state="ready")  # fmt: skip
    admin.sign_in("officer")
    page = html_lib.unescape(admin.text("/admin/printers"))
    # the queue summary no longer hides them (it used to say only "waiting, failed")
    assert "1 expired, 1 may not have printed, 1 not confirmed" in page
    assert 'data-print-problems-alert="3"' in admin.text("/admin/appeals")  # on every page
    for appeal in (expired, doubtful, unconfirmed):
        shown = html_lib.unescape(admin.text(f"/admin/appeals/{appeal.reference}"))
        assert "Slip not printed — reprint (补打)" in shown
    assert "data-slip-problem" not in admin.text(f"/admin/appeals/{fine.reference}")
    response = admin.client.post(
        "/admin/print-jobs/acknowledge", data={"csrf_token": csrf_token(page)}
    )
    assert "Marked 3 slips as looked at." in html_lib.unescape(admin.flash(response))
    assert "data-print-problems-alert" not in admin.text("/admin/appeals")
    assert db.scalar(select(AuditLog).where(AuditLog.action == "print_job.acknowledge"))
    # the appeal's own page still offers the reprint: looking is not printing
    assert "data-slip-problem" in admin.text(f"/admin/appeals/{doubtful.reference}")


def test_reprinting_a_slip_that_may_have_come_out_is_marked(
    admin: Admin, officer: Staff, db: Session, app: Flask, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = _slip(app, make_appeal)
    job = _set(db, PrintStatus.IN_DOUBT, sending_at=utcnow() - timedelta(minutes=5))
    admin.sign_in("officer")
    page = admin.text(f"/admin/appeals/{appeal.reference}")
    response = admin.client.post(
        f"/admin/print-jobs/{job.id}/reprint",
        data={"csrf_token": csrf_token(page), "back": f"/admin/appeals/{appeal.reference}"},
    )
    assert response.status_code == 303
    db.rollback()
    copy = db.scalar(select(PrintJob).order_by(PrintJob.id.desc()))
    assert copy is not None and copy.id != job.id and copy.reprint  # the paper says 补打


def test_a_hung_printer_is_not_answering_and_raises_the_banner(
    admin: Admin, officer: Staff, app: Flask, make_app: Callable[..., Flask]
) -> None:
    with FakePrinter() as printer:
        printer.hang()  # takes the connection, never reads, never answers
        settings = make_app(receipt_printer=printer.url, printer_timeout=0.3).config["KIOSK"]
        worker = PrintWorker(app.extensions["kiosk.sessionmaker"], settings)
        assert worker.poll_status() == "not_answering"
        printer.power_cycle()
    admin.sign_in("officer")
    page = html_lib.unescape(admin.text("/admin/printers"))
    assert 'data-state="not_answering"' in page and "Not answering" in page
    assert 'data-printer-alert="kiosk-1:not_answering"' in admin.text("/admin/appeals")
