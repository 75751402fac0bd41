"""Appeals: a tenant raises one at the kiosk; staff accept, answer and resolve it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    EventKind,
    Rating,
    Staff,
    Tenant,
)
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.references import new_token, next_reference
from kiosk.text import clean_text
from kiosk.validators import is_valid_mobile, is_valid_uscc, normalize_mobile, normalize_uscc
from kiosk.workdays import add_workdays

COMPANY_NAME_MAX = 100
DESCRIPTION_MAX = 1000
CONTACT_NAME_MAX = 50
REPLY_MAX = 2000
REASON_MAX = 500


@dataclass(frozen=True)
class Checked:
    """A value after checking, and whether invisible characters were taken out of it."""

    value: str
    cleaned: bool = False


def _checked_text(value: str, field: str, limit: int, *, multiline: bool = False) -> Checked:
    cleaned = clean_text(value, multiline=multiline)
    if not cleaned.text:
        raise ValidationFailed(fields={field: _l("This cannot be empty.")})
    if len(cleaned.text) > limit:
        message = _l(
            "This must be %(limit)s characters or fewer; it has %(count)s.",
            limit=f"{limit:,}",
            count=f"{len(cleaned.text):,}",
        )
        raise ValidationFailed(fields={field: message})
    return Checked(cleaned.text, cleaned.removed > 0)


def check_company_name(value: str) -> Checked:
    """A company name typed by a tenant not on the building's list."""
    return _checked_text(value, "company_name", COMPANY_NAME_MAX)


def check_uscc(value: str, *, required: bool = False) -> Checked:
    """An optional unified social credit code; normalised to 18 upper-case characters."""
    code = normalize_uscc(value)
    if not code and not required:
        return Checked("")
    if not is_valid_uscc(code):
        raise ValidationFailed(
            fields={
                "company_uscc": _l(
                    "Enter the 18-character unified social credit code exactly as it is on "
                    "the business licence."
                )
            }
        )
    return Checked(code)


def check_description(value: str) -> Checked:
    """The description of the problem (up to 1,000 characters; newlines kept)."""
    return _checked_text(value, "description", DESCRIPTION_MAX, multiline=True)


def check_contact_name(value: str) -> Checked:
    """The contact person's name."""
    return _checked_text(value, "contact_name", CONTACT_NAME_MAX)


def check_mobile(value: str) -> Checked:
    """A mainland mobile number, normalised to 11 digits."""
    if not is_valid_mobile(value):
        raise ValidationFailed(
            fields={
                "contact_mobile": _l(
                    "Enter an 11-digit mobile number starting with 1, like 13812345678."
                )
            }
        )
    return Checked(normalize_mobile(value))


def active_categories(db: Session) -> list[AppealCategory]:
    """The categories a tenant can choose from, in display order."""
    query = (
        select(AppealCategory)
        .where(AppealCategory.active)
        .order_by(AppealCategory.sort_order, AppealCategory.id)
    )
    return list(db.scalars(query))


@dataclass(frozen=True)
class AppealDraft:
    """Everything a tenant answered, as the terminal collected it."""

    submission_key: str
    tenant_id: int | None
    company_name: str
    company_uscc: str
    category: str
    description: str
    contact_name: str
    contact_mobile: str
    locale: str

    @classmethod
    def from_answers(cls, answers: dict[str, Any], locale: str) -> AppealDraft:
        """Build from the terminal's stored answers; missing answers become empty."""
        tenant_id = answers.get("tenant_id")
        return cls(
            submission_key=str(answers.get("_key", "")),
            tenant_id=tenant_id if isinstance(tenant_id, int) else None,
            company_name=str(answers.get("company_name", "")),
            company_uscc=str(answers.get("company_uscc", "")),
            category=str(answers.get("category", "")),
            description=str(answers.get("description", "")),
            contact_name=str(answers.get("contact_name", "")),
            contact_mobile=str(answers.get("contact_mobile", "")),
            locale=locale,
        )


SlipBuilder = Callable[[Appeal], dict[str, Any]]


