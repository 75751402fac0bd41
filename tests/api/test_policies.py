"""GET /api/v1/policies: the public catalogue as JSON."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.services.policies import catalogue
from tests.services.test_policies import row

# The pages behave alike on either database; their services' tests run on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_search_and_filters_as_json(client: FlaskClient, db: Session) -> None:
    for values in (
        row("A", title="人工智能产业补贴", level="city", max_amount=500000),
        row("B", title="社保补贴", level="national", benefit="subsidy"),
        row("C", title="人工智能人才奖励", level="city", benefit="talent"),
    ):
        catalogue.save(db, catalogue.check(values), staff_id=None)
    body = client.get("/api/v1/policies?q=人工智能&level=city&benefit=subsidy").get_json()
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    (policy,) = body["policies"]
    assert policy["code"] == "A" and policy["max_amount"] == 500000.0
    assert policy["window"] == "open" and policy["url"].endswith("/policy/A")
    everything = client.get("/api/v1/policies?per_page=2&page=2").get_json()
    assert (everything["total"], everything["pages"], len(everything["policies"])) == (3, 2, 1)


def test_bad_parameters_are_a_clear_400(client: FlaskClient) -> None:
    response = client.get("/api/v1/policies?level=county")
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "bad_parameter",
        "parameter": "level",
        "expected": "one of national, province, city, district",
    }
    assert client.get("/api/v1/policies?per_page=1000").status_code == 400
    assert client.get("/api/v1/policies?page=0").status_code == 400
    assert client.get("/api/v1/policies?q=" + "补" * 5000).status_code == 200


def test_the_public_page_shows_the_full_text(client: FlaskClient, db: Session) -> None:
    catalogue.save(db, catalogue.check(row("P-1", body="第一条 对象\n第二条 标准")), staff_id=None)
    html = client.get("/policy/P-1").get_data(as_text=True)
    assert "第二条 标准" in html
    assert client.get("/policy/NOPE").status_code == 404
