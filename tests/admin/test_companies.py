"""The company list in the admin: who sees which companies, "my companies", adding, editing and
moving with field messages in both languages (never a 500), and 政策找人 at the kiosk using what
the profile records. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import AuditLog, Tenant, TenantMove
from kiosk.validators import uscc_check_char
from tests.admin.conftest import Admin
from tests.support.companies import build_tree
from tests.support.pages import csrf_token


@pytest.fixture
def tree(db: Session) -> dict[str, Any]:
    """City → district (two buildings with rooms, a street, a department) and its officers."""
    return build_tree(db)


def uscc(n: int) -> str:
    first17 = f"91430102MA4L{n:05d}"
    return first17 + uscc_check_char(first17)


def _post(admin: Admin, page: str, action: str, **data: str) -> Any:
    html = admin.text(page)
    return admin.client.post(action, data={"csrf_token": csrf_token(html), **data})


def _add(admin: Admin, room_id: int, n: int, **more: str) -> Any:
    data = {"name": f"长沙星辰科技有限公司{n}", "uscc": uscc(n), "where": f"room:{room_id}"}
    return _post(admin, "/admin/companies/new", "/admin/companies/new", **{**data, **more})


def _company_id(db: Session, n: int) -> int:
    db.rollback()  # a new snapshot: what the requests wrote
    found = db.scalar(select(Tenant.id).where(Tenant.uscc == uscc(n)))
    assert found is not None
    return found


def _listed(html: str) -> set[str]:
    return set(re.findall(r'data-company="([0-9A-Z]{18})"', html))


@pytest.fixture
def two_buildings(admin: Admin, db: Session, tree: dict[str, Any]) -> dict[str, Any]:
    """One company in each building, added by the district's supervisor (then signed out)."""
    admin.sign_in("district-chief")
    rooms = tree["rooms"]
    assert (
        _add(admin, rooms["demo:1201"].id, 1, officer=str(tree["demo_officer"].id)).status_code
        == 303
    )
    assert _add(admin, rooms["b-tower:1201"].id, 2).status_code == 303
    admin.sign_out()
    return {**tree, "ours": _company_id(db, 1), "theirs": _company_id(db, 2)}


def test_a_district_officer_sees_both_buildings_a_building_officer_only_theirs(
    admin: Admin, two_buildings: dict[str, Any]
) -> None:
    admin.sign_in("district-chief")
    assert _listed(admin.text("/admin/companies")) == {uscc(1), uscc(2)}
    admin.sign_out()
    admin.sign_in("demo-officer")
    html = admin.text("/admin/companies", show="all")
    assert _listed(html) == {uscc(1)}
    theirs = two_buildings["theirs"]
    for path in ("", "/edit"):
        assert admin.get(f"/admin/companies/{theirs}{path}").status_code == 404
    assert admin.get(f"/admin/companies/{theirs}/move").status_code == 403  # a supervisor's
    assert admin.get(f"/admin/companies/{two_buildings['ours']}").status_code == 200


def test_an_officer_starts_on_my_companies(admin: Admin, two_buildings: dict[str, Any]) -> None:
    admin.sign_in("tower-officer")
    html = admin.text("/admin/companies")
    assert 'data-show="mine" aria-current="page"' in html
    assert _listed(html) == set() and "data-empty" in html
    assert _listed(admin.text("/admin/companies", show="all")) == {uscc(2)}
    admin.sign_out()
    admin.sign_in("demo-officer")
    assert _listed(admin.text("/admin/companies")) == {uscc(1)}
    assert _listed(admin.text("/admin/companies", show="all", no_officer="y")) == set()


def test_a_department_officer_has_no_company_list(
    admin: Admin, two_buildings: dict[str, Any]
) -> None:
    admin.sign_in("tax-officer")
    html = admin.text("/admin/companies")
    assert "data-no-company-list" in html and "is a department" in html
    assert _listed(html) == set()
    assert admin.get(f"/admin/companies/{two_buildings['ours']}").status_code == 404


