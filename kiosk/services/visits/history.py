"""A company's history in one place: its appeals, visits, applications, claims, event places,
policies told and moves, newest first — each as one line with a link to the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from kiosk.models import (
    Appeal,
    Application,
    BenefitClaim,
    EventSignup,
    PolicyNotice,
    Tenant,
    TenantMove,
    Visit,
)

LIMIT = 200  # records of each kind; a company with more is a rare one, and the newest count


@dataclass(frozen=True)
class Entry:
    """One record of the company's history."""

    at: datetime
    kind: str  # appeal, visit, application, claim, event, policy, move
    reference: str
    title: str
    state: str  # a status code the page puts in words
    record: Any  # the row, for its link


def _appeals(db: Session, tenant: Tenant) -> list[Entry]:
    query = select(Appeal).where(
        or_(Appeal.tenant_id == tenant.id, Appeal.company_uscc == tenant.uscc)
    )
    rows = db.scalars(query.options(joinedload(Appeal.category)).limit(LIMIT))
    return [
        Entry(a.created_at, "appeal", a.reference, a.description, a.status.value, a) for a in rows
    ]


def _visits(db: Session, tenant: Tenant) -> list[Entry]:
    rows = db.scalars(select(Visit).where(Visit.tenant_id == tenant.id).limit(LIMIT))
    return [
        Entry(
            datetime.combine(v.visited_on, time(12), tzinfo=UTC),
            "visit",
            v.reference,
            v.discussed,
            "",
            v,
        )
        for v in rows
    ]


def _applications(db: Session, tenant: Tenant) -> list[Entry]:
    query = select(Application, BenefitClaim).outerjoin(
        BenefitClaim, BenefitClaim.application_id == Application.id
    )
    query = query.where(
        or_(Application.tenant_id == tenant.id, Application.company_uscc == tenant.uscc)
    ).limit(LIMIT)
    found: list[Entry] = []
    for application, claim in db.execute(query):
        kind = "claim" if claim is not None else "application"
        found.append(
            Entry(
                application.created_at,
                kind,
                application.reference,
                application.task,
                application.status.value,
                claim if claim is not None else application,
            )
        )
    return found


def _signups(db: Session, tenant: Tenant) -> list[Entry]:
    query = select(EventSignup).where(EventSignup.tenant_id == tenant.id)
    rows = db.scalars(query.options(joinedload(EventSignup.event)).limit(LIMIT))
    return [
        Entry(s.event.starts_at, "event", s.reference, s.event.title, s.status.value, s)
        for s in rows
    ]


def _told(db: Session, tenant: Tenant) -> list[Entry]:
    query = select(PolicyNotice).where(PolicyNotice.tenant_id == tenant.id)
    rows = db.scalars(query.options(joinedload(PolicyNotice.policy)).limit(LIMIT))
    return [Entry(n.created_at, "policy", n.note, n.policy.title, "", n) for n in rows]


def _moves(db: Session, tenant: Tenant) -> list[Entry]:
    rows = db.scalars(select(TenantMove).where(TenantMove.tenant_id == tenant.id).limit(LIMIT))
    return [Entry(m.at, "move", m.source, m.to_place or m.from_place, m.kind, m) for m in rows]


KINDS = ("appeal", "visit", "application", "claim", "event", "policy", "move")


def company_history(db: Session, tenant: Tenant, kind: str = "") -> list[Entry]:
    """The company's records in reach, newest first (only one kind with `kind`)."""
    readers = {
        "appeal": _appeals, "visit": _visits, "application": _applications,
        "event": _signups, "policy": _told, "move": _moves,
    }  # fmt: skip
    entries: list[Entry] = []
    for name, read in readers.items():
        if kind and kind != name and not (kind == "claim" and name == "application"):
            continue
        entries.extend(read(db, tenant))
    if kind:
        entries = [e for e in entries if e.kind == kind]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
