"""The hand-off flow at service level: 交办 to 市场监管, accept, reply, send back, reply again,
publish; what the tenant sees at each step; returns, urges, follow-up calls and refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.models import (
    Appeal,
    AppealStatus,
    Assignment,
    AssignmentState,
    Callback,
    EventKind,
    Notification,
    Role,
    Staff,
)
from kiosk.services import appeals, assignments, ledger
from tests.support.org import As, Org

TODAY = date(2026, 12, 7)  # a Monday


@pytest.fixture
def people(person: Callable[..., Staff], org: Org) -> dict[str, Staff]:
    return {
        "officer": person("officer", org.building),
        "reviewer": person("reviewer", org.building, Role.SUPERVISOR),
        "neighbour": person("neighbour", org.neighbour),
        "district": person("district", org.district),
        "market": person("market", org.market),
        "tax": person("taxman", org.tax),
    }


def _public(db: Session, appeal: Appeal) -> list[tuple[str, str]]:
    """What the tenant's phone page shows: (kind, body) of the public timeline."""
    db.rollback()  # a fresh look, as a new request would have
    db.expire_all()
    page = appeals.get_for_status_page(db, appeal.token)
    return [(e.kind.value, e.body) for e in page.events]


def test_the_whole_flow_reaches_the_tenant_only_when_published(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(category="market")
    office, me = as_(people["officer"])
    row = assignments.hand_off(
        office, office_settings(as_), appeal.id, org.market.id, 5, me, today=TODAY
    )
    assert row.due_on == date(2026, 12, 14) and row.state is AssignmentState.SENT
    told = db.scalars(select(Notification).where(Notification.staff_id == people["market"].id))
    assert [n.template for n in told] == ["handed_off"]

    dept, clerk = as_(people["market"])
    assignments.accept(dept, row.id, clerk)
    assignments.reply(dept, row.id, "已核实，正在协调。", clerk)
    assert _public(db, appeal) == [("submitted", ""), ("accepted", "")]

    review, boss = as_(people["reviewer"])
    assignments.send_back(review, row.id, "请写明办理时限。", boss)
    assert _public(db, appeal) == [("submitted", ""), ("accepted", "")]
    with pytest.raises(Conflict):  # sent back: nothing to publish until the department answers
        assignments.publish(review, row.id, boss)

    assignments.reply(dept, row.id, "已责令整改，12月20日前完成。", clerk)
    assignments.publish(review, row.id, boss)

    assert _public(db, appeal)[-1] == ("resolved", "已责令整改，12月20日前完成。")
    db.rollback()  # a fresh look, as a new request would have
    db.expire_all()
    done = db.get(Appeal, appeal.id)
    assert done is not None and done.status is AppealStatus.RESOLVED
    assert done.handoff_state is AssignmentState.PUBLISHED and done.department_id == org.market.id
    kinds = [e.kind for e in done.events]
    for kind in (EventKind.HANDED_OFF, EventKind.HANDOFF_ACCEPTED, EventKind.DEPT_REPLY,
                 EventKind.SENT_BACK, EventKind.PUBLISHED):  # fmt: skip
        assert kind in kinds
    sms = db.scalars(select(Notification.template).where(Notification.audience == "tenant"))
    assert list(sms) == ["appeal_resolved"]


def office_settings(as_: As):  # type: ignore[no-untyped-def]
    return as_.app.config["KIOSK"]


def test_a_department_reaches_only_what_was_handed_to_it(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal]
) -> None:
    handed, kept = make_appeal(category="market"), make_appeal()
    office, me = as_(people["officer"])
    assignments.hand_off(
        office, office_settings(as_), handed.id, org.market.id, 5, me, today=TODAY,
        co_handlers=[org.tax.id],
    )  # fmt: skip
    dept, _ = as_(people["market"])
    assert ledger.get_appeal(dept, handed.reference).id == handed.id
    with pytest.raises(NotFound):
        ledger.get_appeal(dept, kept.reference)
    listed = ledger.list_appeals(dept, ledger.AppealFilter()).items
    assert [r.reference for r in listed] == [handed.reference]
    co, _ = as_(people["tax"])  # the co-handling department reaches it too, and its own row
    assert ledger.get_appeal(co, handed.reference).id == handed.id
    assert [r.lead for r in co.scalars(select(Assignment))] == [False]
    other, _ = as_(people["neighbour"])  # another building of the district: nothing
    with pytest.raises(NotFound):
        ledger.get_appeal(other, handed.reference)


