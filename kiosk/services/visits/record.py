"""Recording a visit in one transaction: the visit, an appeal for each problem raised (source
"visit", accepted by the officer who raised it, due as any appeal), and the policies handed
over marked told for the company."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    EventKind,
    PolicyNotice,
    Source,
    Tenant,
    Visit,
    VisitPolicy,
    VisitProblem,
)
from kiosk.services import audit
from kiosk.services.appeals import (
    check_contact_name,
    check_description,
    check_mobile,
    checked_text,
    due_date,
)
from kiosk.services.audit import Actor
from kiosk.services.companies import get_company
from kiosk.services.companies.profile import parse_date
from kiosk.services.once import create_once
from kiosk.services.references import new_token, next_reference
from kiosk.services.visits.queries import offered_policy_ids

MAX_PROBLEMS = 3  # problem slots on the form; a longer list is a second visit record
MET_MAX = 100
DISCUSSED_MAX = 2000
OLDEST_DAYS = 366  # a visit is recorded within a year of it


@dataclass(frozen=True)
class ProblemDraft:
    """One problem raised at the visit, as typed (both empty: no problem in this slot)."""

    category: str = ""
    description: str = ""


@dataclass(frozen=True)
class VisitDraft:
    """Everything the officer typed on the visit form."""

    submission_key: str
    tenant_id: int
    visited_on: str
    met: str
    discussed: str
    contact_name: str = ""
    contact_mobile: str = ""
    problems: tuple[ProblemDraft, ...] = ()
    policy_ids: tuple[int, ...] = ()


@dataclass
class _Checked:
    """The draft's values after checking, and every field's problem."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, Any] = field(default_factory=dict)

    def run(self, name: str, check: Callable[[], Any]) -> Any:
        try:
            value = check()
        except ValidationFailed as exc:
            self.problems[name] = next(iter(exc.fields.values()), exc.message)
            return None
        self.values[name] = value
        return value


def _visited_on(raw: str, today: date) -> date:
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise ValidationFailed(fields={"visited_on": _l("Enter the date as YYYY-MM-DD.")})
    if day > today:
        raise ValidationFailed(fields={"visited_on": _l("A visit cannot be in the future.")})
    if (today - day).days > OLDEST_DAYS:
        raise ValidationFailed(fields={"visited_on": _l("Record a visit within a year of it.")})
    return day


def _description(text: str) -> str:
    return check_description(text).value


def _categories(db: Session) -> dict[str, AppealCategory]:
    query = select(AppealCategory).where(AppealCategory.active)
    return {c.code: c for c in db.scalars(query)}


def _check(db: Session, draft: VisitDraft, tenant: Tenant, today: date) -> _Checked:
    """Check every field at once, so the officer sees every problem on one page."""
    checked = _Checked()
    checked.run("visited_on", lambda: _visited_on(draft.visited_on, today))
    checked.run("met", lambda: checked_text(draft.met, "met", MET_MAX).value)
    checked.run(
        "discussed",
        lambda: checked_text(draft.discussed, "discussed", DISCUSSED_MAX, multiline=True).value,
    )
    categories = _categories(db)
    raised: list[tuple[AppealCategory, str]] = []
    for number, problem in enumerate(draft.problems[:MAX_PROBLEMS], start=1):
        if not (problem.category or problem.description.strip()):
            continue
        category = categories.get(problem.category)
        if category is None:
            checked.problems[f"problem{number}_category"] = _l("Choose a category.")
        text = checked.run(
            f"problem{number}_description", partial(_description, problem.description)
        )
        if category is not None and text is not None:
            raised.append((category, text))
    checked.values["raised"] = raised
    if draft.problems and any(p.category or p.description.strip() for p in draft.problems):
        checked.run("contact_name", lambda: check_contact_name(draft.contact_name).value)
        checked.run("contact_mobile", lambda: check_mobile(draft.contact_mobile).value)
        if tenant.building is None:
            checked.problems["problem1_description"] = _l(
                "Problems of a company outside any building cannot be filed yet: "
                "enter them on the company's building or as a hotline call."
            )
    offered = offered_policy_ids(db, tenant, today) if draft.policy_ids else set()
    if set(draft.policy_ids) - offered:
        checked.problems["policies"] = _l("Choose only among the policies offered.")
    return checked


