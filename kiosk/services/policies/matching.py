"""政策找人: the policies a company qualifies for, each with the reasons, and the reverse.

A policy's conditions are tested against what is known of the company (its Facts). Each
condition is met, not met, or unknown (the company's record does not say); a policy with any
condition not met is left out, one with unknowns is kept but ranked lower and says what to
confirm. Free-text conditions are always "please confirm": a computer cannot judge them.

The database leaves out what plainly does not apply (closed, withdrawn, wrong industry, size,
district, too young or too small), counts and orders the rest, and only the page shown is
explained in Python.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Building, Policy, Tenant
from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS, industry_bit, size_bit

PAGE_SIZE = 6


class Met(enum.StrEnum):
    """Whether a condition holds for the company."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Facts:
    """What is known of a company; None (or "") is not known."""

    industry: str = ""
    size_band: str = ""
    district: str = ""
    years: int | None = None  # whole years since it was founded
    employees: int | None = None

    def refined(self, answers: dict[str, Any]) -> Facts:
        """These facts with the person's answers filling what the record does not say."""
        changes: dict[str, Any] = {}
        if not self.industry and answers.get("industry") in INDUSTRIES:
            changes["industry"] = answers["industry"]
        if not self.size_band and answers.get("size_band") in SIZE_BANDS:
            changes["size_band"] = answers["size_band"]
        for name in ("years", "employees"):
            value = answers.get(name)
            if getattr(self, name) is None and isinstance(value, int) and value >= 0:
                changes[name] = value
        return replace(self, **changes)

    @property
    def unknown(self) -> list[str]:
        """The facts the record does not say (which the screen may ask for)."""
        return [
            name
            for name in ("industry", "size_band", "years", "employees")
            if getattr(self, name) in (None, "")
        ]


def full_years(since: date, today: date) -> int:
    """Whole years from `since` to `today` (a birthday not yet reached this year does not count)."""
    years = today.year - since.year
    if (today.month, today.day) < (since.month, since.day):
        years -= 1
    return max(years, 0)


def facts_of(tenant: Tenant, today: date) -> Facts:
    """What the building's record says about a company."""
    return Facts(
        industry=tenant.industry if tenant.industry in INDUSTRIES else "",
        size_band=tenant.size_band if tenant.size_band in SIZE_BANDS else "",
        district=tenant.building.district if tenant.building is not None else "",
        years=full_years(tenant.founded_on, today) if tenant.founded_on else None,
        employees=tenant.employees,
    )


@dataclass(frozen=True)
class Reason:
    """One condition of a policy and whether the company meets it."""

    label: Any  # lazy string, in the reader's language
    met: Met


@dataclass(frozen=True)
class Match:
    """A policy the company may claim, with why."""

    policy: Policy
    reasons: list[Reason]

    @property
    def to_confirm(self) -> int:
        return sum(1 for r in self.reasons if r.met is Met.UNKNOWN)


@dataclass(frozen=True)
class MatchPage:
    """One page of a company's matches, best first."""

    matches: list[Match]
    page: int
    pages: int
    total: int
    certain: int  # matches with nothing left to confirm


def reasons(policy: Policy, facts: Facts) -> list[Reason]:
    """Each condition of `policy` and whether `facts` meet it, in a fixed order."""
    found: list[Reason] = []
    if policy.industries:
        names = "、".join(str(INDUSTRIES[s]) for s in policy.industries if s in INDUSTRIES)
        met = _met(facts.industry and facts.industry in policy.industries, facts.industry)
        found.append(Reason(_l("Industry: %(names)s", names=names), met))
    if policy.size_bands:
        names = "、".join(str(SIZE_BANDS[b]) for b in policy.size_bands if b in SIZE_BANDS)
        met = _met(facts.size_band in policy.size_bands, facts.size_band)
        found.append(Reason(_l("Company size: %(names)s", names=names), met))
    if policy.district:
        met = _met(facts.district == policy.district, facts.district)
        found.append(Reason(_l("Registered in %(district)s", district=policy.district), met))
    if policy.min_years:
        met = _met(facts.years is not None and facts.years >= policy.min_years, facts.years)
        found.append(
            Reason(_l("Founded at least %(years)s years ago", years=policy.min_years), met)
        )
    if policy.min_employees:
        met = _met(
            facts.employees is not None and facts.employees >= policy.min_employees,
            facts.employees,
        )
        found.append(Reason(_l("At least %(count)s employees", count=policy.min_employees), met))
    if policy.other_conditions:
        found.append(Reason(policy.other_conditions, Met.UNKNOWN))
    return found


