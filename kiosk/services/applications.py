"""Applications (办事): submitting, fixing what staff asked for, deciding, booking slots.

The task modules (kiosk.tasks) say what an application's answers mean; this module keeps the
rows: one transaction per change, each with its history entry and, for staff, an audit entry.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Application,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationStatus,
    InvoiceSlot,
)
from kiosk.services import audit, lockouts
from kiosk.services.audit import Actor
from kiosk.services.lockouts import Rule, Source
from kiosk.services.once import create_once
from kiosk.services.references import new_token, next_reference
from kiosk.validators import pickup_code

PICKUP_DIGITS = 6
# Five wrong pickup codes, then a wait (1, 5, 15, 60 min for a session; a key's at most 15).
CODE_RULE = Rule(limit=5, key_cap=15)
REASON_MAX = 500


def new_pickup_code() -> str:
    """Six random digits, printed on the slip and shown on the status page."""
    return f"{secrets.randbelow(10**PICKUP_DIGITS):0{PICKUP_DIGITS}d}"


@dataclass(frozen=True)
class Draft:
    """An application as the terminal hands it over (answers already checked by the steps)."""

    task: str
    reference_prefix: str
    submission_key: str
    answers: dict[str, Any]
    company_name: str
    company_uscc: str
    tenant_id: int | None
    locale: str
    approved_on_submit: bool = False  # a booking needs no review
    slot_id: int | None = None


SlipBuilder = Callable[[Application], dict[str, Any]]


def submit(
    db: Session,
    settings: Settings,
    draft: Draft,
    *,
    slip: SlipBuilder | None = None,
    now: datetime | None = None,
) -> Application:
    """Record a new application (its slot booked, its slip queued) in one transaction.

    Submitting the same draft twice (a double tap, a resubmitted form) returns the first one.
    """
    if len(draft.submission_key) < 16:
        raise ValidationFailed(_l("This form is out of date. Please check your answers again."))
    now = now or utcnow()

    def create() -> Application:
        if draft.slot_id is not None:
            book_slot(db, draft.slot_id, now)
        local_day = now.astimezone(settings.zone).date()
        application = Application(
            reference=next_reference(db, draft.reference_prefix, local_day),
            token=new_token(),
            submission_key=draft.submission_key,
            task=draft.task,
            kiosk_id=settings.id,
            building_code=settings.building,
            tenant_id=draft.tenant_id,
            company_name=draft.company_name,
            company_uscc=draft.company_uscc,
            answers=draft.answers,
            locale=draft.locale,
            status=(
                ApplicationStatus.APPROVED
                if draft.approved_on_submit
                else ApplicationStatus.SUBMITTED
            ),
            pickup_code=new_pickup_code(),
            slot_id=draft.slot_id,
            created_at=now,
            decided_at=now if draft.approved_on_submit else None,
        )
        db.add(application)
        db.flush()
        add_event(db, application, ApplicationEventKind.SUBMITTED, now=now)
        if slip is not None:
            _queue_slip(db, settings, application, slip)
        return application

    return create_once(db, lambda: _by_submission_key(db, draft.submission_key), create)


def resubmit(
    db: Session,
    settings: Settings,
    application_id: int,
    draft: Draft,
    *,
    slip: SlipBuilder | None = None,
    now: datetime | None = None,
) -> Application:
    """The tenant fixed what staff asked for: new answers, back to the queue.

    A second submit of the same fix finds the application already resubmitted with this key.
    """
    now = now or utcnow()
    with transaction(db):
        application = _locked(db, application_id)
        if _resubmitted_with(application, draft.submission_key):
            return application
        if application.status is not ApplicationStatus.CHANGES_REQUESTED:
            raise Conflict(_l("This application is not waiting for changes any more."))
        application.answers = draft.answers
        application.company_name = draft.company_name
        application.company_uscc = draft.company_uscc
        application.tenant_id = draft.tenant_id
        application.status = ApplicationStatus.SUBMITTED
        application.fix_steps = []
        application.version += 1
        add_event(
            db,
            application,
            ApplicationEventKind.RESUBMITTED,
            now=now,
            data={"key": draft.submission_key, "version": application.version},
        )
        if slip is not None:
            _queue_slip(db, settings, application, slip)
        return application


def _resubmitted_with(application: Application, key: str) -> bool:
    return any(
        event.kind is ApplicationEventKind.RESUBMITTED and event.data.get("key") == key
        for event in application.events
    )


def _queue_slip(
    db: Session, settings: Settings, application: Application, slip: SlipBuilder
) -> None:
    from kiosk.services import printing

    printing.enqueue(
        db,
        kiosk_id=settings.id,
        kind=f"{application.task}_slip",
        subject=application.reference,
        document=slip(application),
    )


def add_event(
    db: Session,
    application: Application,
    kind: ApplicationEventKind,
    *,
    now: datetime,
    public: bool = True,
    body: str = "",
    staff_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> ApplicationEvent:
    """Add one entry to an application's history, in the caller's transaction."""
    event = ApplicationEvent(
        application=application,
        kind=kind,
        public=public,
        body=body,
        staff_id=staff_id,
        data=data or {},
        created_at=now,
    )
    db.add(event)
    return event


def _by_submission_key(db: Session, key: str) -> Application | None:
    return db.scalar(select(Application).where(Application.submission_key == key))


def _locked(db: Session, application_id: int) -> Application:
    query = select(Application).where(Application.id == application_id)
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    application = db.scalar(query)
    if application is None:
        raise NotFound(_l("No such application."))
    return application


# ---- reading -------------------------------------------------------------------------------


def get(db: Session, application_id: int) -> Application:
    """One application, or NotFound."""
    application = db.get(Application, application_id)
    if application is None:
        raise NotFound(_l("No such application."))
    return application


def get_by_reference(db: Session, reference: str) -> Application:
    """The application with this reference, or NotFound."""
    application = db.scalar(select(Application).where(Application.reference == reference))
    if application is None:
        raise NotFound(_l("No such application."))
    return application


def get_by_token(db: Session, token: str) -> Application:
    """The application a status link points to, or NotFound (never a hint which part was wrong)."""
    application = db.scalar(
        select(Application)
        .where(Application.token == token)
        .options(selectinload(Application.events))
    )
    if application is None:
        raise NotFound(_l("We could not find this application. Check the link on your slip."))
    return application


def public_events(application: Application) -> list[ApplicationEvent]:
    """The history entries the tenant may see."""
    return [event for event in application.events if event.public]


@dataclass(frozen=True)
class QueuePage:
    """One page of the review queue."""

    applications: list[Application]
    page: int
    pages: int
    total: int


QUEUE_PAGE_SIZE = 25


def queue(
    db: Session,
    *,
    task: str = "",
    status: str = "",
    building: str = "",
    query: str = "",
    page: int = 1,
) -> QueuePage:
    """Applications for staff, newest first, filtered by task, status, building and text."""
    conditions: list[Any] = []
    if task:
        conditions.append(Application.task == task)
    if status:
        conditions.append(Application.status == status)
    if building:
        conditions.append(Application.building_code == building)
    text = query.strip()[:100]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # References and codes are stored in capitals: match them so on both databases.
        conditions.append(
            Application.company_name.like(pattern, escape="\\")
            | Application.reference.like(pattern.upper(), escape="\\")
            | Application.company_uscc.like(pattern.upper(), escape="\\")
        )
    base = select(Application).where(*conditions)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.scalars(
        base.order_by(Application.id.desc())
        .offset((page - 1) * QUEUE_PAGE_SIZE)
        .limit(QUEUE_PAGE_SIZE)
    )
    return QueuePage(list(rows), page, pages, total)


def waiting_count(db: Session) -> int:
    """How many applications wait for a staff decision (for the admin's navigation)."""
    return (
        db.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.status == ApplicationStatus.SUBMITTED)
        )
        or 0
    )


