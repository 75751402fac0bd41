"""Events at the touchscreen: the list, signing up (or the waiting list), bad input, the slip."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from kiosk.db import utcnow
from kiosk.models import Building, Event, EventSignup, SignupStatus, Tenant
from kiosk.services import events
from kiosk.services.audit import Actor
from kiosk.services.events import EventDraft
from kiosk.services.printing import PrintWorker
from tests.support.escpos_decoder import decode
from tests.support.fake_printer import FakePrinter
from tests.support.pages import csrf_token
from tests.support.terminal import Terminal, reference_on

# The pages behave alike on either database; their services' tests run on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

EXPIRED = "This page had expired, so nothing was saved yet. Check your answer and try again."


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The kiosk in English, so the tests read the msgids whatever the catalogue says."""
    return make_app(default_locale="en")


@pytest.fixture
def make_event(db: Session, building: Building) -> Callable[..., Event]:
    def factory(capacity: int = 30, title: str = "数电发票实操培训", **values: Any) -> Event:
        starts = utcnow() + timedelta(days=values.pop("days", 3))
        draft = EventDraft(
            title=title,
            kind="training",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            place=values.pop("place", "5F 培训室"),
            online_url=values.pop("online_url", ""),
            capacity=capacity,
        )
        return events.publish(db, "demo", draft, Actor(None, "test"))

    return factory


def _text(response: TestResponse) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def _form(html: str) -> dict[str, str]:
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html)
    assert key, "no sign-up form on the page"
    return {"csrf_token": csrf_token(html), "submission_key": key.group(1)}


def _pick(client: FlaskClient, event: Event, tenant: str) -> dict[str, str]:
    """Choose the company on the event's page; return the sign-up form's hidden fields."""
    page = client.get(f"/events/{event.id}")
    assert page.status_code == 200
    chosen = client.post(
        f"/events/{event.id}/company",
        data={"tenant": tenant, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert chosen.status_code == 303, _text(chosen)[-1500:]
    return _form(client.get(f"/events/{event.id}").get_data(as_text=True))


def _sign_up(
    client: FlaskClient, event: Event, tenant: str, name: str = "张三", mobile: str = "13812345678"
) -> TestResponse:
    form = _pick(client, event, tenant)
    return client.post(
        f"/events/{event.id}", data={**form, "contact_name": name, "contact_mobile": mobile}
    )


def _count(db: Session) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(EventSignup)) or 0)


def test_the_list_shows_places_left_and_full_events(
    client: FlaskClient, app: Flask, make_event: Callable[..., Event], db: Session
) -> None:
    open_event = make_event(capacity=30, title="政银企融资对接会")
    full = make_event(capacity=1, title="HR 训练营", days=4)
    draft = events.SignupDraft("k" * 32, full.id, None, "甲公司", "甲", "13800000001", "en")
    events.sign_up(db, app.config["KIOSK"], draft)
    page = _text(Terminal(client).page("/events"))
    assert "政银企融资对接会" in page and "30 places left" in page
    assert re.search(rf'data-event="{full.id}".*?data-seats-left="0"', page, re.S)
    assert f'href="/events/{open_event.id}"' in page


def test_signing_up_for_a_listed_company(
    client: FlaskClient, make_event: Callable[..., Event], make_tenant: Callable[..., Tenant]
) -> None:
    event = make_event()
    tenant = make_tenant("长沙星辰软件科技有限公司")
    picker = _text(client.get(f"/events/{event.id}"))
    assert "长沙星辰软件科技有限公司" in picker and "5F 培训室" in picker
    done = _sign_up(client, event, str(tenant.id))
    assert done.status_code == 303 and done.location == "/events/done"
    page = _text(client.get("/events/done"))
    assert reference_on(page).startswith("HD-")
    assert "You are signed up" in page and '<svg class="qr qr--large"' in page
    assert 'data-signup-status="confirmed"' in page


def test_a_full_event_puts_the_tenant_on_the_waiting_list(
    client: FlaskClient, app: Flask, make_event: Callable[..., Event], db: Session
) -> None:
    event = make_event(capacity=1)
    assert _sign_up(client, event, "other", mobile="13800000001").status_code == 400  # no name
    first = app.test_client()
    form = _pick(first, event, "other")
    data = {**form, "company_name": "甲公司", "contact_name": "甲", "contact_mobile": "13800000001"}
    assert first.post(f"/events/{event.id}", data=data).status_code == 303
    second = app.test_client()
    form = _pick(second, event, "other")
    assert "Join the waiting list" in _text(second.get(f"/events/{event.id}"))
    data = {**form, "company_name": "乙公司", "contact_name": "乙", "contact_mobile": "13800000002"}
    assert second.post(f"/events/{event.id}", data=data).status_code == 303
    page = _text(second.get("/events/done"))
    assert 'data-signup-status="waiting"' in page and "Waiting list: number 1" in page


