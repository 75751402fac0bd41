"""Every slip the kiosk prints, on 58 mm and 80 mm paper, decoded from the printer's bytes:
no line is wider than the paper, and no number, reference, masked ID, hotline or URL is split.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Appeal, Application, Event, EventSignup, Tenant
from kiosk.services import slips
from kiosk.services.demo import load_demo
from kiosk.services.demo_applications import load_applications
from kiosk.services.policies import matching
from kiosk.services.policies.sheet import policy_sheet
from kiosk.tasks import TASKS
from kiosk.web import public_link
from printers import PrinterProfile, Receipt, Text, encode_receipt
from tests.support.escpos_decoder import RasterImage, decode

PAPERS = {58: PrinterProfile.for_paper(58), 80: PrinterProfile.for_paper(80)}
BUILDING = "芙蓉国际金融中心"
LONG_URL = "https://meeting.example.cn/j/8837261544?pwd=Xk2Lr9aQ7s&from=kiosk-lobby"

# Written out here, not taken from the code under test: what must stay on one printed line.
TOKEN = re.compile(
    r"https?://[!-~]+"  # a URL
    r"|[A-Z]{1,4}-\d{8}-\d{3,4}"  # a reference number, SQ-20261124-0042
    r"|\d{3}\*{4,}\d{3}[\dX]"  # a masked resident ID or mobile number
    r"|\d+(?:[-:.,]\d+)*"  # a number, a hotline 12345-1, a date or time
)


def _width(text: str) -> int:
    return sum(1 if ord(char) < 0x80 else 2 for char in text)


def _slips(app: Flask, db: Session) -> Iterator[tuple[str, Receipt]]:
    """(kind, receipt) for every kind of slip, from the demo data, in both languages."""
    settings = app.config["KIOSK"]
    result = load_demo(db, settings)
    load_applications(db, settings, result["tenant_rows"], result["officer"], utcnow())
    db.commit()
    for appeal in db.scalars(select(Appeal).order_by(Appeal.id).limit(6)):
        url = public_link("public.appeal_status", token=appeal.token)
        for locale in ("zh_CN", "en"):
            appeal.locale = locale
            yield f"appeal-{locale}", _receipt(slips.appeal_slip(appeal, settings, BUILDING, url))
    db.rollback()
    for application in db.scalars(select(Application).order_by(Application.id)):
        paperwork = TASKS[application.task].paperwork
        assert paperwork is not None
        url = public_link("public.application_status", token=application.token)
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                lines = paperwork.receipt(application.answers, locale)
                text = [(str(label), value) for label, value in lines]
                application.locale = locale
                title = str(TASKS[application.task].title)
                document = slips.application_slip(application, title, text, settings, BUILDING, url)
            yield f"{application.task}-{locale}", _receipt(document)
    db.rollback()
    yield from _event_slips(db, settings)
    tenant = db.scalars(select(Tenant).order_by(Tenant.id)).first()
    assert tenant is not None
    today = datetime.now(UTC).astimezone(settings.zone).date()
    top = matching.match(db, matching.facts_of(tenant, today), today, per_page=5).matches
    for locale in ("zh_CN", "en"):
        with force_locale(locale):
            document = policy_sheet(
                f"{tenant.name}（长沙）🐻", top, settings, today,
                lambda policy: public_link("public.policy_text", code=policy.code),
            )  # fmt: skip
        yield f"policy-sheet-{locale}", _receipt(document)
    yield (
        "test",
        slips.test_slip(settings, utcnow(), public_link("public.appeal_status", token="t")),
    )


def _event_slips(db: Session, settings: Any) -> Iterator[tuple[str, Receipt]]:
    for signup in db.scalars(select(EventSignup).order_by(EventSignup.id).limit(4)):
        event = db.get(Event, signup.event_id)
        assert event is not None
        event.online_url = LONG_URL
        signup.company_name = "长沙市芙蓉区👨\u200d💻星辰大海网络科技有限责任公司"
        url = public_link("public.signup_status", token=signup.token)
        for locale, position in (("zh_CN", None), ("en", 12)):
            signup.locale = locale
            yield (
                f"event-{locale}",
                _receipt(slips.event_slip(signup, event, settings, BUILDING, url, position)),
            )
    db.rollback()


def _receipt(document: dict[str, Any]) -> Receipt:
    return Receipt.from_dict(document)


@pytest.fixture
def every_slip(app: Flask, db: Session) -> list[tuple[str, Receipt]]:
    """Each kind of slip, built the way the kiosk builds it, as a Receipt."""
    with app.test_request_context(base_url="https://kiosk.example.cn"):
        found = list(_slips(app, db))
    kinds = {kind.rsplit("-", 1)[0] for kind, _ in found}
    assert {"appeal", "event", "policy-sheet", "test"} <= kinds
    assert {slug for slug, task in TASKS.items() if task.paperwork is not None} <= kinds
    return found


def test_every_slip_kind_fits_the_paper_and_keeps_tokens_whole(
    every_slip: list[tuple[str, Receipt]],
) -> None:
    for (kind, receipt), profile in itertools.product(every_slip, PAPERS.values()):
        for reprint in (False, True):
            slip = decode(encode_receipt(receipt, profile=profile, reprint=reprint))
            lines = [line for line in slip.lines if line.text]
            for line in lines:
                used = sum(_width(run.text) * run.width for run in line.runs)
                assert used <= profile.chars, f"{kind}: {line.text!r} is {used} columns"
            for image in slip.of_type(RasterImage):  # one printed line each, never wrapped
                assert image.height in (30, 60) and image.width == profile.dots, kind
            printed = [line.text for line in lines]
            for element in receipt.elements:
                if isinstance(element, Text):
                    _tokens_whole(kind, element, printed, profile)


def _tokens_whole(kind: str, element: Text, printed: list[str], profile: PrinterProfile) -> None:
    room = profile.chars // element.size
    for token in TOKEN.findall(element.text):
        token = token.rstrip(".,;:)")
        if _width(token) <= room and not any(ord(c) > 0xFFFF for c in element.text):
            assert any(token in line for line in printed), f"{kind}: {token!r} split in {printed}"
