"""Fixtures for visits: the test organisation, companies in its buildings, policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Building, Policy, Tenant
from kiosk.services.policies import catalogue
from kiosk.validators import uscc_check_char
from tests.support.org import Org, as_, org, person  # noqa: F401 (fixtures)

NUMBERS = iter(range(1, 100_000))


@pytest.fixture
def company(db: Session, org: Org) -> Callable[..., Tenant]:  # noqa: F811
    """Make a company in a building (by code), with a profile 政策找人 can match."""

    def factory(building: str = "demo", **values: Any) -> Tenant:
        n = next(NUMBERS)
        first17 = f"91430102MA7W{n:05d}"
        found = db.scalar(select(Building).where(Building.code == building))
        assert found is not None
        tenant = Tenant(
            building_id=found.id, uscc=first17 + uscc_check_char(first17),
            name=values.pop("name", f"长沙走访科技有限公司{n}"), floor_room="12F-01",
            industry="I", size_band="small", contact_name="王五", contact_mobile="13900001111",
            **values,
        )  # fmt: skip
        db.add(tenant)
        db.commit()
        return tenant

    return factory


@pytest.fixture
def policy(db: Session) -> Callable[..., Policy]:
    """Add a policy to the catalogue (for software companies unless told otherwise)."""

    def factory(code: str, **values: Any) -> Policy:
        row = {
            "code": code, "title": f"政策{code}", "issuer": "长沙市工业和信息化局",
            "level": "city", "published_on": "2026-03-01", "summary": "支持企业发展。",
            "body": "第一条 支持对象。", "benefit": "subsidy", "industries": ["I"], **values,
        }  # fmt: skip
        saved = catalogue.save(db, catalogue.check(row), staff_id=None)
        db.commit()
        return saved

    return factory
