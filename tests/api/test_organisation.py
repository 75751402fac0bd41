"""GET /api/v1/units and /api/v1/companies: each token reaches what its scope allows — a kiosk's
token its building's companies, names and codes only; a maintainer's every company with the
contact's mobile masked, unmasked for an admin token — a page at a time with a cursor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Building, Kiosk, Scope, Tenant, Unit, UnitKind, root_unit
from kiosk.services import tokens
from kiosk.validators import uscc_check_char


def _uscc(n: int) -> str:
    first17 = f"91430102MA4L{n:05d}"
    return first17 + uscc_check_char(first17)


@pytest.fixture
def city(db: Session) -> dict[str, Any]:
    """芙蓉区 with the server's building "demo" (three companies) under it; 岳麓区 with "lugu"
    (two); a kiosk standing in each building."""
    root = root_unit(db)
    furong = Unit(code="furong", kind=UnitKind.DISTRICT, name_zh="芙蓉区专班", parent=root)
    yuelu = Unit(code="yuelu", kind=UnitKind.DISTRICT, name_zh="岳麓区专班", parent=root)
    db.add_all([furong, yuelu])
    db.flush()
    made: dict[str, Any] = {}
    for code, parent, count in (("demo", furong, 3), ("lugu", yuelu, 2)):
        db.add(Unit(code=code, kind=UnitKind.BUILDING, name_zh=code, parent=parent))
        db.flush()
        building = Building(code=code, name_zh=f"{code}大厦", name_en=code)
        db.add(building)
        db.flush()
        for _ in range(count):
            n = len(made) + 1
            made[f"{code}{n}"] = Tenant(
                building_id=building.id, uscc=_uscc(n), name=f"{code}科技有限公司{n}",
                contact_name="李四", contact_mobile="13812345678", legal_representative="王五",
            )  # fmt: skip
            db.add(made[f"{code}{n}"])
    db.add_all(
        [Kiosk(id="kiosk-1", building_code="demo"), Kiosk(id="kiosk-l", building_code="lugu")]
    )
    db.commit()
    return made


def _client(
    app: Flask, db: Session, scope: Scope, kiosk: str = ""
) -> tuple[FlaskClient, dict[str, str]]:
    token = tokens.create(db, f"test {scope.value} {kiosk}", scope, kiosk_id=kiosk).token
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def _get(app: Flask, db: Session, url: str, scope: Scope, kiosk: str = "") -> Any:
    client, headers = _client(app, db, scope, kiosk)
    response = client.get(url, headers=headers)
    return response.status_code, response.get_json()


def test_a_maintainer_reads_the_whole_tree_flat_with_parents(
    app: Flask, db: Session, city: dict[str, Any]
) -> None:
    status, body = _get(app, db, "/api/v1/units", Scope.READ)
    assert status == 200
    parents = {unit["code"]: unit["parent"] for unit in body["units"]}
    assert parents == {
        "city": None, "furong": "city", "demo": "furong", "yuelu": "city", "lugu": "yuelu",
    }  # fmt: skip
    status, one = _get(app, db, "/api/v1/units/furong", Scope.READ)
    assert status == 200 and one["kind"] == "district" and one["name_zh"] == "芙蓉区专班"


def test_a_kiosks_token_sees_its_building_and_its_companies_names_and_codes_only(
    app: Flask, db: Session, city: dict[str, Any]
) -> None:
    client, headers = _client(app, db, Scope.ADMIN, kiosk="kiosk-l")
    units = client.get("/api/v1/units", headers=headers).get_json()["units"]
    assert [(u["code"], u["parent"]) for u in units] == [("lugu", "yuelu")]
    assert client.get("/api/v1/units/furong", headers=headers).status_code == 404
    assert client.get("/api/v1/units/demo", headers=headers).status_code == 404
    companies = client.get("/api/v1/companies", headers=headers).get_json()["companies"]
    assert {c["uscc"] for c in companies} == {city["lugu4"].uscc, city["lugu5"].uscc}
    assert all(
        set(c) == {"uscc", "name", "unit", "building", "active", "updated_at"} for c in companies
    )
    theirs = client.get(f"/api/v1/companies/{city['demo1'].uscc}", headers=headers)
    assert theirs.status_code == 404 and theirs.get_json()["error"] == "not_found"
    ours = client.get(f"/api/v1/companies/{city['lugu4'].uscc}", headers=headers).get_json()
    assert "contact_mobile" not in ours and ours["building"] == "lugu"
    refused = client.get("/api/v1/companies?unit=demo", headers=headers)
    assert refused.status_code == 400 and refused.get_json()["parameter"] == "unit"


def test_the_contact_mobile_is_masked_unless_the_token_is_an_admins(
    app: Flask, db: Session, city: dict[str, Any]
) -> None:
    url = f"/api/v1/companies/{city['demo1'].uscc}"
    for scope, shown in (
        (Scope.READ, "138****5678"), (Scope.OPERATE, "138****5678"), (Scope.ADMIN, "13812345678"),
    ):  # fmt: skip
        status, body = _get(app, db, url, scope)
        assert (status, body["contact_mobile"]) == (200, shown), scope
        assert body["contact_name"] == "李四" and body["legal_representative"] == "王五"
    status, page = _get(app, db, "/api/v1/companies", Scope.READ)
    assert {c["contact_mobile"] for c in page["companies"]} == {"138****5678"}


def test_pages_follow_the_cursor_without_gaps_or_repeats(
    app: Flask, db: Session, city: dict[str, Any]
) -> None:
    client, headers = _client(app, db, Scope.READ)
    seen: list[str] = []
    url = "/api/v1/companies?limit=2"
    pages = 0
    while True:
        body = client.get(url, headers=headers).get_json()
        pages += 1
        seen += [c["uscc"] for c in body["companies"]]
        if body["next_cursor"] is None:
            break
        url = f"/api/v1/companies?limit=2&cursor={body['next_cursor']}"
    assert pages == 3 and seen == [t.uscc for t in city.values()]


def test_filters_by_unit_subtree_change_time_and_search(
    app: Flask, db: Session, city: dict[str, Any]
) -> None:
    def found(query: str) -> set[str]:
        status, body = _get(app, db, f"/api/v1/companies?{query}", Scope.READ)
        assert status == 200, body
        return {c["name"] for c in body["companies"]}

    assert found("unit=furong") == {"demo科技有限公司1", "demo科技有限公司2", "demo科技有限公司3"}
    assert found("unit=lugu") == {"lugu科技有限公司4", "lugu科技有限公司5"}
    assert found("q=科技有限公司5") == {"lugu科技有限公司5"}
    assert found(f"q={city['demo2'].uscc[:17].lower()}") == {"demo科技有限公司2"}
    assert found("q=100%25") == set()  # a % is a character, not a wildcard
    long_ago = utcnow() - timedelta(days=30)
    db.execute(update(Tenant).values(updated_at=long_ago))
    db.execute(update(Tenant).where(Tenant.uscc == city["lugu4"].uscc).values(updated_at=utcnow()))
    db.commit()
    since = (utcnow() - timedelta(days=1)).isoformat().replace("+00:00", "%2B00:00")
    assert found(f"updated_since={since}") == {"lugu科技有限公司4"}


def test_an_edit_moves_a_company_into_updated_since(
    app: Flask, db: Session, city: dict[str, Any]
) -> None:
    tenant = city["demo1"]
    before = tenant.updated_at
    tenant.floor_room = "30F-3001"
    db.commit()
    db.refresh(tenant)
    assert tenant.updated_at > before