def test_a_double_submit_is_one_sign_up(
    client: FlaskClient, make_event: Callable[..., Event], make_tenant: Callable[..., Tenant],
    db: Session,
) -> None:  # fmt: skip
    event = make_event()
    form = _pick(client, event, str(make_tenant().id))
    data = {**form, "contact_name": "张三", "contact_mobile": "13812345678"}
    assert client.post(f"/events/{event.id}", data=data).location == "/events/done"
    assert client.post(f"/events/{event.id}", data=data).location == "/events/done"
    assert _count(db) == 1


def test_an_expired_page_keeps_what_was_typed_and_saves_nothing(
    client: FlaskClient, make_event: Callable[..., Event], make_tenant: Callable[..., Tenant],
    db: Session,
) -> None:  # fmt: skip
    event = make_event()
    form = _pick(client, event, str(make_tenant().id))
    data = {"submission_key": form["submission_key"], "contact_name": "李四𠀀",
            "contact_mobile": "13912345678"}  # fmt: skip
    response = client.post(f"/events/{event.id}", data=data)
    assert response.status_code == 400
    page = _text(response)
    assert EXPIRED in page and 'value="李四𠀀"' in page and 'value="13912345678"' in page
    assert _count(db) == 0
    again = client.post(f"/events/{event.id}", data={**data, "csrf_token": form["csrf_token"]})
    assert again.status_code == 303 and _count(db) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"contact_mobile": "1381234"}, "Enter an 11-digit mobile number starting with 1"),
        ({"contact_name": "长" * 51}, "This must be 50 characters or fewer"),
        ({"contact_name": ""}, "This cannot be empty."),
    ],
)
def test_bad_input_is_shown_again_with_the_problem(
    client: FlaskClient, make_event: Callable[..., Event], make_tenant: Callable[..., Tenant],
    db: Session, fields: dict[str, str], message: str,
) -> None:  # fmt: skip
    event = make_event()
    form = _pick(client, event, str(make_tenant().id))
    data = {**form, "contact_name": "王五😀", "contact_mobile": "13812345678", **fields}
    response = client.post(f"/events/{event.id}", data=data)
    assert response.status_code == 400
    page = _text(response)
    assert message in page and 'class="error-summary"' in page
    assert _count(db) == 0


def test_control_characters_are_taken_out_and_rare_characters_kept(
    client: FlaskClient, make_event: Callable[..., Event], db: Session
) -> None:
    event = make_event()
    form = _pick(client, event, "other")
    data = {**form, "company_name": "𠮷野家🍜有限公司", "contact_name": "张\u202e𠀀\x07😀",
            "contact_mobile": "138 1234 5678"}  # fmt: skip
    shown = client.post(f"/events/{event.id}", data=data)
    assert shown.status_code == 200 and "We removed invisible formatting characters" in _text(shown)
    assert 'value="张𠀀😀"' in _text(shown)
    data["contact_name"] = "张𠀀😀"
    assert client.post(f"/events/{event.id}", data=data).status_code == 303
    db.rollback()
    signup = db.scalar(select(EventSignup))
    assert signup is not None
    assert (signup.company_name, signup.contact_name) == ("𠮷野家🍜有限公司", "张𠀀😀")
    assert signup.mobile == "13812345678" and signup.status is SignupStatus.CONFIRMED


def test_the_printed_slip_has_the_event_the_reference_and_the_status_qr(
    client: FlaskClient,
    app: Flask,
    make_app: Callable[..., Flask],
    make_event: Callable[..., Event],
    make_tenant: Callable[..., Tenant],
    db: Session,
) -> None:
    event = make_event(title="政银企融资对接会", place="3F 多功能厅")
    assert _sign_up(client, event, str(make_tenant().id)).status_code == 303
    with FakePrinter() as printer:
        settings = make_app(receipt_printer=printer.url, printer_timeout=1.0).config["KIOSK"]
        assert PrintWorker(app.extensions["kiosk.sessionmaker"], settings).run_once() == 1
        slip = decode(printer.wait_for_jobs(1, timeout=5)[0])
    db.rollback()
    signup = db.scalar(select(EventSignup))
    assert signup is not None
    assert "政银企融资对接会" in slip.text and "Place: 3F 多功能厅" in slip.text
    local = event.starts_at.astimezone(app.config["KIOSK"].zone)
    assert local.strftime("%Y-%m-%d %H:%M") in slip.text
    assert signup.reference in slip.text and "You have a place at this event." in slip.text
    assert "138****5678" in slip.text and "13812345678" not in slip.text
    assert slip.qr_payloads == [f"http://kiosk.test/signups/{signup.token}"]
    assert len(slip.cuts) == 1
    status = client.get("/events/done/print-status").get_json()
    assert status["state"] == "printed"
