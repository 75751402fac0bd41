"""Continue on your phone, both faces: the kiosk asks, the phone sends, the kiosk collects."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.models import Tenant
from tests.support.pages import csrf_token
from tests.support.terminal import Terminal


@pytest.fixture
def kiosk(client: FlaskClient, make_tenant: Callable[..., Tenant]) -> Terminal:
    """A tenant at the description question."""
    terminal = Terminal(client)
    terminal.answer("/appeal/company", tenant=str(make_tenant().id))
    terminal.answer("/appeal/category", category="property")
    return terminal


def _start(kiosk: Terminal, **overrides: str) -> dict[str, object]:
    html = kiosk.page("/appeal/description").get_data(as_text=True)
    assert 'data-hand-off="description"' in html  # the button is there for long text
    data = {"task": "appeal", "step": "description", "field": "description", "text": "写了一半"}
    data |= overrides
    response = kiosk.client.post("/hand-off", data=data, headers={"X-CSRFToken": csrf_token(html)})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body, dict)
    return body


def test_phone_fills_the_field_and_the_kiosk_collects_it_once(kiosk: Terminal, app: Flask) -> None:
    started = _start(kiosk)
    assert str(started["url"]).startswith("http://kiosk.test/fill/")
    assert '<svg class="qr hand-off__qr"' in str(started["qr"])
    assert kiosk.client.get(f"/hand-off/{started['id']}").get_json() == {
        "state": "waiting",
        "text": "",
    }

    phone = app.test_client()
    path = str(started["url"]).removeprefix("http://kiosk.test")
    page = html_lib.unescape(phone.get(path).get_data(as_text=True))
    assert "请描述问题" in page  # just that field, under its own label
    assert "写了一半" in page  # what the kiosk had, to carry on from
    sent = phone.post(
        path, data={"text": "写了一半，剩下的用手机语音输入。", "csrf_token": csrf_token(page)}
    )
    assert sent.status_code == 200 and "已发送" in sent.get_data(as_text=True)
    assert phone.get(path).status_code == 404  # one use

    collected = kiosk.client.get(f"/hand-off/{started['id']}").get_json()
    assert collected == {"state": "filled", "text": "写了一半，剩下的用手机语音输入。"}
    assert kiosk.client.get(f"/hand-off/{started['id']}").status_code == 404  # gone


def test_another_session_cannot_collect(kiosk: Terminal, app: Flask) -> None:
    started = _start(kiosk)
    stranger = app.test_client()
    stranger.get("/")
    assert stranger.get(f"/hand-off/{started['id']}").status_code == 404


def test_wipe_makes_the_phone_link_dead(kiosk: Terminal, app: Flask) -> None:
    started = _start(kiosk)
    kiosk.client.post("/reset")
    path = str(started["url"]).removeprefix("http://kiosk.test")
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "这个链接已经失效" in html_lib.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "overrides",
    [{"field": "contact_name"}, {"step": "contact", "field": "contact_mobile"}, {"task": "nope"}],
)
def test_only_long_fields_of_real_steps_can_be_handed_off(
    kiosk: Terminal, overrides: dict[str, str]
) -> None:
    html = kiosk.page("/appeal/description").get_data(as_text=True)
    data = {"task": "appeal", "step": "description", "field": "description"} | overrides
    response = kiosk.client.post("/hand-off", data=data, headers={"X-CSRFToken": csrf_token(html)})
    assert response.status_code == 400


def test_asking_needs_the_csrf_token(kiosk: Terminal) -> None:
    kiosk.page("/appeal/description")
    response = kiosk.client.post(
        "/hand-off", data={"task": "appeal", "step": "description", "field": "description"}
    )
    assert response.status_code == 400


def test_phone_gets_a_clear_message_when_the_text_is_too_long(kiosk: Terminal, app: Flask) -> None:
    started = _start(kiosk)
    phone = app.test_client()
    path = str(started["url"]).removeprefix("http://kiosk.test")
    page = phone.get(path).get_data(as_text=True)
    too_long = "长" * 1001
    response = phone.post(path, data={"text": too_long, "csrf_token": csrf_token(page)})
    assert response.status_code == 400
    text = html_lib.unescape(response.get_data(as_text=True))
    assert "不能超过 1,000 个字" in text and too_long in text  # kept, to shorten
    assert re.search(r'data-max-chars="1000"', text)
