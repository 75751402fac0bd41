# ruff: noqa: F811  (fixtures imported from their modules, then asked for by name)
"""Visits in the admin: an officer records a visit on the form; its problems are in the ledger
with source visit, the policy handed over shows as told on the company's page; a wrong field is
named in the reader's language; another building's visit is not found."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Policy, Staff, Tenant, Visit
from tests.conftest import AuthActions
from tests.services.visits.conftest import company, policy  # noqa: F401 (fixtures)
from tests.support.org import Org, org, person  # noqa: F401 (fixtures)
from tests.support.pages import csrf_token


def _form(client: FlaskClient, tenant: Tenant, **values: str) -> dict[str, str]:
    page = client.get(f"/admin/companies/{tenant.id}/visits/new").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', page)
    assert key is not None
    return {
        "csrf_token": csrf_token(page), "key": key.group(1), "visited_on": "2026-12-01",
        "met": "李明（总经理）", "discussed": "扩产用地。", "contact_name": "李明",
        "contact_mobile": "13811112222", **values,
    }  # fmt: skip


@pytest.fixture
def officer(
    client: FlaskClient, org: Org, person: Callable[..., Staff]
) -> tuple[FlaskClient, Staff]:
    staff = person("zhang", org.building)
    AuthActions(client).sign_in("zhang")
    return client, staff


def test_a_visit_with_two_problems_and_a_policy_told(
    db: Session, officer: tuple[FlaskClient, Staff], company: Callable[..., Tenant],
    policy: Callable[..., Policy],
) -> None:  # fmt: skip
    client, staff = officer
    tenant, software = company(officer_id=staff.id), policy("SOFT-1")
    assert tenant.name in client.get("/admin/visits/new").get_data(as_text=True)  # my companies
    data = _form(
        client, tenant, problem1_category="market", problem1_description="食品经营许可。",
        problem2_category="labour", problem2_description="高校毕业生补贴。",
        policies=str(software.id),
    )  # fmt: skip
    answer = client.post(f"/admin/companies/{tenant.id}/visits/new", data=data)
    assert answer.status_code == 303
    visit = db.scalar(select(Visit))
    assert visit is not None and answer.headers["Location"].endswith(f"/admin/visits/{visit.id}")
    ledger = client.get("/admin/appeals?source=visit&status=").get_data(as_text=True)
    assert ledger.count('data-source="visit"') == 2
    page = client.get(f"/admin/companies/{tenant.id}").get_data(as_text=True)
    assert f'data-told="{software.id}"' in page and f'data-visit="{visit.reference}"' in page
    history = client.get(f"/admin/companies/{tenant.id}/history").get_data(as_text=True)
    assert history.count('data-entry="appeal"') == 2 and 'data-entry="policy"' in history


@pytest.mark.parametrize(
    ("locale", "words"),
    [("en", "A visit cannot be in the future."), ("zh_CN", "走访日期不能晚于今天")],
)
def test_a_wrong_field_is_named_in_both_languages(
    db: Session, officer: tuple[FlaskClient, Staff], company: Callable[..., Tenant],
    locale: str, words: str,
) -> None:  # fmt: skip
    client, _ = officer
    tenant = company()
    page = client.get("/admin/companies").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_token(page), "locale": locale})
    data = _form(client, tenant, visited_on="2999-01-01", met="", problem1_description="x")
    answer = client.post(f"/admin/companies/{tenant.id}/visits/new", data=data)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert words in html and 'class="error-summary"' in html
    assert db.scalar(select(Visit)) is None


def test_another_buildings_visit_is_not_found(
    app: Flask, db: Session, officer: tuple[FlaskClient, Staff], company: Callable[..., Tenant],
    person: Callable[..., Staff],
) -> None:  # fmt: skip
    client, _ = officer
    theirs = company("b-tower")
    assert theirs.unit is not None
    other = person("li", theirs.unit)
    visit = Visit(
        reference="ZF-20261201-0001", submission_key="k" * 32, tenant_id=theirs.id,
        unit_id=theirs.unit_id, building_code="b-tower", officer_id=other.id,
        visited_on=theirs.created_at.date(), met="王总", discussed="用工。",
    )  # fmt: skip
    db.add(visit)
    db.commit()
    assert client.get(f"/admin/visits/{visit.id}").status_code == 404
    assert client.get(f"/admin/companies/{theirs.id}/history").status_code == 404
    assert client.get(f"/admin/companies/{theirs.id}/visits/new").status_code == 404