def test_moving_a_company_records_its_history(
    admin: Admin, db: Session, two_buildings: dict[str, Any]
) -> None:
    admin.sign_in("demo-chief")
    company, rooms = two_buildings["ours"], two_buildings["rooms"]
    page = f"/admin/companies/{company}/move"
    moved = _post(admin, page, page, where=f"room:{rooms['demo:1501'].id}")
    assert moved.status_code == 303
    out = _post(admin, page, f"/admin/companies/{company}/move-out", to_place="河西")
    assert out.status_code == 303
    html = admin.text(f"/admin/companies/{company}")
    assert re.findall(r'data-move="(\w+)"', html) == ["out", "room", "in"]
    assert 'data-state="moved-out"' in html
    again = _post(admin, page, f"/admin/companies/{company}/move-out")
    assert again.status_code == 404 or "already moved out" in again.get_data(as_text=True)
    db.rollback()  # a new snapshot: what the requests wrote
    tenant = db.get(Tenant, company)
    assert tenant is not None and (tenant.active, tenant.room_id) == (False, None)
    kinds = db.scalars(select(TenantMove.kind).where(TenantMove.tenant_id == company))
    assert sorted(kinds) == ["in", "out", "room"]
    log = admin.text("/admin/audit")
    assert "Moved a company" in log and "15F-1501" in log


WRONG = {
    "uscc": (
        uscc(10)[:17] + ("1" if uscc(10)[17] == "0" else "0"),
        "one character is probably mistyped",
        "可能有字符录入错误",
    ),
    "founded_on": ("2019-02-30", "year-month-day", "年-月-日"),
    "contact_mobile": ("123", "11-digit mobile number", "手机号"),
    "registered_capital": ("很多", "10,000 yuan", "万元"),
    "where": ("room:999999", "Choose where the company is", "请从列表中选择企业所在位置"),
    "officer": ("424242", "Choose a liaison officer", "联企干部"),
}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_bad_input_gives_field_messages_never_a_500(
    admin: Admin, app: Flask, tree: dict[str, Any], locale: str
) -> None:
    admin.sign_in("demo-chief")
    with admin.client.session_transaction() as session:
        session["locale"] = locale
    data = {name: raw for name, (raw, _en, _zh) in WRONG.items()}
    answer = _post(admin, "/admin/companies/new", "/admin/companies/new", name="", **data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'class="error-summary"' in html
    for name, (_raw, english, chinese) in WRONG.items():
        assert (english if locale == "en" else chinese) in html, name
    for junk in ({"where": "\x00"}, {"employees": "9" * 40}, {"industry": "<script>"}):
        assert _add(admin, 1, 5, **junk).status_code == 400


def test_an_officer_edits_the_contact_of_their_own_company_only(
    admin: Admin, db: Session, two_buildings: dict[str, Any]
) -> None:
    admin.sign_in("demo-officer")
    ours = two_buildings["ours"]
    page = f"/admin/companies/{ours}/edit"
    html = admin.text(page)
    assert "data-contact-only" in html and 'name="uscc"' not in html
    saved = _post(admin, page, page, contact_name="王经理", contact_mobile="13900001111", name="x")
    assert saved.status_code == 303
    db.rollback()  # a new snapshot: what the requests wrote
    tenant = db.get(Tenant, ours)
    assert tenant is not None and tenant.contact_mobile == "13900001111"
    assert tenant.name == "长沙星辰科技有限公司1"
    assert admin.get(f"/admin/companies/{ours}/move").status_code == 403
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "company.update"))
    assert entry is not None and entry.detail["contact_mobile"] == [None, "139****1111"]


def test_policy_matching_at_the_kiosk_uses_the_recorded_profile(
    admin: Admin, client: Any, db: Session, two_buildings: dict[str, Any]
) -> None:
    ours = two_buildings["ours"]
    before = client.get(f"/policies/match/{ours}").get_data(as_text=True)
    assert 'name="industry"' in before and 'name="size_band"' in before
    admin.sign_in("demo-chief")
    page = f"/admin/companies/{ours}/edit"
    saved = _post(
        admin, page, page, name="长沙星辰科技有限公司1", uscc=uscc(1), industry="I",
        size_band="small", founded_on="2019-03-05",
    )  # fmt: skip
    assert saved.status_code == 303
    admin.sign_out()
    after = client.get(f"/policies/match/{ours}").get_data(as_text=True)
    assert 'name="industry"' not in after and 'name="size_band"' not in after
    assert 'name="years"' not in after and 'name="employees"' in after
