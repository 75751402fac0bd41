"""The printers page: each printer's state, the queue, retry / cancel / reprint, previews."""

from __future__ import annotations

import html as html_lib
import struct
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import Appeal, AuditLog, PrintJob, PrintStatus, Staff
from kiosk.services.printing import state
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token


def _slip(app: Flask, make_appeal: Callable[..., Appeal]) -> Appeal:
    from kiosk.services import slips

    return make_appeal(
        slip=lambda a: slips.appeal_slip(
            a, app.config["KIOSK"], "Furong IFC", "http://kiosk.test/status/x"
        )
    )


def _job(db: Session, status: PrintStatus) -> PrintJob:
    db.rollback()
    job = db.scalar(select(PrintJob).order_by(PrintJob.id.desc()))
    assert job is not None
    job.status = status
    db.commit()
    return job


def _post(admin: Admin, path: str) -> str:
    html = admin.text("/admin/printers")
    response = admin.client.post(path, data={"csrf_token": csrf_token(html)})
    return html_lib.unescape(admin.flash(response))


def test_state_queue_and_banner(
    admin: Admin, officer: Staff, db: Session, app: Flask, make_appeal: Callable[..., Appeal]
) -> None:
    _slip(app, make_appeal)
    with transaction(db):
        state.record(db, kiosk_id="kiosk-1", printer="receipt", url="tcp://10.0.0.5:9100",
                     state="paper_near_end", detail="roll sensor: near end")  # fmt: skip
    admin.sign_in("officer")
    page = html_lib.unescape(admin.text("/admin/printers"))
    assert 'data-printer="kiosk-1:receipt" data-state="paper_near_end"' in page
    assert "Paper running out" in page and "tcp://10.0.0.5:9100" in page
    assert "1 waiting, 0 failed" in page
    # Staff are warned on every page, before a tenant finds the printer empty.
    assert 'data-printer-alert="kiosk-1:paper_near_end"' in admin.text("/admin/appeals")


def test_retry_cancel_and_reprint_are_audited(
    admin: Admin, officer: Staff, db: Session, app: Flask, make_appeal: Callable[..., Appeal]
) -> None:
    _slip(app, make_appeal)
    admin.sign_in("officer")
    failed = _job(db, PrintStatus.FAILED)
    assert "The job will be printed again." in _post(admin, f"/admin/print-jobs/{failed.id}/retry")
    db.expire_all()
    retried = db.get(PrintJob, failed.id)
    assert (
        retried is not None
        and retried.status is PrintStatus.PENDING
        and retried.staff_id == officer.id
    )
    assert "The job has been cancelled." in _post(admin, f"/admin/print-jobs/{failed.id}/cancel")
    sent = _job(db, PrintStatus.SENT)
    assert "补打" in _post(admin, f"/admin/print-jobs/{sent.id}/reprint")
    db.expire_all()
    copy = db.scalar(select(PrintJob).order_by(PrintJob.id.desc()))
    assert (
        copy is not None and copy.id != sent.id and copy.reprint and copy.document == sent.document
    )
    actions = db.scalars(select(AuditLog.action).where(AuditLog.action.like("print_job.%"))).all()
    assert sorted(actions) == ["print_job.cancel", "print_job.reprint", "print_job.retry"]


def test_wrong_state_is_refused_with_a_message(
    admin: Admin, officer: Staff, db: Session, app: Flask, make_appeal: Callable[..., Appeal]
) -> None:
    _slip(app, make_appeal)
    admin.sign_in("officer")
    sent = _job(db, PrintStatus.SENT)
    page = _post(admin, f"/admin/print-jobs/{sent.id}/cancel")
    assert "Only a job that is waiting or failed can be cancelled." in page
    db.expire_all()
    assert db.get(PrintJob, sent.id).status is PrintStatus.SENT  # type: ignore[union-attr]


def test_preview_is_a_png_of_the_paper_width(
    admin: Admin, officer: Staff, db: Session, app: Flask, make_appeal: Callable[..., Appeal]
) -> None:
    _slip(app, make_appeal)
    admin.sign_in("officer")
    job = _job(db, PrintStatus.PENDING)
    response = admin.get(f"/admin/print-jobs/{job.id}/preview")
    assert response.status_code == 200 and response.mimetype == "image/png"
    png = response.get_data()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert width == 576 and height > 400  # 80 mm paper; a slip is taller than it is wide


def test_printers_need_a_signed_in_staff_member(admin: Admin) -> None:
    response = admin.get("/admin/printers")
    assert response.status_code == 302 and "/admin/sign-in" in response.location
    assert admin.get("/admin/print-jobs/1/preview").status_code == 302


def test_a_printer_that_went_down_shows_on_every_page(
    admin: Admin, officer: Staff, db: Session
) -> None:
    with transaction(db):
        state.record(db, kiosk_id="lobby-2", printer="receipt", url="tcp://10.0.0.6:9100",
                     state="cover_open", now=utcnow())  # fmt: skip
    admin.sign_in("officer")
    assert 'data-printer-alert="lobby-2:cover_open"' in admin.text("/admin/appeals")
