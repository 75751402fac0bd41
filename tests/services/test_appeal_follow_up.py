"""不满意 is not a dead end: the tenant may reopen for a while, and staff see a follow-up queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.errors import Conflict
from kiosk.models import Appeal, AppealStatus, Role, Staff
from kiosk.services import appeals, ledger
from kiosk.services.audit import Actor


@pytest.fixture
def officer(make_staff: Callable[..., Staff]) -> Actor:
    return Actor(make_staff("officer", Role.STAFF), "127.0.0.1")


@pytest.fixture
def rated(
    app: Flask, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> Callable[[str], Appeal]:
    """An appeal answered and rated by its tenant."""

    def factory(rating: str) -> Appeal:
        appeal = make_appeal()
        appeals.resolve(db, appeal.id, "已协调物业处理。", officer)
        reason = "电梯还是经常停运" if rating == "dissatisfied" else ""
        appeals.rate(db, app.config["KIOSK"], appeal.token, rating, reason)
        db.expire_all()
        return appeals.get_by_token(db, appeal.token)

    return factory


def test_a_dissatisfied_tenant_can_still_reopen(
    app: Flask, db: Session, rated: Callable[[str], Appeal]
) -> None:
    settings = app.config["KIOSK"]
    appeal = rated("dissatisfied")
    assert appeal.status is AppealStatus.CLOSED and appeal.rated_at is not None
    until = appeals.reopen_until(settings, appeal)
    assert until == appeal.rated_at + timedelta(days=settings.reopen_after_dissatisfied_days)
    assert settings.reopen_after_dissatisfied_days == 15
    assert appeals.can_reopen(settings, appeal)
    appeals.tenant_reopen(db, settings, appeal.token, "物业没有来处理")
    db.expire_all()
    reopened = appeals.get_by_token(db, appeal.token)
    assert reopened.status is AppealStatus.REOPENED and reopened.reopen_count == 1
    assert reopened.rating is None and reopened.rated_at is None
    assert reopened.events[-1].body == "物业没有来处理"


def test_the_way_to_reopen_closes_after_its_period_and_never_opens_when_satisfied(
    app: Flask, db: Session, rated: Callable[[str], Appeal]
) -> None:
    settings = app.config["KIOSK"]
    late = rated("dissatisfied")
    late.rated_at = utcnow() - timedelta(days=settings.reopen_after_dissatisfied_days, seconds=1)
    db.commit()
    assert not appeals.can_reopen(settings, late)
    with pytest.raises(Conflict):
        appeals.tenant_reopen(db, settings, late.token, "还是不行")
    happy = rated("satisfied")
    assert appeals.reopen_until(settings, happy) is None
    with pytest.raises(Conflict):
        appeals.tenant_reopen(db, settings, happy.token, "改主意了")


def test_a_dissatisfied_rating_is_due_for_follow_up_from_the_rating_day(
    app: Flask, rated: Callable[[str], Appeal]
) -> None:
    settings = app.config["KIOSK"]
    appeal = rated("dissatisfied")
    assert appeal.rated_at is not None
    day = appeal.rated_at.astimezone(settings.zone).date()
    assert appeal.due_date == appeals.due_date(settings, day)


def test_the_follow_up_queue_and_its_counts(
    app: Flask, db: Session, rated: Callable[[str], Appeal], make_appeal: Callable[..., Appeal]
) -> None:
    today = ledger.today_in(app.config["KIOSK"].zone)
    unhappy, happy = rated("dissatisfied"), rated("satisfied")
    reopened = make_appeal(status=AppealStatus.REOPENED)
    fresh = make_appeal()
    unhappy.due_date = today - timedelta(days=1)  # the follow-up is late
    happy.due_date = today - timedelta(days=3)  # closed and content: owed nothing
    reopened.due_date = today
    fresh.due_date = today
    db.commit()
    queue = ledger.list_appeals(db, ledger.AppealFilter(follow_up=True)).items
    assert [row.reference for row in queue] == [reopened.reference, unhappy.reference]
    assert [row.dissatisfied for row in queue] == [False, True]
    assert ledger.follow_up_counts(db, today) == ledger.FollowUpCounts(
        follow_up=2, overdue=1, due_today=2
    )
    late = ledger.list_appeals(db, ledger.AppealFilter(overdue_on=today)).items
    assert [row.reference for row in late] == [unhappy.reference]
    assert late[0].is_overdue(today)
    due = ledger.list_appeals(db, ledger.AppealFilter(due_on=today)).items
    assert {row.reference for row in due} == {reopened.reference, fresh.reference}
    assert ledger.count_appeals(db, ledger.AppealFilter(follow_up=True, due_on=today)) == 1


def test_staff_take_a_dissatisfied_appeal_up_again_and_it_leaves_the_queue_when_answered(
    app: Flask, db: Session, rated: Callable[[str], Appeal], officer: Actor
) -> None:
    settings = app.config["KIOSK"]
    today = ledger.today_in(settings.zone)
    appeal = rated("dissatisfied")
    queue = ledger.AppealFilter(follow_up=True)
    assert [row.reference for row in ledger.list_appeals(db, queue).items] == [appeal.reference]
    appeals.reopen(db, settings, appeal.id, "回访企业，重新协调物业", officer)
    assert ledger.count_appeals(db, queue) == 1  # reopened: still to follow up
    appeals.resolve(db, appeal.id, "已更换电梯控制柜。", officer)
    assert ledger.count_appeals(db, queue) == 0
    assert ledger.follow_up_counts(db, today) == ledger.FollowUpCounts(0, 0, 0)
    appeals.rate(db, settings, appeal.token, "satisfied", "")
    assert ledger.count_appeals(db, queue) == 0
