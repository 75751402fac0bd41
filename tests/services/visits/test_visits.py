"""Visits: problems raised become appeals of the ledger (source visit), policies handed over are
marked told, the form is checked field by field in both languages, and scope holds by unit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.errors import NotFound, ValidationFailed
from kiosk.models import (
    Appeal,
    AppealStatus,
    AuditLog,
    Policy,
    PolicyNotice,
    Source,
    Staff,
    Tenant,
    Visit,
)
from kiosk.services import visits
from kiosk.services.visits import ProblemDraft, VisitDraft, history
from tests.support.org import As, Org

TODAY = date(2026, 12, 7)


def _draft(tenant: Tenant, **values: object) -> VisitDraft:
    base: dict[str, object] = {
        "submission_key": uuid.uuid4().hex, "tenant_id": tenant.id,
        "visited_on": TODAY.isoformat(), "met": "李明（总经理）",
        "discussed": "企业扩产用地与人才招聘。", "contact_name": "李明",
        "contact_mobile": "13811112222",
    }  # fmt: skip
    return VisitDraft(**{**base, **values})  # type: ignore[arg-type]


def _record(app: Flask, db: Session, actor: object, draft: VisitDraft) -> Visit:
    return visits.record_visit(
        db,
        app.config["KIOSK"],
        draft,
        actor,
        today=TODAY,
        now=utcnow(),  # type: ignore[arg-type]
    )


def test_a_visit_with_two_problems_and_a_policy_lands_in_the_ledger(
    app: Flask, org: Org, as_: As, person: Callable[..., Staff],
    company: Callable[..., Tenant], policy: Callable[..., Policy],
) -> None:  # fmt: skip
    officer = person("zhang", org.building)
    tenant = company()
    software = policy("SOFT-1")
    policy("FIN-1", industries=["J"])  # another industry: not offered
    db, actor = as_(officer)
    offers = visits.policies_to_hand_over(db, tenant, TODAY)
    assert [o.match.policy.code for o in offers] == ["SOFT-1"]
    draft = _draft(
        tenant,
        problems=(
            ProblemDraft("market", "想申请食品经营许可，不清楚流程。"),
            ProblemDraft("", ""),  # an empty slot is no problem
            ProblemDraft("labour", "招聘高校毕业生的补贴怎么申请？"),
        ),
        policy_ids=(software.id,),
    )
    visit = _record(app, db, actor, draft)
    assert _record(app, db, actor, draft).id == visit.id  # the form sent twice: one visit

    appeals = db.scalars(select(Appeal).order_by(Appeal.id)).all()
    assert [(a.source, a.status, a.assignee_id, a.tenant_id) for a in appeals] == [
        (Source.VISIT, AppealStatus.ACCEPTED, officer.id, tenant.id)
    ] * 2
    assert [a.category.code for a in appeals] == ["market", "labour"]
    assert all(a.building_code == "demo" and a.due_date > TODAY for a in appeals)
    assert all(a.contact_mobile == "13811112222" for a in appeals)
    assert visit.reference.startswith("ZF-") and visit.unit_id == org.building.id
    notice = db.scalar(select(PolicyNotice).where(PolicyNotice.tenant_id == tenant.id))
    assert notice is not None and (notice.policy_id, notice.staff_id) == (software.id, officer.id)
    assert notice.note == visit.reference
    offers = visits.policies_to_hand_over(db, tenant, TODAY)
    assert offers[0].told is not None  # offered again as told, with when
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "visit.recorded"))
    assert entry is not None and entry.building_code == "demo"
    assert entry.detail["appeals"] == [a.reference for a in appeals]

    kinds = [e.kind for e in history.company_history(db, tenant)]
    assert sorted(kinds) == ["appeal", "appeal", "policy", "visit"]
    assert [e.kind for e in history.company_history(db, tenant, "visit")] == ["visit"]


def test_every_wrong_field_is_named_in_both_languages(
    app: Flask, org: Org, as_: As, person: Callable[..., Staff],
    company: Callable[..., Tenant], policy: Callable[..., Policy],
) -> None:  # fmt: skip
    tenant = company()
    other = policy("FIN-1", industries=["J"])
    db, actor = as_(person("zhang", org.building))  # (a session sees rows made before it reads)
    draft = _draft(
        tenant, visited_on=(TODAY + timedelta(days=1)).isoformat(), met="  ", discussed="",
        contact_mobile="1381111", problems=(ProblemDraft("", "税务登记问题"),),
        policy_ids=(other.id,),
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        _record(app, db, actor, draft)
    fields = caught.value.fields
    assert set(fields) == {
        "visited_on", "met", "discussed", "problem1_category", "contact_mobile", "policies",
    }  # fmt: skip
    with force_locale("en"):
        assert str(fields["visited_on"]) == "A visit cannot be in the future."
        assert str(fields["problem1_category"]) == "Choose a category."
    with force_locale("zh_CN"):
        assert str(fields["visited_on"]) != "A visit cannot be in the future."
        assert any("\u4e00" <= c <= "\u9fff" for c in str(fields["visited_on"]))
    db.rollback()
    assert db.scalar(select(Visit)) is None and db.scalar(select(Appeal)) is None
    with pytest.raises(ValidationFailed) as caught:
        _record(app, db, actor, _draft(tenant, visited_on="7/12/2026"))
    assert set(caught.value.fields) == {"visited_on"}


def test_a_building_officer_reaches_only_their_buildings_visits(
    app: Flask, org: Org, as_: As, person: Callable[..., Staff], company: Callable[..., Tenant]
) -> None:
    ours, theirs = company("demo"), company("b-tower")
    zhang, li = person("zhang", org.building), person("li", org.neighbour)
    chen, wu, qian = (
        person("chen", org.district),
        person("wu", org.elsewhere),
        person("qian", org.market),
    )
    db, actor = as_(zhang)
    mine = _record(app, db, actor, _draft(ours))
    with pytest.raises(NotFound):  # another building's company: not even found to visit
        _record(app, db, actor, _draft(theirs))
    db_b, actor_b = as_(li)
    other = _record(app, db_b, actor_b, _draft(theirs))

    with pytest.raises(NotFound):
        visits.get_visit(db, other.id)
    assert [v.id for v in visits.list_visits(db)[0]] == [mine.id]
    district, _ = as_(chen)
    assert {v.id for v in visits.list_visits(district)[0]} == {mine.id, other.id}
    elsewhere, _ = as_(wu)
    assert visits.list_visits(elsewhere)[0] == []
    department, _ = as_(qian)
    with pytest.raises(NotFound):
        visits.get_visit(department, mine.id)


def test_my_companies_first_then_a_search_of_the_unit(
    org: Org, as_: As, person: Callable[..., Staff], company: Callable[..., Tenant]
) -> None:
    officer = person("zhang", org.building)
    mine = company("demo", name="长沙星辰软件有限公司", officer_id=officer.id)
    company("demo", name="长沙星河贸易有限公司")
    company("b-tower", name="长沙星光传媒有限公司")  # the next building: out of reach
    db, _ = as_(officer)
    found, searched = visits.companies_to_visit(db, officer.id)
    assert ([t.id for t in found], searched) == ([mine.id], False)
    found, searched = visits.companies_to_visit(db, officer.id, "星")
    assert sorted(t.name for t in found) == ["长沙星河贸易有限公司", "长沙星辰软件有限公司"]
    found, _ = visits.companies_to_visit(db, officer.id, mine.uscc[:17].lower())
    assert [t.id for t in found] == [mine.id]


def test_the_figures_count_visits_and_distinct_companies_visited(
    app: Flask, db: Session, org: Org, as_: As, person: Callable[..., Staff],
    company: Callable[..., Tenant],
) -> None:  # fmt: skip
    from zoneinfo import ZoneInfo

    from kiosk.services.figures.core import count
    from kiosk.services.figures.periods import Period

    first, second, theirs = company("demo"), company("demo"), company("b-tower")
    zhang, li = person("zhang", org.building), person("li", org.neighbour)
    db_a, actor = as_(zhang)
    for tenant, day in ((first, TODAY), (first, TODAY - timedelta(days=3)), (second, TODAY)):
        _record(app, db_a, actor, _draft(tenant, visited_on=day.isoformat()))
    db_b, actor_b = as_(li)
    _record(app, db_b, actor_b, _draft(theirs))
    _record(app, db_b, actor_b, _draft(theirs, visited_on=(TODAY - timedelta(days=40)).isoformat()))
    zone, month = ZoneInfo("Asia/Shanghai"), Period(date(2026, 12, 1), date(2026, 12, 31))
    demo = count(db_a, month, zone, frozenset({"demo"}))
    assert (demo.visits, demo.companies_visited) == (3, 2)
    db.rollback()  # the city's session: everything, read after the visits were recorded
    city = count(db, month, zone, None)
    assert (city.visits, city.companies_visited) == (4, 3)  # the one in November is not counted
