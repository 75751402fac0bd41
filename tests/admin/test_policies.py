"""The policy pages for staff: the catalogue, editing, the import, and 政策找人 the other way."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import AuditLog, Building, Policy, PolicyNotice, Staff, Tenant
from kiosk.services.policies import catalogue
from tests.admin.conftest import Admin
from tests.services.test_policies import row
from tests.support.pages import csrf_token

# The pages behave alike on either database; their services' tests run on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CSV_HEADER = "code,title,issuer,level,published_on,summary,body,benefit,industries\n"


@pytest.fixture
def chief(admin: Admin, supervisor: Staff) -> Admin:
    assert admin.sign_in("chief").status_code == 303
    return admin


@pytest.fixture
def policy(db: Session) -> Policy:
    return catalogue.save(
        db,
        catalogue.check(row("CS-1", title="软件企业研发补贴", industries=["I"], min_years=3)),
        staff_id=None,
    )


def _upload(admin: Admin, data: bytes, name: str) -> tuple[int, str]:
    page = admin.text("/admin/policies/import")
    response = admin.client.post(
        "/admin/policies/import",
        data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def test_staff_read_and_supervisors_change(signed_in: Admin, policy: Policy) -> None:
    html = signed_in.text("/admin/policies", q="软件")
    assert "软件企业研发补贴" in html and "New policy" not in html
    assert signed_in.get("/admin/policies/new").status_code == 403
    assert signed_in.get("/admin/policies/import").status_code == 403


def test_signed_out_is_sent_to_sign_in(admin: Admin, policy: Policy) -> None:
    response = admin.get("/admin/policies")
    assert response.status_code in (302, 303) and "/admin/sign-in" in response.location


def test_a_supervisor_adds_and_edits_a_policy(chief: Admin, db: Session) -> None:
    page = chief.text("/admin/policies/new")
    fields = {
        "csrf_token": csrf_token(page),
        "code": "CS-9",
        "title": "楼宇经济租金补贴",
        "issuer": "芙蓉区楼宇经济服务中心",
        "level": "district",
        "published_on": "2026-06-01",
        "summary": "入驻重点楼宇的企业给予租金补贴。",
        "body": "第一条 支持对象\n第二条 支持标准",
        "industries": ["I", "L"],
        "district": "芙蓉区",
        "benefit": "rent_relief",
        "max_amount": "300000",
        "materials": "营业执照复印件\n租赁合同\n\n",
    }
    response = chief.client.post("/admin/policies/new", data=fields)
    assert response.status_code == 303
    saved = db.scalar(select(Policy).where(Policy.code == "CS-9"))
    assert saved is not None
    assert (saved.industries, saved.materials, saved.district) == (
        ["I", "L"],
        ["营业执照复印件", "租赁合同"],
        "芙蓉区",
    )
    # A wrong change is refused with every problem, and nothing is changed.
    edit = chief.text(f"/admin/policies/{saved.id}/edit")
    assert "租赁合同" in edit
    bad = {
        **fields,
        "csrf_token": csrf_token(edit),
        "title": "",
        "closes_on": "2026-01-01",
        "opens_on": "2026-02-01",
    }
    response = chief.client.post(f"/admin/policies/{saved.id}/edit", data=bad)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "title: required" in text and "closes_on: before opens_on" in text
    db.expire_all()
    assert db.get(Policy, saved.id).title == "楼宇经济租金补贴"  # type: ignore[union-attr]
    actions = db.scalars(select(AuditLog.action).where(AuditLog.target_type == "policy")).all()
    assert actions == ["policy.create"]


def test_an_import_with_bad_rows_lists_them_and_saves_nothing(chief: Admin, db: Session) -> None:
    data = (
        CSV_HEADER
        + "N-1,新政策一,市工信局,city,2026-01-01,摘要,正文,subsidy,I\n"
        + "N-2,新政策二,市工信局,city,2026-01-01,摘要,正文,subsidy,Q|Z\n"
        + "N-3,新政策三,市工信局,village,2026-01-01,摘要,正文,subsidy,\n"
    ).encode()
    status, html = _upload(chief, data, "2026Q4.csv")
    assert status == 400
    assert 'data-line="3"' in html and "industries: not GB/T 4754 sections: Z" in html
    assert 'data-line="4"' in html and 'data-line="2"' not in html
    assert db.scalar(select(func.count()).select_from(Policy)) == 0
    status, html = _upload(chief, b"\x89PNG\r\n", "photo.csv")
    assert status == 400 and "not UTF-8" in html


def test_a_good_import_is_saved_whole_and_audited(chief: Admin, db: Session) -> None:
    data = (
        CSV_HEADER
        + "N-1,新政策一,市工信局,city,2026-01-01,摘要,正文,subsidy,I\n"
        + "N-2,新政策二,市工信局,city,2026-01-01,摘要,正文,tax_relief,\n"
    ).encode("utf-8-sig")
    page = chief.text("/admin/policies/import")
    response = chief.client.post(
        "/admin/policies/import",
        data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), "2026Q4.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert "2 policies added, 0 updated" in chief.text(response.location)
    assert db.scalar(select(func.count()).select_from(Policy)) == 2
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "policy.import"))
    assert entry is not None and entry.detail["added"] == 2


def test_the_companies_a_policy_fits_can_be_exported_and_marked_told(
    signed_in: Admin,
    db: Session,
    building: Building,
    policy: Policy,
    make_tenant: Callable[..., Tenant],
) -> None:
    fits = make_tenant("长沙麓云数智科技有限公司", industry="I", founded_on=date(2018, 1, 1))
    unknown = make_tenant('=HYPERLINK("x")')  # nothing known; a name a spreadsheet would run
    make_tenant("湘融租赁", industry="J")
    html = signed_in.text(f"/admin/policies/{policy.id}")
    assert "Companies that qualify (2)" in html and "湘融租赁" not in html
    export = signed_in.get(f"/admin/policies/{policy.id}/export")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == [fits.name, "'" + unknown.name]
    assert (
        rows[2][3] == "Industry: Information transmission, software and IT services; "
        "Founded at least 3 years ago"
    )
    response = signed_in.client.post(
        f"/admin/policies/{policy.id}/notify",
        data={"csrf_token": csrf_token(html), "tenant_id": str(fits.id), "note": "电话告知"},
    )
    assert "has been told" in signed_in.flash(response)
    again = signed_in.client.post(
        f"/admin/policies/{policy.id}/notify",
        data={"csrf_token": csrf_token(html), "tenant_id": str(fits.id)},
    )
    assert "had already been told" in signed_in.flash(again)
    assert db.scalar(select(func.count()).select_from(PolicyNotice)) == 1
    missing = signed_in.client.post(
        f"/admin/policies/{policy.id}/notify",
        data={"csrf_token": csrf_token(html), "tenant_id": "99999"},
    )
    assert "not in the list" in signed_in.flash(missing)


def test_a_withdrawn_policy_leaves_the_kiosk(chief: Admin, db: Session, policy: Policy) -> None:
    page = chief.text(f"/admin/policies/{policy.id}")
    response = chief.client.post(
        f"/admin/policies/{policy.id}/withdraw", data={"csrf_token": csrf_token(page)}
    )
    assert "has been withdrawn" in chief.flash(response)
    db.expire_all()
    assert db.get(Policy, policy.id).active is False  # type: ignore[union-attr]
    assert "软件企业研发补贴" not in chief.client.get("/policies?q=软件").get_data(as_text=True)


def test_an_officer_finds_the_policies_for_a_company(
    signed_in: Admin,
    db: Session,
    building: Building,
    policy: Policy,
    make_tenant: Callable[..., Tenant],
) -> None:
    fits = make_tenant("长沙麓云数智科技有限公司", industry="I", founded_on=date(2018, 1, 1))
    make_tenant("长沙麓山餐饮有限公司", industry="H")
    several = signed_in.text("/admin/policies/for-company", q="长沙麓")
    assert "长沙麓云数智科技有限公司" in several and "长沙麓山餐饮有限公司" in several
    one = signed_in.text("/admin/policies/for-company", q=fits.uscc.lower())
    assert f'data-company="{fits.uscc}"' in one and 'data-policy="CS-1"' in one
    assert "Founded at least 3 years ago: Yes" in one
    other = signed_in.text("/admin/policies/for-company", q="长沙麓山餐饮")
    assert 'data-policy="CS-1"' not in other  # a restaurant is not a software company
    assert "No company matches" in signed_in.text("/admin/policies/for-company", q="不存在")