def _met(holds: Any, known: Any) -> Met:
    if known is None or known == "":
        return Met.UNKNOWN
    return Met.YES if holds else Met.NO


def eligible(policy: Policy, facts: Facts) -> bool:
    """Whether no condition of `policy` is known to fail for `facts`."""
    return all(r.met is not Met.NO for r in reasons(policy, facts))


# ---- the company's matches --------------------------------------------------------------------


def _conditions(facts: Facts, today: date) -> list[ColumnElement[bool]]:
    """SQL conditions leaving out what plainly does not apply to a company with `facts`."""
    where: list[ColumnElement[bool]] = [
        Policy.active.is_(True),
        or_(Policy.closes_on.is_(None), Policy.closes_on >= today),
    ]
    if facts.industry:
        where.append(
            or_(
                Policy.industry_mask == 0,
                Policy.industry_mask.op("&")(industry_bit(facts.industry)) != 0,
            )
        )
    if facts.size_band:
        where.append(
            or_(Policy.size_mask == 0, Policy.size_mask.op("&")(size_bit(facts.size_band)) != 0)
        )
    if facts.district:
        where.append(or_(Policy.district == "", Policy.district == facts.district))
    if facts.years is not None:
        where.append(or_(Policy.min_years.is_(None), Policy.min_years <= facts.years))
    if facts.employees is not None:
        where.append(or_(Policy.min_employees.is_(None), Policy.min_employees <= facts.employees))
    return where


def _unknowns(facts: Facts) -> ColumnElement[int]:
    """How many of a policy's conditions the company must confirm (as SQL)."""
    terms: list[Any] = [case((Policy.other_conditions != "", 1), else_=0)]
    if not facts.industry:
        terms.append(case((Policy.industry_mask != 0, 1), else_=0))
    if not facts.size_band:
        terms.append(case((Policy.size_mask != 0, 1), else_=0))
    if not facts.district:
        terms.append(case((Policy.district != "", 1), else_=0))
    if facts.years is None:
        terms.append(case((Policy.min_years.is_not(None), 1), else_=0))
    if facts.employees is None:
        terms.append(case((Policy.min_employees.is_not(None), 1), else_=0))
    total: Any = literal(0)
    for term in terms:
        total = total + term
    return total  # type: ignore[no-any-return]


def _specific() -> ColumnElement[int]:
    """How many structured conditions a policy has: a targeted policy before a general one."""
    return (
        case((Policy.industry_mask != 0, 1), else_=0)
        + case((Policy.size_mask != 0, 1), else_=0)
        + case((Policy.district != "", 1), else_=0)
        + case((Policy.min_years.is_not(None), 1), else_=0)
        + case((Policy.min_employees.is_not(None), 1), else_=0)
    )


def match(
    db: Session, facts: Facts, today: date, page: int = 1, per_page: int = PAGE_SIZE
) -> MatchPage:
    """The policies a company with `facts` may claim, best first: nothing to confirm before
    something to confirm, open before upcoming, targeted before general, larger before smaller,
    sooner deadline first."""
    where = _conditions(facts, today)
    unknowns = _unknowns(facts).label("unknowns")
    counted = db.execute(
        select(func.count(), func.sum(case((unknowns == 0, 1), else_=0))).where(*where)
    ).one()
    total, certain = int(counted[0] or 0), int(counted[1] or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    upcoming = case((and_(Policy.opens_on.is_not(None), Policy.opens_on > today), 1), else_=0)
    order: tuple[Any, ...] = (
        unknowns,
        upcoming,
        _specific().desc(),
        Policy.max_amount.is_(None),
        Policy.max_amount.desc(),
        Policy.closes_on.is_(None),
        Policy.closes_on,
        Policy.id,
    )
    policies = db.scalars(
        select(Policy).where(*where).order_by(*order).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return MatchPage([Match(p, reasons(p, facts)) for p in policies], page, pages, total, certain)


def matching_tenants(db: Session, policy: Policy, today: date) -> list[tuple[Tenant, list[Reason]]]:
    """The active companies of every building a policy may apply to, with the reasons: the ones
    meeting every condition first, then those with things to confirm, by name."""
    tenants = db.scalars(
        select(Tenant).join(Building).where(Tenant.active.is_(True)).order_by(Tenant.name)
    ).all()
    found: list[tuple[Tenant, list[Reason]]] = []
    for tenant in tenants:
        why = reasons(policy, facts_of(tenant, today))
        if all(r.met is not Met.NO for r in why):
            found.append((tenant, why))
    found.sort(key=lambda item: sum(1 for r in item[1] if r.met is Met.UNKNOWN))
    return found
