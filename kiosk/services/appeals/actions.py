"""What staff do with an appeal, and what the tenant does through the tracking link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Appeal, AppealEvent, AppealStatus, EventKind, Rating, Staff
from kiosk.services import audit, notify
from kiosk.services.appeals.checks import REASON_MAX, REPLY_MAX, checked_text
from kiosk.services.appeals.queries import get_by_token
from kiosk.services.appeals.submit import due_date
from kiosk.services.audit import Actor
from kiosk.text import clean_text

# ---- staff actions -------------------------------------------------------------------------


def record_event(
    db: Session,
    appeal: Appeal,
    kind: EventKind,
    actor: Actor,
    *,
    public: bool = False,
    body: str = "",
    **data: Any,
) -> None:
    """One entry on the appeal's timeline, and its audit entry (appeal.<kind>)."""
    db.add(
        AppealEvent(
            appeal_id=appeal.id,
            kind=kind,
            public=public,
            body=body,
            staff_id=actor.staff_id,
            data=data,
        )
    )
    audit.record(db, actor, f"appeal.{kind.value}", "appeal", appeal.reference, **data)


def locked_appeal(db: Session, appeal_id: int) -> Appeal:
    """The appeal, locked for this transaction (NotFound when out of reach)."""
    appeal = db.get(Appeal, appeal_id, with_for_update=True, populate_existing=True)
    if appeal is None:
        raise NotFound()
    return appeal


def _require(appeal: Appeal, *allowed: AppealStatus) -> None:
    if appeal.status not in allowed:
        from kiosk.labels import STATUS

        raise Conflict(
            _l(
                "This appeal is now “%(status)s”; that action is not possible any more.",
                status=STATUS[appeal.status],
            )
        )


OPEN = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)


def accept(db: Session, appeal_id: int, actor: Actor) -> Appeal:
    """Accept a new appeal (受理)."""
    with transaction(db):
        appeal = locked_appeal(db, appeal_id)
        _require(appeal, AppealStatus.NEW)
        appeal.status = AppealStatus.ACCEPTED
        record_event(db, appeal, EventKind.ACCEPTED, actor, public=True)
    return appeal


def assign(db: Session, appeal_id: int, assignee_id: int, actor: Actor) -> Appeal:
    """Give an open appeal to a staff member."""
    with transaction(db):
        appeal = locked_appeal(db, appeal_id)
        _require(appeal, *OPEN)
        assignee = db.get(Staff, assignee_id)
        if assignee is None or not assignee.active:
            raise ValidationFailed(fields={"assignee": _l("Choose an active staff member.")})
        appeal.assignee_id = assignee.id
        record_event(
            db,
            appeal,
            EventKind.ASSIGNED,
            actor,
            public=False,
            assignee=assignee.username,
            assignee_name=assignee.display_name,
        )
    return appeal


def reply(
    db: Session, appeal_id: int, text: str, actor: Actor, *, needs_info: bool = False
) -> Appeal:
    """Answer the tenant (or, with `needs_info`, ask for more information); a new appeal is
    accepted by the answer. The tenant is told by SMS, with the status link."""
    body = checked_text(text, "body", REPLY_MAX, multiline=True).value
    with transaction(db):
        appeal = locked_appeal(db, appeal_id)
        _require(appeal, *OPEN)
        if appeal.status is AppealStatus.NEW:
            appeal.status = AppealStatus.ACCEPTED
            record_event(db, appeal, EventKind.ACCEPTED, actor, public=True)
        asks = {"needs_info": True} if needs_info else {}
        record_event(db, appeal, EventKind.REPLY, actor, public=True, body=body, **asks)
        notify.tell_tenant(
            db, appeal, "appeal_needs_info" if needs_info else "appeal_answered", body
        )
    return appeal


def add_note(db: Session, appeal_id: int, text: str, actor: Actor) -> Appeal:
    """An internal note for colleagues; the tenant never sees it."""
    body = checked_text(text, "body", REPLY_MAX, multiline=True).value
    with transaction(db):
        appeal = locked_appeal(db, appeal_id)
        record_event(db, appeal, EventKind.NOTE, actor, public=False, body=body)
    return appeal


def resolve(db: Session, appeal_id: int, text: str, actor: Actor) -> Appeal:
    """Resolve (办结) with a final answer to the tenant, who may then rate it; told by SMS."""
    body = checked_text(text, "body", REPLY_MAX, multiline=True).value
    with transaction(db):
        appeal = locked_appeal(db, appeal_id)
        _require(appeal, *OPEN)
        appeal.status = AppealStatus.RESOLVED
        appeal.resolved_at = utcnow()
        record_event(db, appeal, EventKind.RESOLVED, actor, public=True, body=body)
        notify.tell_tenant(db, appeal, "appeal_resolved", body)
    return appeal


