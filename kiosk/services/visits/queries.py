"""Finding what a visit needs: the companies an officer may visit, a company's policies to
hand over, visits by id and by company. Every read goes through the caller's session, so the
scope (kiosk.scope: VISIT, COMPANY) keeps an officer to their unit and the units under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kiosk.errors import NotFound
from kiosk.models import PolicyNotice, Tenant, Visit, VisitProblem
from kiosk.models.policy import Policy
from kiosk.services.companies import _contains, _escape_like
from kiosk.services.policies import matching
from kiosk.text import clean_text
from kiosk.validators import normalize_uscc

SEARCH_LIMIT = 20  # companies shown for a search on a phone
OFFER_LIMIT = 12  # policies offered to hand over at one visit (the best matches first)
PAGE_SIZE = 25


def companies_to_visit(db: Session, officer_id: int, q: str = "") -> tuple[list[Tenant], bool]:
    """The officer's own companies ("my companies"), or, for a search, the companies in reach
    whose name contains `q` or whose credit code starts with it; and whether it was a search."""
    text = clean_text(q).text.strip()[:100]
    query = select(Tenant).where(Tenant.active.is_(True)).options(joinedload(Tenant.building))
    if not text:
        query = query.where(Tenant.officer_id == officer_id)
        return list(db.scalars(query.order_by(Tenant.name))), False
    code = normalize_uscc(text) if text.isascii() else ""
    matches = _contains(db, Tenant.name, text)
    if code:
        matches = or_(matches, Tenant.uscc.startswith(_escape_like(code), escape="\\"))
    query = query.where(matches).order_by(Tenant.name).limit(SEARCH_LIMIT)
    return list(db.scalars(query)), True


@dataclass(frozen=True)
class PolicyOffer:
    """A policy the company matches, and whether (and when) it was told already."""

    match: matching.Match
    told: PolicyNotice | None


def told_policies(db: Session, tenant_id: int) -> list[PolicyNotice]:
    """The policies the company was told of (at a visit or from a policy's page), newest first."""
    query = (
        select(PolicyNotice)
        .where(PolicyNotice.tenant_id == tenant_id)
        .options(joinedload(PolicyNotice.policy), joinedload(PolicyNotice.staff))
        .order_by(PolicyNotice.created_at.desc(), PolicyNotice.id.desc())
    )
    return list(db.scalars(query))


def policies_to_hand_over(db: Session, tenant: Tenant, today: date) -> list[PolicyOffer]:
    """政策找人 from the company's profile: the policies it matches, best first, each with the
    record of its telling if it was told already."""
    facts = matching.facts_of(tenant, today)
    found = matching.match(db, facts, today, per_page=OFFER_LIMIT).matches
    told = {n.policy_id: n for n in told_policies(db, tenant.id)}
    return [PolicyOffer(m, told.get(m.policy.id)) for m in found]


def offered_policy_ids(db: Session, tenant: Tenant, today: date) -> set[int]:
    """The ids of the policies a visit to this company may hand over."""
    return {offer.match.policy.id for offer in policies_to_hand_over(db, tenant, today)}


def get_visit(db: Session, visit_id: int) -> Visit:
    """A visit in the reader's reach, with its problems and policies (NotFound otherwise)."""
    visit = db.scalar(
        select(Visit)
        .where(Visit.id == visit_id)
        .options(
            joinedload(Visit.tenant),
            joinedload(Visit.officer),
            selectinload(Visit.problems).joinedload(VisitProblem.appeal),
            selectinload(Visit.policies),
        )
    )
    if visit is None:
        raise NotFound()
    return visit


def visits_of(db: Session, tenant_id: int) -> list[Visit]:
    """A company's visits in reach, newest first, with their problems and policies."""
    query = (
        select(Visit)
        .where(Visit.tenant_id == tenant_id)
        .options(
            joinedload(Visit.officer),
            selectinload(Visit.problems).joinedload(VisitProblem.appeal),
            selectinload(Visit.policies),
        )
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    )
    return list(db.scalars(query))


def list_visits(
    db: Session, officer_id: int | None = None, page: int = 1
) -> tuple[list[Visit], int, int]:
    """Visits in reach, newest first (only one officer's with `officer_id`): a page of them,
    the page number and how many pages."""
    query = select(Visit)
    if officer_id is not None:
        query = query.where(Visit.officer_id == officer_id)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.scalars(
        query.options(joinedload(Visit.tenant), joinedload(Visit.officer))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(rows), page, pages


def policy_names(db: Session, ids: set[int]) -> dict[int, Policy]:
    """Policies by id (the catalogue is everyone's)."""
    if not ids:
        return {}
    return {p.id: p for p in db.scalars(select(Policy).where(Policy.id.in_(sorted(ids))))}
