"""Signing up for an event at the touchscreen, in Chinese: the list, the company, the slip."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.services import events
from kiosk.services.audit import Actor
from kiosk.services.events import EventDraft
from tests.e2e.conftest import LiveKiosk, watch_console
from tests.e2e.kiosk_pages import WORDS, check_layout, first_tenant
from tests.support.escpos_decoder import decode

TITLE = "营商课堂：数电发票实操（端到端）"


def _publish(kiosk: LiveKiosk) -> int:
    """Staff publish an event (through the service, on the kiosk's own database)."""
    engine = create_engine(f"sqlite:///{kiosk.database}")
    try:
        with Session(engine, expire_on_commit=False) as db:
            starts = utcnow() + timedelta(days=2)
            draft = EventDraft(
                TITLE, "class", starts, starts + timedelta(hours=2), "3F 多功能厅", "", 30
            )
            return events.publish(db, "demo", draft, Actor(None, "e2e")).id
    finally:
        engine.dispose()


def test_sign_up_for_an_event_in_chinese(page: Page, live_kiosk: LiveKiosk, shots: Path) -> None:
    errors = watch_console(page)
    event_id = _publish(live_kiosk)
    company, _room = first_tenant(live_kiosk.database)
    page.goto(live_kiosk.url + "/events")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    check_layout(page, shots, "events-portrait-zh")
    page.locator(f'a[data-event="{event_id}"]').click()
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_role("button", name=re.compile(re.escape(company))).first.click()
    expect(page.locator("[data-company]")).to_contain_text(company)
    page.locator("#contact_name").fill("张𠀀")
    page.locator("#contact_mobile").fill("13812345678")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/events/done$"))
    reference = page.locator("[data-reference]").inner_text().strip()
    assert re.fullmatch(r"HD-\d{8}-\d{4}", reference), reference
    status = page.locator("[data-signup-status]")
    expect(status).to_have_attribute("data-signup-status", "confirmed")
    expect(page.locator("[data-when=printed]")).to_contain_text(WORDS["zh_CN"]["printed"])
    check_layout(page, shots, "event-done-portrait-zh")
    slip = decode(live_kiosk.printer.wait_for_jobs(1, timeout=15)[-1])
    assert TITLE in slip.text and reference in slip.text and "138****5678" in slip.text
    assert slip.qr_payloads[0].startswith(live_kiosk.url + "/signups/")
    assert errors == []
