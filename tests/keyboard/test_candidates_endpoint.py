"""GET /keyboard/candidates: JSON for the keyboard's candidate bar, open to the touchscreen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.keyboard import Index, building_texts
from kiosk.models import Tenant


@pytest.fixture(autouse=True)
def _index_loaded(index: Index) -> None:
    """The index is built once per run, not once per app."""


def test_candidates_as_json_without_a_session_or_csrf(app: Flask) -> None:
    client = app.test_client()  # no cookie, no token: a fresh screen
    response = client.get("/keyboard/candidates?q=gongsiyou&page=1&size=5")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # looking up pinyin starts no session
    data = response.get_json()
    assert data["letters"] == "gongsiyou" and data["spelling"] == "gong'si'you"
    assert data["page"] == 1 and data["has_more"] is True
    assert data["candidates"][0] == {"text": "公司", "consumes": 6}
    assert len(data["candidates"]) == 5
    assert "公司".encode() in response.data  # sent as UTF-8, not \\u escapes


def test_the_buildings_tenants_rank_first(
    client: FlaskClient, make_tenant: Callable[..., Tenant]
) -> None:
    make_tenant("长沙快鹿电子商务有限公司")
    data = client.get("/keyboard/candidates?q=kuailu").get_json()
    assert data["candidates"][0]["text"] == "快鹿"


def test_building_texts_come_from_active_tenants_of_this_building(
    db: Session, make_tenant: Callable[..., Tenant]
) -> None:
    make_tenant("长沙快鹿电子商务有限公司")
    make_tenant("湖南已搬走科技有限公司", active=False)
    texts = building_texts(db, "demo")
    assert "长沙快鹿电子商务有限公司" in texts.names
    assert "芙蓉国际金融中心" in texts.names  # the building's own name
    assert "湖南已搬走科技有限公司" not in texts.names
    assert building_texts(db, "elsewhere").names == ()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=",
        "q=Gong",
        "q=gong1",
        "q=g%C5%8Dng",
        "q=gong+si",
        "q=" + "a" * 41,
        "q=gong&page=0",
        "q=gong&page=x",
        "q=gong&page=101",
        "q=gong&size=0",
        "q=gong&size=51",
    ],
)
def test_bad_input_is_a_400_in_json(client: FlaskClient, query: str) -> None:
    response = client.get(f"/keyboard/candidates?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_query"


def test_only_get(client: FlaskClient) -> None:
    assert client.post("/keyboard/candidates?q=gong").status_code in (400, 405)