def record_visit(
    db: Session,
    settings: Settings,
    draft: VisitDraft,
    actor: Actor,
    *,
    today: date,
    now: datetime,
) -> Visit:
    """Record the visit, its problems as appeals and its policies as told, in one transaction
    (the same form sent twice records one visit)."""
    if len(draft.submission_key) < 16 or actor.staff is None:
        raise ValidationFailed(_l("This form is out of date. Please check your answers again."))
    tenant = get_company(db, draft.tenant_id)
    if not tenant.active or tenant.unit_id is None:
        raise ValidationFailed(_l("This company is no longer on the list."))

    def find() -> Visit | None:
        return db.scalar(select(Visit).where(Visit.submission_key == draft.submission_key))

    def create() -> Visit:
        checked = _check(db, draft, tenant, today)
        if checked.problems:
            raise ValidationFailed(fields=checked.problems)
        return _create(db, settings, draft, tenant, checked.values, actor, now)

    return create_once(db, find, create)


def _create(
    db: Session,
    settings: Settings,
    draft: VisitDraft,
    tenant: Tenant,
    values: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> Visit:
    assert actor.staff is not None and tenant.unit_id is not None
    day = now.astimezone(settings.zone).date()
    building = tenant.building.code if tenant.building is not None else ""
    visit = Visit(
        reference=next_reference(db, "ZF", day), submission_key=draft.submission_key,
        tenant_id=tenant.id, unit_id=tenant.unit_id,
        building_code=building or (tenant.unit.code if tenant.unit else ""),
        officer_id=actor.staff.id, visited_on=values["visited_on"], met=values["met"],
        discussed=values["discussed"], created_at=now,
    )  # fmt: skip
    db.add(visit)
    db.flush()
    appeals = [
        _appeal(db, settings, visit, tenant, category, text, values, actor, now, number)
        for number, (category, text) in enumerate(values["raised"], start=1)
    ]
    told = _tell(db, visit, tenant, draft.policy_ids, actor)
    audit.record(
        db, actor, "visit.recorded", "visit", visit.reference, tenant=tenant.uscc,
        appeals=[a.reference for a in appeals], policies=told,
    )  # fmt: skip
    return visit


def _appeal(
    db: Session,
    settings: Settings,
    visit: Visit,
    tenant: Tenant,
    category: AppealCategory,
    text: str,
    values: dict[str, Any],
    actor: Actor,
    now: datetime,
    number: int,
) -> Appeal:
    """One problem raised: an appeal accepted by the officer who heard it."""
    assert actor.staff is not None
    day = now.astimezone(settings.zone).date()
    appeal = Appeal(
        reference=next_reference(db, "SQ", day), token=new_token(),
        submission_key=f"{visit.submission_key[:56]}:{number}", kiosk_id="",
        building_code=visit.building_code, tenant_id=tenant.id, company_name=tenant.name,
        company_uscc=tenant.uscc, category=category, description=text,
        contact_name=values["contact_name"], contact_mobile=values["contact_mobile"],
        locale=settings.default_locale, status=AppealStatus.ACCEPTED,
        due_date=due_date(settings, day), assignee_id=actor.staff.id, source=Source.VISIT,
        created_at=now,
    )  # fmt: skip
    db.add(appeal)
    db.flush()
    data = {"source": "visit", "visit": visit.reference}
    for kind in (EventKind.SUBMITTED, EventKind.ACCEPTED):
        db.add(
            AppealEvent(
                appeal_id=appeal.id,
                kind=kind,
                public=True,
                staff_id=actor.staff.id,
                data=data,
                created_at=now,
            )
        )
    db.add(VisitProblem(visit_id=visit.id, appeal_id=appeal.id))
    return appeal


def _tell(
    db: Session, visit: Visit, tenant: Tenant, policy_ids: tuple[int, ...], actor: Actor
) -> list[int]:
    """Mark the policies told (once per company: one told before stays as it was)."""
    assert actor.staff is not None
    wanted = sorted(set(policy_ids))
    if not wanted:
        return []
    before = set(
        db.scalars(
            select(PolicyNotice.policy_id).where(
                PolicyNotice.tenant_id == tenant.id, PolicyNotice.policy_id.in_(wanted)
            )
        )
    )
    for policy_id in wanted:
        if policy_id not in before:
            db.add(
                PolicyNotice(
                    policy_id=policy_id,
                    tenant_id=tenant.id,
                    staff_id=actor.staff.id,
                    note=visit.reference,
                )
            )
        db.add(VisitPolicy(visit_id=visit.id, policy_id=policy_id))
    return [p for p in wanted if p not in before]
