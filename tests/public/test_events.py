"""A sign-up's status page on the phone: the event, its status, cancelling after a confirmation."""

from __future__ import annotations

import html as html_lib
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Building, Event, EventSignup, SignupStatus
from kiosk.services import events
from kiosk.services.audit import Actor
from kiosk.services.events import EventDraft, SignupDraft
from tests.support.pages import csrf_token

# The pages behave alike on either database; their services' tests run on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """English, so the tests read the msgids whatever the catalogue says."""
    return make_app(default_locale="en")


@pytest.fixture
def event(db: Session, building: Building) -> Event:
    starts = utcnow() + timedelta(days=2)
    draft = EventDraft(
        "高校毕业生专场招聘会", "other", starts, starts + timedelta(hours=4), "1F 大堂东侧", "", 1
    )
    return events.publish(db, "demo", draft, Actor(None, "test"))


@pytest.fixture
def sign_up(app: Flask, db: Session, event: Event) -> Callable[[str], EventSignup]:
    def factory(mobile: str) -> EventSignup:
        draft = SignupDraft(uuid.uuid4().hex, event.id, None, "甲公司", "甲", mobile, "en")
        return events.sign_up(db, app.config["KIOSK"], draft)

    return factory


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html_lib.unescape(response.get_data(as_text=True))


def test_the_status_page_shows_the_event_and_a_masked_mobile(
    client: FlaskClient, sign_up: Callable[[str], EventSignup]
) -> None:
    seated, waiting = sign_up("13812345678"), sign_up("13912345678")
    page = _page(client, f"/signups/{seated.token}")
    assert "高校毕业生专场招聘会" in page and "1F 大堂东侧" in page and seated.reference in page
    assert 'data-status="confirmed"' in page and "138****5678" in page
    assert "13812345678" not in page
    page = _page(client, f"/signups/{waiting.token}")
    assert 'data-status="waiting"' in page and "Waiting list: number 1" in page
    assert client.get("/signups/not-a-token").status_code == 404


def test_cancelling_asks_first_then_frees_the_place_for_the_waiting_list(
    client: FlaskClient, db: Session, sign_up: Callable[[str], EventSignup]
) -> None:
    seated, waiting = sign_up("13812345678"), sign_up("13912345678")
    confirm = _page(client, f"/signups/{seated.token}/cancel")
    assert "Cancel your sign-up?" in confirm and "data-confirm-cancel" in confirm
    no_token = client.post(f"/signups/{seated.token}/cancel")
    assert no_token.status_code == 400
    db.expire_all()
    assert db.get(EventSignup, seated.id).status is SignupStatus.CONFIRMED  # type: ignore[union-attr]
    done = client.post(f"/signups/{seated.token}/cancel", data={"csrf_token": csrf_token(confirm)})
    assert done.status_code == 303 and done.location == f"/signups/{seated.token}"
    page = _page(client, done.location)
    assert "Your sign-up has been cancelled." in page and 'data-status="cancelled"' in page
    assert "Cancel my sign-up" not in page
    db.rollback()
    db.expire_all()
    assert db.get(EventSignup, waiting.id).status is SignupStatus.CONFIRMED  # type: ignore[union-attr]


def test_a_cancelled_event_says_so(
    client: FlaskClient, db: Session, event: Event, sign_up: Callable[[str], EventSignup]
) -> None:
    signup = sign_up("13812345678")
    events.cancel_event(db, event.id, "demo", Actor(None, "test"))
    page = _page(client, f"/signups/{signup.token}")
    assert "This event has been cancelled" in page and "Cancel my sign-up" not in page
