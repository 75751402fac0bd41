"""The scope rule for hand-offs (a department reaches the appeals handed to it: reads, timeline,
writes) and two reviewers publishing at once (one publish)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import Conflict
from kiosk.models import Appeal, AppealEvent, Assignment, EventKind, Role, Staff
from kiosk.scope import OutOfReach, Reach
from kiosk.services import assignments
from tests.support.org import As, Org

TODAY = date(2026, 12, 7)


def _department(org: Org) -> Reach:
    return Reach(frozenset(), frozenset(), frozenset({str(org.market.id)}))


def test_a_departments_reach_is_what_was_handed_to_it(
    as_: As, org: Org, person: Callable[..., Staff], make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:  # fmt: skip
    office, me = as_(person("officer", org.building))
    handed, other = make_appeal(), make_appeal()
    settings = as_.app.config["KIOSK"]
    assignments.hand_off(office, settings, handed.id, org.market.id, 3, me, today=TODAY)
    assignments.hand_off(office, settings, other.id, org.tax.id, 3, me, today=TODAY)
    db.rollback()
    scope.enter(db, _department(org))
    assert list(db.scalars(select(Appeal.reference))) == [handed.reference]
    assert db.get(Appeal, other.id) is None
    events = set(db.scalars(select(AppealEvent.appeal_id)))
    assert events == {handed.id}
    assert [row.department_id for row in db.scalars(select(Assignment))] == [org.market.id]
    # A note on what was handed is admitted; one on another appeal is refused at the flush.
    db.add(AppealEvent(appeal_id=handed.id, kind=EventKind.NOTE, public=False, body="ok"))
    db.flush()
    db.add(AppealEvent(appeal_id=other.id, kind=EventKind.NOTE, public=False, body="no"))
    with pytest.raises(OutOfReach):
        db.flush()
    db.rollback()
    nothing = Reach(frozenset(), frozenset(), frozenset())
    scope.enter(db, nothing)
    assert db.scalar(select(func.count()).select_from(Appeal)) == 0


def test_two_reviewers_publishing_at_once_publish_once(
    as_: As, org: Org, person: Callable[..., Staff], make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:  # fmt: skip
    appeal = make_appeal()
    office, me = as_(person("officer", org.building))
    settings = as_.app.config["KIOSK"]
    row = assignments.hand_off(office, settings, appeal.id, org.market.id, 3, me, today=TODAY)
    dept, clerk = as_(person("clerk", org.market))
    assignments.reply(dept, row.id, "已处理。", clerk)
    reviewers = [as_(person(f"reviewer{n}", org.building, Role.SUPERVISOR)) for n in (1, 2)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def review(session: Session, actor: object) -> None:
        with as_.app.test_request_context():
            start.wait()
            try:
                assignments.publish(session, row.id, actor)  # type: ignore[arg-type]
                outcomes.append("published")
            except Conflict:
                outcomes.append("refused")
            finally:
                session.close()  # in this thread: its connection goes back to the pool here

    threads = [threading.Thread(target=review, args=pair) for pair in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["published", "refused"]
    db.rollback()
    kinds = list(db.scalars(select(AppealEvent.kind).where(AppealEvent.appeal_id == appeal.id)))
    assert kinds.count(EventKind.PUBLISHED) == 1 and kinds.count(EventKind.RESOLVED) == 1