def reopen(db: Session, settings: Settings, appeal_id: int, reason: str, actor: Actor) -> Appeal:
    """Staff take a resolved or closed appeal up again; a new due date is set."""
    body = checked_text(reason, "reason", REASON_MAX, multiline=True).value
    with transaction(db):
        appeal = locked_appeal(db, appeal_id)
        _require(appeal, AppealStatus.RESOLVED, AppealStatus.CLOSED)
        _reopen(settings, appeal)
        record_event(db, appeal, EventKind.REOPENED, actor, public=True, body=body)
    return appeal


def _reopen(settings: Settings, appeal: Appeal) -> None:
    appeal.status = AppealStatus.REOPENED
    appeal.reopen_count += 1
    appeal.resolved_at = None
    # The old rating was of an answer that is being replaced; the timeline keeps it.
    appeal.rating, appeal.rating_reason, appeal.rated_at = None, "", None
    appeal.due_date = due_date(settings, utcnow().astimezone(settings.zone).date())


# ---- tenant actions (through the tracking link) ---------------------------------------------


class Rated(Protocol):
    """What the reopen window is worked out from: an appeal, or its status page."""

    @property
    def status(self) -> AppealStatus: ...
    @property
    def rating(self) -> Rating | None: ...
    @property
    def rated_at(self) -> datetime | None: ...


def reopen_until(settings: Settings, appeal: Rated) -> datetime | None:
    """When the window to reopen after a 不满意 rating ends (None: the appeal has no such window).

    A 不满意 keeps the way open for `reopen_after_dissatisfied_days` after the rating, so a
    dissatisfied tenant is not shut out by having said so.
    """
    dissatisfied = appeal.status is AppealStatus.CLOSED and appeal.rating is Rating.DISSATISFIED
    if not dissatisfied or appeal.rated_at is None:
        return None
    return appeal.rated_at + timedelta(days=settings.reopen_after_dissatisfied_days)


def can_reopen(settings: Settings, appeal: Rated) -> bool:
    """Whether the tenant may say "it is not resolved" now: resolved, or 不满意 and in time."""
    if appeal.status is AppealStatus.RESOLVED:
        return True
    until = reopen_until(settings, appeal)
    return until is not None and utcnow() < until


def rate(db: Session, settings: Settings, token: str, rating: str, reason: str) -> Appeal:
    """The tenant rates the answer to a resolved appeal; a reason is needed for 不满意.

    不满意 puts the appeal in the staff's follow-up queue, due like a new appeal from today.
    """
    try:
        value = Rating(rating)
    except ValueError:
        raise ValidationFailed(fields={"rating": _l("Choose how satisfied you are.")}) from None
    text = clean_text(reason, multiline=True).text
    if value is Rating.DISSATISFIED and not text:
        raise ValidationFailed(fields={"reason": _l("Tell us why you are not satisfied.")})
    if len(text) > REASON_MAX:
        raise ValidationFailed(
            fields={"reason": _l("This must be %(limit)s characters or fewer.", limit=REASON_MAX)}
        )
    with transaction(db):
        appeal = locked_appeal(db, get_by_token(db, token).id)
        _require(appeal, AppealStatus.RESOLVED)
        appeal.status, appeal.rating, appeal.rating_reason = AppealStatus.CLOSED, value, text
        appeal.rated_at = utcnow()
        if value is Rating.DISSATISFIED:
            appeal.due_date = due_date(settings, appeal.rated_at.astimezone(settings.zone).date())
        db.add(
            AppealEvent(
                appeal_id=appeal.id,
                kind=EventKind.RATED,
                public=True,
                body=text,
                data={"rating": value.value},
            )
        )
    return appeal


def tenant_reopen(db: Session, settings: Settings, token: str, reason: str) -> Appeal:
    """The tenant says a resolved (or, for a while, a 不满意) appeal is not resolved."""
    text = checked_text(reason, "reason", REASON_MAX, multiline=True).value
    with transaction(db):
        appeal = locked_appeal(db, get_by_token(db, token).id)
        if not can_reopen(settings, appeal):
            _require(appeal, AppealStatus.RESOLVED)  # says why it is refused
        _reopen(settings, appeal)
        db.add(AppealEvent(appeal_id=appeal.id, kind=EventKind.REOPENED, public=True, body=text))
    return appeal