def submit_appeal(
    db: Session,
    settings: Settings,
    draft: AppealDraft,
    *,
    slip: SlipBuilder | None = None,
    now: datetime | None = None,
) -> Appeal:
    """Record an appeal (and its receipt in the print outbox) in one transaction.

    Submitting the same draft twice (a double tap, a resubmitted form) returns the first appeal.
    """
    if len(draft.submission_key) < 16:
        raise ValidationFailed(_l("This form is out of date. Please check your answers again."))
    existing = find_by_submission_key(db, draft.submission_key)
    if existing is not None:
        return existing
    try:
        with transaction(db):
            existing = find_by_submission_key(db, draft.submission_key)
            if existing is not None:
                return existing
            appeal = _new_appeal(db, settings, draft, now or utcnow())
            if slip is not None:
                from kiosk.services import printing

                printing.enqueue(
                    db,
                    kiosk_id=settings.id,
                    kind="appeal_slip",
                    subject=appeal.reference,
                    document=slip(appeal),
                )
            return appeal
    except IntegrityError:
        # Two submits of one draft raced; the other one won. Show the tenant that appeal.
        existing = find_by_submission_key(db, draft.submission_key)
        if existing is None:
            raise
        return existing


def _new_appeal(db: Session, settings: Settings, draft: AppealDraft, now: datetime) -> Appeal:
    category = db.scalar(
        select(AppealCategory).where(AppealCategory.code == draft.category, AppealCategory.active)
    )
    if category is None:
        raise ValidationFailed(fields={"category": _l("Choose a category.")})
    tenant = db.get(Tenant, draft.tenant_id) if draft.tenant_id is not None else None
    if draft.tenant_id is not None and (tenant is None or not tenant.active):
        raise ValidationFailed(fields={"tenant_id": _l("Choose your company again.")})
    company_name = tenant.name if tenant else check_company_name(draft.company_name).value
    company_uscc = tenant.uscc if tenant else check_uscc(draft.company_uscc).value
    local_day = now.astimezone(settings.zone).date()
    appeal = Appeal(
        reference=next_reference(db, "SQ", local_day),
        token=new_token(),
        submission_key=draft.submission_key,
        kiosk_id=settings.id,
        building_code=settings.building,
        tenant_id=tenant.id if tenant else None,
        company_name=company_name,
        company_uscc=company_uscc,
        category=category,
        description=check_description(draft.description).value,
        contact_name=check_contact_name(draft.contact_name).value,
        contact_mobile=check_mobile(draft.contact_mobile).value,
        locale=draft.locale,
        status=AppealStatus.NEW,
        due_date=due_date(settings, local_day),
        created_at=now,
    )
    db.add(appeal)
    db.flush()
    db.add(AppealEvent(appeal_id=appeal.id, kind=EventKind.SUBMITTED, public=True, created_at=now))
    return appeal


def due_date(settings: Settings, start: date) -> date:
    """When an answer is due: the configured number of working days after `start`."""
    return add_workdays(
        start, settings.appeal_due_working_days, settings.extra_holidays, settings.extra_workdays
    )


@dataclass(frozen=True)
class Figures:
    """How a building's appeals have gone since a date: the home screen's promise, in numbers."""

    received: int
    answered: int
    rated: int
    satisfied: int

    @property
    def satisfaction_percent(self) -> int | None:
        """Share of ratings that were 满意 or 基本满意, if anyone rated."""
        return round(100 * self.satisfied / self.rated) if self.rated else None


def building_figures(db: Session, building_code: str, since: datetime) -> Figures:
    """Counts for the building's appeals submitted since `since` (one aggregate query)."""
    answered = Appeal.status.in_([AppealStatus.RESOLVED, AppealStatus.CLOSED])
    happy = Appeal.rating.in_([Rating.SATISFIED, Rating.BASICALLY_SATISFIED])
    row = db.execute(
        select(
            func.count(),
            func.count().filter(answered),
            func.count().filter(Appeal.rating.is_not(None)),
            func.count().filter(happy),
        ).where(Appeal.building_code == building_code, Appeal.created_at >= since)
    ).one()
    return Figures(*(int(value or 0) for value in row))


def find_by_submission_key(db: Session, key: str) -> Appeal | None:
    """The appeal a draft became, if it was submitted already."""
    return db.scalar(select(Appeal).where(Appeal.submission_key == key))


def get_by_token(db: Session, token: str) -> Appeal:
    """The appeal a tracking link points to; NotFound for anything else."""
    appeal = db.scalar(select(Appeal).where(Appeal.token == token)) if len(token) < 100 else None
    if appeal is None:
        raise NotFound()
    return appeal


def get_by_reference(db: Session, reference: str) -> Appeal:
    """The appeal with this reference number."""
    appeal = db.scalar(select(Appeal).where(Appeal.reference == reference.strip().upper()))
    if appeal is None:
        raise NotFound()
    return appeal


def public_events(appeal: Appeal) -> list[AppealEvent]:
    """The timeline the tenant may see: never internal notes."""
    return [event for event in appeal.events if event.public]


# ---- staff actions -------------------------------------------------------------------------


