"""Grouping appeals of many companies into one common problem at the district, its meetings,
and who sees and changes it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.models import Appeal, AuditLog, CommonProblem, ProblemState
from kiosk.services import common_problems
from kiosk.services.common_problems import ActionItem
from tests.services.common_problems.conftest import Org, Reach


def _group(org: Org, as_: Reach, appeals: list[Appeal]) -> CommonProblem:
    db, me = as_(org.lead)
    return common_problems.group(
        db, me, [a.id for a in appeals], title="5路公交改线", unit_id=org.district.id,
        officer_id=org.lead.id,
    )  # fmt: skip


def test_three_companies_appeals_grouped_at_the_district(
    org: Org, as_: Reach, bus_appeals: list[Appeal], db: Session
) -> None:
    lead_db, _ = as_(org.lead)
    owners = common_problems.owners(lead_db, bus_appeals)
    assert [u.code for u in owners] == ["furong"]  # the city is not the district's to choose
    problem = _group(org, as_, bus_appeals)
    lead_db.rollback()  # end the read begun before the grouping (SQLite reads a snapshot)
    members = common_problems.members(lead_db, common_problems.get(lead_db, problem.id))
    assert sorted(a.company_name for _, a in members) == sorted(t.name for t in org.tenants)
    assert problem.unit_id == org.district.id and problem.officer_id == org.lead.id
    assert problem.state is ProblemState.OPEN
    assert db.scalar(select(AuditLog.id).where(AuditLog.action == "common_problem.create"))


def test_a_building_officer_sees_the_problem_of_their_appeal_but_cannot_change_it(
    org: Org, as_: Reach, bus_appeals: list[Appeal]
) -> None:
    problem = _group(org, as_, bus_appeals)
    db, me = as_(org.building_officer)
    seen = common_problems.for_appeal(db, bus_appeals[0].id)
    assert seen is not None and seen.title == "5路公交改线"
    assert not common_problems.owns(db, seen)
    # Only the appeals of their own building are listed to them.
    assert len(common_problems.members(db, seen)) == 2
    with pytest.raises(NotFound):
        common_problems.note_progress(db, me, problem.id, "已协调")


def test_another_districts_officer_cannot_reach_it_by_id(
    org: Org, as_: Reach, bus_appeals: list[Appeal]
) -> None:
    problem = _group(org, as_, bus_appeals)
    db, _ = as_(org.stranger)
    with pytest.raises(NotFound):
        common_problems.get(db, problem.id)
    assert common_problems.listing(db) == []
    assert common_problems.for_appeal(db, bus_appeals[0].id) is None


def test_grouping_refuses_what_does_not_fit(
    org: Org, as_: Reach, bus_appeals: list[Appeal]
) -> None:
    db, me = as_(org.lead)
    ids = [a.id for a in bus_appeals]
    with pytest.raises(ValidationFailed) as one:
        common_problems.group(db, me, ids[:1], title="t", unit_id=org.district.id,
                              officer_id=org.lead.id)  # fmt: skip
    assert "appeals" in one.value.fields
    with pytest.raises(ValidationFailed) as unit:
        common_problems.group(db, me, ids, title="t", unit_id=org.city.id, officer_id=org.lead.id)
    assert "unit" in unit.value.fields
    with pytest.raises(ValidationFailed) as officer:
        common_problems.group(db, me, ids, title="t", unit_id=org.district.id,
                              officer_id=org.stranger.id)  # fmt: skip
    assert "officer" in officer.value.fields
    with pytest.raises(ValidationFailed) as title:
        common_problems.group(db, me, ids, title="  ", unit_id=org.district.id,
                              officer_id=org.lead.id)  # fmt: skip
    assert "title" in title.value.fields
    _group(org, as_, bus_appeals)
    with pytest.raises(Conflict):  # an appeal is in one common problem at most
        common_problems.group(db, me, ids[:2], title="again", unit_id=org.district.id,
                              officer_id=org.lead.id)  # fmt: skip


def test_a_building_officer_cannot_group_for_the_district(
    org: Org, as_: Reach, bus_appeals: list[Appeal]
) -> None:
    db, me = as_(org.building_officer)
    assert common_problems.owners(db, bus_appeals[:2]) == []
    with pytest.raises(ValidationFailed):
        common_problems.group(db, me, [a.id for a in bus_appeals[:2]], title="t",
                              unit_id=org.district.id, officer_id=org.lead.id)  # fmt: skip


def test_a_meeting_is_recorded_with_who_does_what_by_when(
    org: Org, as_: Reach, bus_appeals: list[Appeal]
) -> None:
    problem = _group(org, as_, bus_appeals)
    db, me = as_(org.lead)
    offered = {u.code for u in common_problems.departments(db, problem.unit)}
    assert offered == {"transport-dept", "housing-dept"}
    common_problems.record_meeting(
        db, me, problem.id, today=date(2026, 12, 7), held_on=date(2026, 12, 5),
        present=[org.transport.id, org.housing.id], others="公交集团",
        decisions="交通运输局协调公交集团恢复园区站点。",
        actions=[ActionItem(org.transport.id, "恢复5路园区站", date(2026, 12, 20)),
                 ActionItem(None, "", None)],
    )  # fmt: skip
    (meeting,) = common_problems.get(db, problem.id).meetings
    assert meeting.departments == sorted([org.transport.id, org.housing.id])
    assert meeting.actions == [{"who": org.transport.id, "what": "恢复5路园区站",
                                "due": "2026-12-20"}]  # fmt: skip
    assert [e.kind.value for e in common_problems.get(db, problem.id).events] == [
        "created", "meeting",
    ]  # fmt: skip


def test_a_meeting_form_with_mistakes_names_each(
    org: Org, as_: Reach, bus_appeals: list[Appeal]
) -> None:
    problem = _group(org, as_, bus_appeals)
    db, me = as_(org.lead)
    with pytest.raises(ValidationFailed) as wrong:
        common_problems.record_meeting(
            db, me, problem.id, today=date(2026, 12, 7), held_on=date(2026, 12, 9), present=[],
            others="", decisions="", actions=[ActionItem(None, "", date(2026, 12, 20))],
        )  # fmt: skip
    assert set(wrong.value.fields) == {"held_on", "decisions", "actions-0-what"}
    with pytest.raises(ValidationFailed) as stranger:  # a department of another district
        common_problems.record_meeting(
            db, me, problem.id, today=date(2026, 12, 7), held_on=date(2026, 12, 5),
            present=[org.other.id], others="", decisions="决定", actions=[],
        )  # fmt: skip
    assert "present" in stranger.value.fields
