"""One answer to a common problem reaches every appeal in it, and its meetings (会商会).

The answer resolves each open appeal in the problem with the same words, as staff resolve an
appeal: a public answer on its timeline, its tenant told by SMS with the status link (once: a
second save reaches no appeal that already has it), and the tenant may rate it or say it is not
resolved. An appeal reopened that way is open again in an answered problem: the problem is
flagged, and the next answer reaches that appeal alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    EventKind,
    Meeting,
    ProblemAppeal,
    ProblemEventKind,
    ProblemState,
    Unit,
    UnitKind,
)
from kiosk.services import audit, notify
from kiosk.services.appeals.checks import REPLY_MAX, checked_text
from kiosk.services.audit import Actor
from kiosk.services.common_problems.problems import _event, _owned
from kiosk.text import clean_text

OTHERS_MAX = 400
ACTION_MAX = 300


def answer(db: Session, actor: Actor, problem_id: int, text: str) -> int:
    """Give the problem its answer and send it to every open appeal in it; how many it reached."""
    body = checked_text(text, "answer", REPLY_MAX, multiline=True).value
    with transaction(db):
        problem = _owned(db, problem_id)
        if problem.state is ProblemState.CLOSED:
            raise Conflict(_l("The common problem is closed; take it up again to answer."))
        now = utcnow()
        links = db.scalars(
            select(ProblemAppeal)
            .join(Appeal, Appeal.id == ProblemAppeal.appeal_id)
            .where(ProblemAppeal.problem_id == problem.id)
            .order_by(ProblemAppeal.id)
            .with_for_update()
        ).all()
        reached = 0
        for link in links:
            appeal = link.appeal
            if not appeal.status.is_open:
                continue  # it has the answer (or rated it) already
            appeal.status, appeal.resolved_at = AppealStatus.RESOLVED, now
            db.add(
                AppealEvent(
                    appeal_id=appeal.id,
                    kind=EventKind.RESOLVED,
                    public=True,
                    body=body,
                    staff_id=actor.staff_id,
                    data={"common_problem": problem.id},
                )
            )
            audit.record(
                db, actor, "appeal.resolved", "appeal", appeal.reference, problem=problem.id
            )
            notify.tell_tenant(db, appeal, "appeal_resolved", body)
            link.answered_at = now
            reached += 1
        if reached == 0 and problem.answer == body:
            return 0  # the same answer saved again: nothing to send, nothing to record
        problem.answer, problem.answered_at = body, now
        problem.answered_by_id, problem.state = actor.staff_id, ProblemState.ANSWERED
        _event(db, problem, ProblemEventKind.ANSWERED, actor, body, reached=reached)
        audit.record(
            db,
            actor,
            "common_problem.answer",
            "common_problem",
            str(problem.id),
            reached=reached,
        )
    return reached


@dataclass(frozen=True)
class ActionItem:
    """Who does what by when, as typed on the meeting form."""

    who: int | None  # a department's unit id (None: the owner unit itself)
    what: str
    due: date | None


def departments(db: Session, unit: Unit) -> list[Unit]:
    """The departments that may sit at a meeting on a problem of `unit`: the city's and those
    of the districts above it or under it."""
    above = [int(part) for part in unit.path.strip("/").split("/") if part]
    rows = db.scalars(
        select(Unit)
        .where(Unit.kind == UnitKind.DEPARTMENT, Unit.closed_at.is_(None))
        .where(Unit.parent_id.in_(above) | Unit.path.startswith(unit.path))
        .order_by(Unit.sort_order, Unit.name_zh, Unit.id)
    )
    return list(rows)


def record_meeting(
    db: Session,
    actor: Actor,
    problem_id: int,
    *,
    today: date,
    held_on: date | None,
    present: list[int],
    others: str,
    decisions: str,
    actions: list[ActionItem],
) -> Meeting:
    """Record a joint meeting (会商会) on the problem."""
    fields = {}
    if held_on is None:
        fields["held_on"] = _l("Enter the date of the meeting.")
    elif held_on > today:
        fields["held_on"] = _l("A meeting is recorded once it has been held.")
    try:
        what = checked_text(decisions, "decisions", REPLY_MAX, multiline=True).value
    except ValidationFailed as exc:
        fields.update(exc.fields)
        what = ""
    rest = clean_text(others).text
    if len(rest) > OTHERS_MAX:
        fields["others"] = _l("This must be %(limit)s characters or fewer.", limit=OTHERS_MAX)
    items = _actions(actions, fields)
    if fields:
        raise ValidationFailed(fields=fields)
    assert held_on is not None
    with transaction(db):
        problem = _owned(db, problem_id)
        allowed = {unit.id for unit in departments(db, problem.unit)}
        if not set(present) <= allowed or any(i["who"] not in (None, *allowed) for i in items):
            raise ValidationFailed(fields={"present": _l("Choose departments from the list.")})
        meeting = Meeting(
            problem_id=problem.id,
            held_on=held_on,
            departments=sorted(set(present)),
            others=rest,
            decisions=what,
            actions=items,
            recorded_by_id=actor.staff_id,
        )
        db.add(meeting)
        _event(db, problem, ProblemEventKind.MEETING, actor, held_on=held_on.isoformat())
        audit.record(
            db, actor, "common_problem.meeting", "common_problem", str(problem.id),
            held_on=held_on.isoformat(),
        )  # fmt: skip
    return meeting


def _actions(actions: list[ActionItem], fields: dict[str, object]) -> list[dict[str, object]]:
    """The action items as kept (blank rows left out); a row with a date or a unit but no task
    is refused."""
    items: list[dict[str, object]] = []
    for n, item in enumerate(actions):
        what = clean_text(item.what).text
        if not what:
            if item.due is not None:
                fields[f"actions-{n}-what"] = _l("Say what is to be done.")
            continue
        if len(what) > ACTION_MAX:
            fields[f"actions-{n}-what"] = _l(
                "This must be %(limit)s characters or fewer.", limit=ACTION_MAX
            )
        due = item.due.isoformat() if item.due else ""
        items.append({"who": item.who, "what": what, "due": due})
    return items