def _event(
    db: Session,
    appeal: Appeal,
    kind: EventKind,
    actor: Actor,
    *,
    public: bool,
    body: str = "",
    **data: Any,
) -> None:
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


def _locked(db: Session, appeal_id: int) -> Appeal:
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
        appeal = _locked(db, appeal_id)
        _require(appeal, AppealStatus.NEW)
        appeal.status = AppealStatus.ACCEPTED
        _event(db, appeal, EventKind.ACCEPTED, actor, public=True)
    return appeal


def assign(db: Session, appeal_id: int, assignee_id: int, actor: Actor) -> Appeal:
    """Give an open appeal to a staff member."""
    with transaction(db):
        appeal = _locked(db, appeal_id)
        _require(appeal, *OPEN)
        assignee = db.get(Staff, assignee_id)
        if assignee is None or not assignee.active:
            raise ValidationFailed(fields={"assignee": _l("Choose an active staff member.")})
        appeal.assignee_id = assignee.id
        _event(
            db,
            appeal,
            EventKind.ASSIGNED,
            actor,
            public=False,
            assignee=assignee.username,
            assignee_name=assignee.display_name,
        )
    return appeal


def reply(db: Session, appeal_id: int, text: str, actor: Actor) -> Appeal:
    """Answer the tenant; a new appeal is accepted by the answer."""
    body = _checked_text(text, "body", REPLY_MAX, multiline=True).value
    with transaction(db):
        appeal = _locked(db, appeal_id)
        _require(appeal, *OPEN)
        if appeal.status is AppealStatus.NEW:
            appeal.status = AppealStatus.ACCEPTED
            _event(db, appeal, EventKind.ACCEPTED, actor, public=True)
        _event(db, appeal, EventKind.REPLY, actor, public=True, body=body)
    return appeal


def add_note(db: Session, appeal_id: int, text: str, actor: Actor) -> Appeal:
    """An internal note for colleagues; the tenant never sees it."""
    body = _checked_text(text, "body", REPLY_MAX, multiline=True).value
    with transaction(db):
        appeal = _locked(db, appeal_id)
        _event(db, appeal, EventKind.NOTE, actor, public=False, body=body)
    return appeal


def resolve(db: Session, appeal_id: int, text: str, actor: Actor) -> Appeal:
    """Resolve (办结) with a final answer to the tenant, who may then rate it."""
    body = _checked_text(text, "body", REPLY_MAX, multiline=True).value
    with transaction(db):
        appeal = _locked(db, appeal_id)
        _require(appeal, *OPEN)
        appeal.status = AppealStatus.RESOLVED
        appeal.resolved_at = utcnow()
        _event(db, appeal, EventKind.RESOLVED, actor, public=True, body=body)
    return appeal


def reopen(db: Session, settings: Settings, appeal_id: int, reason: str, actor: Actor) -> Appeal:
    """Staff take a resolved or closed appeal up again; a new due date is set."""
    body = _checked_text(reason, "reason", REASON_MAX, multiline=True).value
    with transaction(db):
        appeal = _locked(db, appeal_id)
        _require(appeal, AppealStatus.RESOLVED, AppealStatus.CLOSED)
        _reopen(settings, appeal)
        _event(db, appeal, EventKind.REOPENED, actor, public=True, body=body)
    return appeal


def _reopen(settings: Settings, appeal: Appeal) -> None:
    appeal.status = AppealStatus.REOPENED
    appeal.reopen_count += 1
    appeal.resolved_at = None
    # The old rating was of an answer that is being replaced; the timeline keeps it.
    appeal.rating, appeal.rating_reason = None, ""
    appeal.due_date = due_date(settings, utcnow().astimezone(settings.zone).date())


# ---- tenant actions (through the tracking link) ---------------------------------------------


def rate(db: Session, token: str, rating: str, reason: str) -> Appeal:
    """The tenant rates the answer to a resolved appeal; a reason is needed for 不满意."""
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
        appeal = _locked(db, get_by_token(db, token).id)
        _require(appeal, AppealStatus.RESOLVED)
        appeal.status, appeal.rating, appeal.rating_reason = AppealStatus.CLOSED, value, text
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
    """The tenant says a resolved appeal is not resolved; it goes back to staff."""
    text = _checked_text(reason, "reason", REASON_MAX, multiline=True).value
    with transaction(db):
        appeal = _locked(db, get_by_token(db, token).id)
        _require(appeal, AppealStatus.RESOLVED)
        _reopen(settings, appeal)
        db.add(AppealEvent(appeal_id=appeal.id, kind=EventKind.REOPENED, public=True, body=text))
    return appeal
