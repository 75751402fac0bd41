"""Submitting an appeal: one transaction for the appeal, its timeline and its slip."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import utcnow
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Appeal, AppealCategory, AppealEvent, AppealStatus, EventKind, Tenant
from kiosk.services.appeals.checks import (
    check_company_name,
    check_contact_name,
    check_description,
    check_mobile,
    check_uscc,
)
from kiosk.services.once import create_once
from kiosk.services.references import new_token, next_reference
from kiosk.workdays import add_workdays


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

    def create() -> Appeal:
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

    return create_once(db, lambda: find_by_submission_key(db, draft.submission_key), create)


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


def find_by_submission_key(db: Session, key: str) -> Appeal | None:
    """The appeal a draft became, if it was submitted already."""
    return db.scalar(select(Appeal).where(Appeal.submission_key == key))