def test_only_the_department_acts_and_only_the_sender_reviews(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    office, me = as_(people["officer"])
    row = assignments.hand_off(office, office_settings(as_), appeal.id, org.market.id, 3, me,
                               today=TODAY)  # fmt: skip
    with pytest.raises(Conflict):  # the building's officer does not answer for the department
        assignments.reply(office, row.id, "我来答", me)
    tax, taxman = as_(people["tax"])
    with pytest.raises(NotFound):  # not handed to 税务: not even there
        assignments.accept(tax, row.id, taxman)
    dept, clerk = as_(people["market"])
    assignments.reply(dept, row.id, "答复", clerk)
    with pytest.raises(Conflict):
        assignments.publish(dept, row.id, clerk)
    elsewhere, stranger = as_(people["neighbour"])
    with pytest.raises(NotFound):
        assignments.publish(elsewhere, row.id, stranger)
    district, chief = as_(people["district"])  # the unit above the sender may review too
    assert assignments.publish(district, row.id, chief).state is AssignmentState.PUBLISHED


def test_a_return_goes_back_to_the_unit_that_sent_it(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    office, me = as_(people["officer"])
    row = assignments.hand_off(office, office_settings(as_), appeal.id, org.market.id, 3, me,
                               today=TODAY)  # fmt: skip
    dept, clerk = as_(people["market"])
    with pytest.raises(ValidationFailed) as refused:
        assignments.return_to_sender(dept, row.id, "  ", clerk)
    assert "reason" in refused.value.fields
    assignments.return_to_sender(dept, row.id, "属于税务部门职责。", clerk)
    office.rollback()  # a new request
    office.expire_all()
    queues = assignments.queues(office, org.building.id, department=False)
    assert [r.id for r in queues.returned] == [row.id]
    assert queues.returned[0].return_reason == "属于税务部门职责。"
    assert assignments.queues(dept, org.market.id, department=True).empty
    again = assignments.hand_off(office, office_settings(as_), appeal.id, org.tax.id, 3, me,
                                 today=TODAY)  # fmt: skip
    assert again.department_id == org.tax.id
    office.rollback()
    office.expire_all()
    assert assignments.queues(office, org.building.id, department=False).returned == []


def test_hand_off_refusals_say_what_is_wrong(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    office, me = as_(people["officer"])
    settings = office_settings(as_)
    for days in (0, 61, None):
        with pytest.raises(ValidationFailed) as refused:
            assignments.hand_off(office, settings, appeal.id, org.market.id, days, me, today=TODAY)
        assert "days" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:  # a building is not a department
        assignments.hand_off(office, settings, appeal.id, org.neighbour.id, 3, me, today=TODAY)
    assert "department" in refused.value.fields
    assignments.hand_off(office, settings, appeal.id, org.market.id, 3, me, today=TODAY)
    with pytest.raises(Conflict):  # already with a department
        assignments.hand_off(office, settings, appeal.id, org.tax.id, 3, me, today=TODAY)
    dept, clerk = as_(people["market"])
    with pytest.raises(Conflict):  # a department does not hand on what it was handed
        assignments.hand_off(dept, settings, appeal.id, org.tax.id, 3, clerk, today=TODAY)


def test_due_dates_count_working_days_around_a_holiday(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal]
) -> None:
    office, me = as_(people["officer"])
    settings = office_settings(as_)
    # 2025: National Day and Mid-Autumn, 1–8 October off; Saturday 11 October is a workday.
    row = assignments.hand_off(office, settings, make_appeal().id, org.market.id, 3, me,
                               today=date(2025, 9, 30))  # fmt: skip
    assert row.due_on == date(2025, 10, 11)
    calendar = assignments.Calendar.of(settings)
    cutoffs = assignments.Cutoffs.on(calendar, date(2025, 10, 9))
    assert cutoffs.timing(date(2025, 10, 10)) is assignments.Timing.DUE_SOON
    assert cutoffs.timing(date(2025, 9, 30)) is assignments.Timing.OVERDUE
    assert cutoffs.timing(date(2025, 9, 22)) is assignments.Timing.SERIOUS
    assert cutoffs.timing(date(2025, 10, 13)) is assignments.Timing.ON_TIME


def test_an_urge_is_recorded_and_told_to_the_handler(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal()
    office, me = as_(people["officer"])
    settings = office_settings(as_)
    row = assignments.hand_off(office, settings, appeal.id, org.market.id, 1, me, today=TODAY)
    dept, clerk = as_(people["market"])
    assignments.accept(dept, row.id, clerk)
    with pytest.raises(Conflict):  # the department does not urge itself
        assignments.urge(dept, settings, row.id, "", clerk, today=TODAY)
    urged = assignments.urge(
        office, settings, row.id, "企业催问，请加快。", me, today=date(2026, 12, 10)
    )
    assert urged.urge_count == 1
    db.rollback()  # a fresh look, as a new request would have
    db.expire_all()
    events = [e for e in db.get(Appeal, appeal.id).events if e.kind is EventKind.URGED]  # type: ignore[union-attr]
    assert [(e.body, e.public, e.staff_id) for e in events] == [
        ("企业催问，请加快。", False, me.staff_id)
    ]
    told = db.scalars(
        select(Notification.template).where(Notification.staff_id == people["market"].id)
    )
    assert list(told) == ["handed_off", "overdue"]


def test_reminders_go_once_a_day_to_the_handler(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal], db: Session
) -> None:
    office, me = as_(people["officer"])
    settings = office_settings(as_)
    row = assignments.hand_off(office, settings, make_appeal().id, org.market.id, 2, me,
                               today=TODAY)  # fmt: skip
    assignments.hand_off(office, settings, make_appeal().id, org.tax.id, 20, me, today=TODAY)
    assert assignments.run_reminders(db, settings, TODAY) == 0  # nothing due soon yet
    assert assignments.run_reminders(db, settings, date(2026, 12, 8)) == 1  # due the 9th
    assert assignments.run_reminders(db, settings, date(2026, 12, 8)) == 0  # never twice
    assert assignments.run_reminders(db, settings, date(2026, 12, 10)) == 1  # overdue now
    dept, clerk = as_(people["market"])
    assignments.reply(dept, row.id, "已答复", clerk)
    assert assignments.run_reminders(db, settings, date(2026, 12, 11)) == 0  # answered
    templates = db.scalars(
        select(Notification.template).where(Notification.staff_id == people["market"].id)
        .order_by(Notification.id)
    )  # fmt: skip
    assert list(templates) == ["handed_off", "due_soon", "overdue"]


def test_the_follow_up_call_is_recorded_after_resolution(
    as_: As, org: Org, people: dict[str, Staff], make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    office, me = as_(people["officer"])
    with pytest.raises(ValidationFailed):  # not resolved yet
        assignments.call_back(office, appeal.id, "satisfied", "", me)
    appeals.resolve(office, appeal.id, "已解决。", me)
    with pytest.raises(ValidationFailed) as refused:
        assignments.call_back(office, appeal.id, "maybe", "", me)
    assert "result" in refused.value.fields
    done = assignments.call_back(office, appeal.id, "dissatisfied", "企业认为仍需跟进。", me)
    assert done.callback is Callback.DISSATISFIED and done.callback_at is not None
