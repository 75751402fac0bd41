"""惠企政策 at the touchscreen: search, a policy's page, 政策找人 and the printed sheet."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Building, Policy, PrintJob, Tenant
from kiosk.services.policies import catalogue
from kiosk.services.policies.catalogue import today_in
from printers import Receipt, open_receipt_printer
from tests.services.test_policies import row
from tests.support.escpos_decoder import decode
from tests.support.fake_printer import FakePrinter
from tests.support.pages import csrf_token

# The pages behave alike on either database; their services' tests run on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def policies(app: Flask, db: Session, building: Building) -> dict[str, Policy]:
    """A small catalogue, dated around the kiosk's today, and the building in 芙蓉区."""
    building.district = "芙蓉区"
    db.commit()
    today = today_in(app.config["KIOSK"].zone)
    later = (today + timedelta(days=40)).isoformat()
    rows = [
        row(
            "AI",
            title="人工智能企业研发补贴",
            industries=["I"],
            min_years=3,
            max_amount=2_000_000,
            closes_on=later,
            materials=["营业执照复印件", "研发费用审计报告"],
        ),
        row(
            "SB",
            title="吸纳就业社保补贴",
            min_employees=50,
            benefit="subsidy",
            materials=["营业执照复印件", "社保缴费明细"],
            other_conditions="近两年无重大违法记录",
        ),
        row("RENT", title="重点楼宇租金补贴", district="芙蓉区", benefit="rent_relief"),
        row("FIN", title="金融机构落户奖励", industries=["J"]),
        row("YL", title="岳麓区科技企业奖励", district="岳麓区", level="district"),
        row("TAX", title="小微企业所得税优惠", level="national", benefit="tax_relief"),
    ]
    good, errors = catalogue.check_rows(list(enumerate(rows, start=1)))
    assert errors == []
    catalogue.import_policies(db, good, staff_id=None)
    return {p.code: p for p in db.scalars(select(Policy))}


@pytest.fixture
def company(make_tenant: Callable[..., Tenant], policies: dict[str, Policy]) -> Tenant:
    return make_tenant(
        "长沙麓云数智科技有限公司",
        industry="I",
        size_band="small",
        founded_on=date(2019, 5, 1),
        employees=None,
    )


def titles(html: str) -> list[str]:
    return re.findall(r'class="policy-card__title">([^<]+)<', html)


def test_search_with_words_and_filters(client: FlaskClient, policies: Any) -> None:
    page = client.get("/policies?q=社保")
    assert page.status_code == 200
    assert titles(page.get_data(as_text=True)) == ["吸纳就业社保补贴"]
    html = client.get("/policies?q=补贴&benefit=rent_relief").get_data(as_text=True)
    assert titles(html) == ["重点楼宇租金补贴"]
    html = client.get("/policies?level=national").get_data(as_text=True)
    assert titles(html) == ["小微企业所得税优惠"]
    html = client.get("/policies?q=区块链").get_data(as_text=True)
    assert "No policy matches “区块链”" in html or "没有与“区块链”" in html
    # Nonsense in the filters and page is ignored, never an error.
    assert client.get("/policies?level=galaxy&page=-4&window=x").status_code == 200
    assert client.get("/policies?q=" + "长" * 500).status_code == 200


def test_a_policy_page_shows_conditions_materials_and_a_qr(
    client: FlaskClient, policies: dict[str, Policy]
) -> None:
    html = client.get(f"/policies/{policies['AI'].id}?back=https://evil.example/").get_data(
        as_text=True
    )
    assert "人工智能企业研发补贴" in html and "研发费用审计报告" in html
    assert 'href="https://evil.example/' not in html  # back goes only to the kiosk's own pages
    assert "<svg" in html  # the QR to the full text
    assert client.get("/policies/999999").status_code == 404


def test_a_company_sees_what_it_qualifies_for_and_why(
    client: FlaskClient, company: Tenant, policies: Any
) -> None:
    html = client.get(f"/policies/match/{company.id}").get_data(as_text=True)
    found = titles(html)
    assert set(found) == {
        "人工智能企业研发补贴",
        "重点楼宇租金补贴",
        "小微企业所得税优惠",
        "吸纳就业社保补贴",
    }
    assert found[-1] == "吸纳就业社保补贴"  # two things to confirm: last
    assert "金融机构落户奖励" not in found and "岳麓区科技企业奖励" not in found
    reasons = re.findall(r'reason--(\w+)">\s*<span class="reason__label">([^<]+)<', html)
    assert ("yes", "成立满3年") in reasons or ("yes", "Founded at least 3 years ago") in reasons
    # The record does not say how many employees: the screen asks, and the answer refines.
    assert 'name="employees"' in html
    fewer = titles(client.get(f"/policies/match/{company.id}?employees=12").get_data(as_text=True))
    assert "吸纳就业社保补贴" not in fewer
    more = client.get(f"/policies/match/{company.id}?employees=80").get_data(as_text=True)
    assert "吸纳就业社保补贴" in titles(more)
    # Nothing was stored.
    assert company.employees is None
    assert client.get("/policies/match/999999").status_code == 404
    assert client.get(f"/policies/match/{company.id}?employees=-3&years=abc").status_code == 200


def test_the_sheet_prints_five_policies_with_qr_codes_and_what_to_bring(
    app: Flask, client: FlaskClient, db: Session, company: Tenant, policies: Any
) -> None:
    page = client.get(f"/policies/match/{company.id}?employees=80").get_data(as_text=True)
    response = client.post(
        f"/policies/match/{company.id}/print",
        data={"csrf_token": csrf_token(page), "employees": "80"},
    )
    assert response.status_code == 303
    assert "employees=80" in response.headers["Location"]
    (job,) = db.scalars(select(PrintJob).where(PrintJob.kind == "policy_sheet")).all()
    # The job's document through the real encoder to a printer on a TCP socket, read back
    # by the test's own decoder.
    with FakePrinter() as printer:
        open_receipt_printer(printer.url, timeout=3).print_receipt(Receipt.from_dict(job.document))
        (data,) = printer.wait_for_jobs(1, timeout=5)
    sheet = decode(data)
    assert company.name in sheet.text
    assert "1. 人工智能企业研发补贴" in sheet.text and "最高200万元" in sheet.text.replace(" ", "")
    assert "□ 营业执照复印件" in sheet.text and sheet.text.count("营业执照复印件") == 1
    assert "□ 社保缴费明细" in sheet.text
    assert len(sheet.qr_payloads) == 4
    assert all("/policy/" in url for url in sheet.qr_payloads)
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-print-status" in after
    status = client.get("/policies/sheet/print-status").get_json()
    assert status["state"] in {"printing", "printed", "failed"}


def test_printing_without_a_valid_form_prints_nothing(
    client: FlaskClient, db: Session, company: Tenant
) -> None:
    response = client.post(f"/policies/match/{company.id}/print", data={"employees": "80"})
    assert response.status_code == 400
    assert db.scalars(select(PrintJob)).all() == []
    page = response.get_data(as_text=True)
    assert "没有打印" in page and "吸纳就业社保补贴" in page  # the list is still there