# ---- staff decisions -----------------------------------------------------------------------


def _reason(reason: str) -> str:
    from kiosk.text import clean_text

    text = clean_text(reason, multiline=True).text
    if not text:
        raise ValidationFailed(fields={"reason": _l("Give the reason: the tenant will read it.")})
    if len(text) > REASON_MAX:
        raise ValidationFailed(
            fields={"reason": _l("Keep it under %(n)s characters.", n=REASON_MAX)}
        )
    return text


Approver = Callable[[Session, Application, datetime], None]


def approve(
    db: Session,
    application_id: int,
    actor: Actor,
    *,
    apply: Approver | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Application:
    """Approve a waiting application; `apply` does what approval means for its task."""
    now = now or utcnow()
    with transaction(db):
        application = _waiting(db, application_id)
        if apply is not None:
            apply(db, application, now)
        _decide(db, application, ApplicationStatus.APPROVED, actor, now)
        add_event(
            db, application, ApplicationEventKind.APPROVED, now=now, body=note,
            staff_id=actor.staff_id,
        )  # fmt: skip
        audit.record(
            db, actor, "application.approve", "application", application.reference,
            task=application.task, issued_uscc=application.issued_uscc or None,
        )  # fmt: skip
        return application


def reject(
    db: Session, application_id: int, actor: Actor, reason: str, *, now: datetime | None = None
) -> Application:
    """Refuse a waiting application, saying why (the tenant reads it on the status page)."""
    text = _reason(reason)
    now = now or utcnow()
    with transaction(db):
        application = _waiting(db, application_id)
        _decide(db, application, ApplicationStatus.REJECTED, actor, now, text)
        add_event(
            db, application, ApplicationEventKind.REJECTED, now=now, body=text,
            staff_id=actor.staff_id,
        )  # fmt: skip
        audit.record(db, actor, "application.reject", "application", application.reference)
        return application


def request_changes(
    db: Session,
    application_id: int,
    actor: Actor,
    reason: str,
    steps: Iterable[str],
    allowed_steps: Iterable[str],
    *,
    now: datetime | None = None,
) -> Application:
    """Send an application back: what to fix (shown to the tenant) and which answers."""
    text = _reason(reason)
    allowed = list(allowed_steps)
    chosen = [step for step in allowed if step in set(steps)]
    if not chosen:
        raise ValidationFailed(fields={"steps": _l("Choose at least one answer to fix.")})
    now = now or utcnow()
    with transaction(db):
        application = _waiting(db, application_id)
        _decide(db, application, ApplicationStatus.CHANGES_REQUESTED, actor, now, text)
        application.fix_steps = chosen
        add_event(
            db, application, ApplicationEventKind.CHANGES_REQUESTED, now=now, body=text,
            staff_id=actor.staff_id, data={"steps": chosen},
        )  # fmt: skip
        audit.record(
            db, actor, "application.request_changes", "application", application.reference,
            steps=chosen,
        )  # fmt: skip
        return application


def cancel_booking(
    db: Session, application_id: int, actor: Actor, reason: str, *, now: datetime | None = None
) -> Application:
    """Cancel a booking (the desk is closed, the tenant called): its place is freed."""
    text = _reason(reason)
    now = now or utcnow()
    with transaction(db):
        application = _locked(db, application_id)
        if application.status is not ApplicationStatus.APPROVED or application.slot_id is None:
            raise Conflict(_l("Only a current booking can be cancelled."))
        release_slot(db, application.slot_id)
        _decide(db, application, ApplicationStatus.CANCELLED, actor, now, text)
        add_event(
            db, application, ApplicationEventKind.CANCELLED, now=now, body=text,
            staff_id=actor.staff_id,
        )  # fmt: skip
        audit.record(db, actor, "application.cancel", "application", application.reference)
        return application


def record_override(
    db: Session, application: Application, actor: Actor, code: str, reason: str, now: datetime
) -> None:
    """Staff accept a code that fails its checksum (a genuine old code): name and reason kept."""
    add_event(
        db, application, ApplicationEventKind.OVERRIDE, now=now, public=False, body=reason,
        staff_id=actor.staff_id, data={"code": code},
    )  # fmt: skip
    audit.record(
        db, actor, "uscc.checksum_override", "application", application.reference,
        code=code, reason=reason,
    )  # fmt: skip


def _waiting(db: Session, application_id: int) -> Application:
    application = _locked(db, application_id)
    if application.status is not ApplicationStatus.SUBMITTED:
        raise Conflict(_l("Someone has already decided this application."))
    return application


def _decide(
    db: Session,
    application: Application,
    status: ApplicationStatus,
    actor: Actor,
    now: datetime,
    reason: str = "",
) -> None:
    application.status = status
    application.decided_at = now
    application.decided_by_id = actor.staff_id
    application.decision_reason = reason


# ---- pickup codes --------------------------------------------------------------------------


class TooManyTries(Conflict):
    """Too many wrong codes for this key or from this session: the kiosk waits before more."""


def check_code(
    db: Session,
    key: str,
    matches: Callable[[], bool],
    source: Source | None = None,
    *,
    now: datetime | None = None,
) -> bool:
    """Count a pickup code typed for `key` from `source`, then judge it with `matches`.

    The try is counted (committed) before the code is compared, so however many come at
    once, no more than the limit are judged; raises TooManyTries while the key or the
    session waits. A right code clears the key's count.
    """
    attempt = lockouts.claim(db, key, source or Source(), CODE_RULE, now=now)
    if not attempt.allowed:
        lockouts.refused(db, attempt, what=key.split(":", 1)[0])
        raise TooManyTries(
            _l(
                "Too many wrong codes. For your security, please try again in "
                "%(minutes)s min, or ask the staff at the service desk.",
                minutes=attempt.minutes(),
            )
        )
    right = matches()
    lockouts.judged(db, attempt, right, what=key.split(":", 1)[0])
    return right


def find_for_fixing(
    db: Session, reference: str, code: str, source: Source | None = None
) -> Application:
    """The application a tenant wants to fix, by its reference and pickup code (rate limited)."""
    parsed = pickup_code(code)
    if parsed is None:  # before any lookup: the answer says nothing of the reference
        raise ValidationFailed(fields={"code": _l("The pickup code is 6 digits.")})
    reference = reference.strip().upper()[:24]
    application = db.scalar(select(Application).where(Application.reference == reference))
    right = check_code(
        db,
        f"fix:{reference}",
        lambda: application is not None and secrets.compare_digest(application.pickup_code, parsed),
        source,
    )
    if application is None or not right:
        raise ValidationFailed(
            fields={"code": _l("The reference number or the pickup code is not right.")}
        )
    if application.status is not ApplicationStatus.CHANGES_REQUESTED:
        raise Conflict(_l("This application is not waiting for changes: see its status page."))
    return application


# ---- invoice slots -------------------------------------------------------------------------


def open_slots(
    db: Session, building_code: str, *, now: datetime | None = None, days: int = 14
) -> list[InvoiceSlot]:
    """The desk's slots from now on (full ones included: the screen shows them as full)."""
    now = now or utcnow()
    return list(
        db.scalars(
            select(InvoiceSlot)
            .where(
                InvoiceSlot.building_code == building_code,
                InvoiceSlot.starts_at > now,
                InvoiceSlot.starts_at < now + timedelta(days=days),
            )
            .order_by(InvoiceSlot.starts_at)
        )
    )


def book_slot(db: Session, slot_id: int, now: datetime) -> None:
    """Take one place in a slot, in the caller's transaction; a full or past slot is refused.

    One guarded UPDATE: two kiosks booking the last place at once cannot both get it.
    """
    result = db.execute(
        update(InvoiceSlot)
        .where(
            InvoiceSlot.id == slot_id,
            InvoiceSlot.booked < InvoiceSlot.capacity,
            InvoiceSlot.starts_at > now,
        )
        .values(booked=InvoiceSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ValidationFailed(
            fields={"slot_id": _l("That time has just been fully booked. Please choose another.")}
        )


def release_slot(db: Session, slot_id: int) -> None:
    """Give a place back (a cancelled booking)."""
    db.execute(
        update(InvoiceSlot)
        .where(InvoiceSlot.id == slot_id, InvoiceSlot.booked > 0)
        .values(booked=InvoiceSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
