"""The programme's figures in public, on the attract screen and in /metrics: the same counts,
nothing about any person or company."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, Building, Scope, Unit, UnitKind, root_unit
from kiosk.services import tokens
from kiosk.services.figures import public


@pytest.fixture(autouse=True)
def counted_afresh() -> Iterator[None]:
    public.forget()
    yield
    public.forget()


@pytest.fixture
def solved(db: Session, make_appeal: Callable[..., Appeal]) -> list[Appeal]:
    made = []
    for building in ("demo", "demo", "b-tower"):
        appeal = make_appeal(company_name=f"长沙保密测试有限公司{len(made)}")
        appeal.building_code = building
        appeal.status, appeal.resolved_at = AppealStatus.RESOLVED, datetime.now(UTC)
        made.append(appeal)
    make_appeal(company_name="长沙未办结有限公司")  # raised, not solved
    db.commit()
    return made


def test_the_public_page_shows_the_building_and_the_city(
    client: FlaskClient, building: Building, solved: list[Appeal]
) -> None:
    page = client.get("/figures?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" not in page.headers["Cache-Control"]
    assert building.name_en in html
    assert html.count('data-figure="solved"><dt>Problems solved for companies</dt><dd>2<') == 1
    assert "<dd>3</dd>" in html  # the city
    for appeal in solved:
        assert appeal.company_name not in html and appeal.reference not in html
    again = client.get("/figures?lang=en", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304
    assert "为企业解决问题" in client.get("/figures?lang=zh_CN").get_data(as_text=True)


def test_the_attract_screen_shows_this_years_figures(
    client: FlaskClient, solved: list[Appeal]
) -> None:
    html = client.get("/welcome").get_data(as_text=True)
    solved = r'data-figure="solved">.*?<dd class="attract-figure__value">2</dd>'
    assert re.search(solved, html, re.S)
    assert '<span data-figure="city-solved">3</span>' in html
    assert "长沙保密测试有限公司" not in html


def test_metrics_give_each_unit_its_buildings_figures(
    client: FlaskClient, db: Session, solved: list[Appeal]
) -> None:
    district = Unit(code="furong", kind=UnitKind.DISTRICT, name_zh="芙蓉区", parent=root_unit(db))
    db.add(district)
    db.flush()
    db.add(Unit(code="demo", kind=UnitKind.BUILDING, name_zh="甲楼", parent=district))
    db.commit()
    token = tokens.create(db, "prometheus", Scope.READ).token
    text = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).get_data(
        as_text=True
    )
    samples = {
        (s.name, s.labels.get("unit")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("kiosk_programme_problems_solved")
    }
    assert samples[("kiosk_programme_problems_solved", "furong")] == 2
    assert samples[("kiosk_programme_problems_solved", "demo")] == 2
    assert samples[("kiosk_programme_problems_solved", "city")] == 3
