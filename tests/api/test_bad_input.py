"""JSON that Python's parser accepts but nothing can store: refused with a 400, never a 500,
and nothing stored (the API, and the admin's policy import, which reads a JSON file)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.models import Building, Role, Scope, Staff
from kiosk.services import tokens
from kiosk.text import JSON_MAX_DEPTH, strict_json_loads
from tests.support.pages import csrf_token
from tests.terminal.test_bad_input import stored

DEEP = "[" * 100_000 + "]" * 100_000  # past Python's recursion limit
JUST_TOO_DEEP = "[" * (JSON_MAX_DEPTH + 1) + "]" * (JSON_MAX_DEPTH + 1)
SURROGATE = '"\\ud800"'  # half of a pair: no character, and no encoding can write it

BODIES = {
    "deep": '{"building": "demo", "text_zh": "停电", "extra": ' + DEEP + "}",
    "just-too-deep": '{"building": "demo", "text_zh": "停电", "extra": ' + JUST_TOO_DEEP + "}",
    "surrogate": '{"building": "demo", "text_zh": ' + SURROGATE + "}",
    "surrogate-key": '{"building": "demo", "text_zh": "停电", ' + SURROGATE + ": 1}",
    "raw-surrogate": b'{"building": "demo", "text_zh": "\xed\xa0\x80"}',
}


@pytest.mark.parametrize("name", BODIES)
def test_unstorable_json_to_the_api_is_a_400_and_stores_nothing(
    client: FlaskClient, db: Session, building: Building, name: str
) -> None:
    operator = tokens.create(db, "on-call", Scope.OPERATE)
    before = stored(db)
    response = client.post(
        "/api/v1/announcements",
        data=BODIES[name],
        content_type="application/json",
        headers={"Authorization": f"Bearer {operator.token}"},
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "bad_parameter",
        "parameter": "body",
        "expected": "a JSON object",
    }
    after = stored(db)
    assert after.pop("api_token") == before.pop("api_token")  # (its use is counted there)
    assert after == before


def test_json_of_our_own_shape_still_parses() -> None:
    ok = "[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH
    assert strict_json_loads(ok) == json.loads(ok)
    assert strict_json_loads('{"名": "\\ud83d\\ude00"}') == {"名": "😀"}  # a whole pair


@pytest.fixture
def supervisor_client(
    make_app: Callable[..., Flask], make_staff: Callable[..., Staff]
) -> Callable[[str], FlaskClient]:
    def factory(locale: str) -> FlaskClient:
        client = make_app(default_locale=locale).test_client()
        make_staff("chief", Role.SUPERVISOR)
        page = client.get("/admin/sign-in").get_data(as_text=True)
        form = {"username": "chief", "password": "correct horse battery"}
        assert client.post("/admin/sign-in", data={**form, "csrf_token": csrf_token(page)})
        return client

    return factory


NOT_JSON = {"zh_CN": "第 1 行：不是有效的 JSON", "en": "Line 1: not valid JSON"}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize(
    "document",
    [
        "[" + DEEP + "]",
        '[{"code": "N-1", "title": ' + SURROGATE + "}]",
        '[{"code": "N-1", "title": "政策", "extra": ' + JUST_TOO_DEEP + "}]",
    ],
    ids=["deep", "surrogate", "just-too-deep"],
)
def test_unstorable_json_in_a_policy_import_is_refused_and_imports_nothing(
    supervisor_client: Callable[[str], FlaskClient], db: Session, locale: str, document: str
) -> None:
    client = supervisor_client(locale)
    before = stored(db)
    page = client.get("/admin/policies/import").get_data(as_text=True)
    upload = (io.BytesIO(document.encode()), "policies.json")
    response = client.post(
        "/admin/policies/import",
        data={"csrf_token": csrf_token(page), "file": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert NOT_JSON[locale] in response.get_data(as_text=True)
    assert stored(db) == before
