"""Who applied for a company, against the people the company is on record with.

A company's recorded contacts are the legal representative on its current licence and the
people named in its applications staff approved before (the representative of its
registration, the applicant, the contact). An applicant none of them matches by mobile number
may still act for the company, but staff should call the company before they decide.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Application, ApplicationStatus
from kiosk.services import licences
from kiosk.validators import normalize_mobile

# The answers that name a person for the company: (name key, mobile key, role).
PEOPLE = (
    ("rep_name", "rep_mobile", "representative"),
    ("applicant_name", "applicant_mobile", "applicant"),
    ("contact_name", "contact_mobile", "contact"),
)
EARLIER_MAX = 20  # approved applications looked at, newest first


class Verdict(enum.StrEnum):
    """How the applicant stands against the company's recorded contacts."""

    KNOWN = "known"  # the applicant's mobile number is on record for the company
    UNKNOWN = "unknown"  # the company has contacts on record; the applicant is none of them
    NONE_ON_RECORD = "none_on_record"  # nobody is on record for the company yet


@dataclass(frozen=True)
class Contact:
    """One person on record for the company, and where the record comes from."""

    role: str  # representative, applicant, contact, or licence (the legal representative)
    name: str
    mobile: str
    reference: str  # the application (or licence number) that recorded them


@dataclass(frozen=True)
class ApplicantCheck:
    """The applicant of one application, and the company's recorded contacts."""

    name: str
    mobile: str
    verdict: Verdict
    recorded: tuple[Contact, ...]


def recorded_contacts(db: Session, tenant_id: int, *, before: int | None = None) -> list[Contact]:
    """The company's recorded contacts: its licence's representative, then approved answers."""
    found: list[Contact] = []
    licence = licences.current_for(db, tenant_id)
    if licence is not None and licence.legal_representative:
        found.append(Contact("licence", licence.legal_representative, "", licence.uscc))
    query = (
        select(Application)
        .where(
            Application.tenant_id == tenant_id,
            Application.status == ApplicationStatus.APPROVED,
        )
        .order_by(Application.id.desc())
        .limit(EARLIER_MAX)
    )
    if before is not None:
        query = query.where(Application.id != before)
    for application in db.scalars(query):
        for name_key, mobile_key, role in PEOPLE:
            name = str(application.answers.get(name_key) or "")
            mobile = normalize_mobile(str(application.answers.get(mobile_key) or ""))
            if name or mobile:
                found.append(Contact(role, name, mobile, application.reference))
    return found


def check_applicant(db: Session, application: Application) -> ApplicantCheck | None:
    """The applicant against the company's record; None when the application names nobody
    applying for a company of the building (a registration, or one made before it was asked)."""
    name = str(application.answers.get("applicant_name") or "")
    mobile = normalize_mobile(str(application.answers.get("applicant_mobile") or ""))
    if application.tenant_id is None or not (name or mobile):
        return None
    recorded = recorded_contacts(db, application.tenant_id, before=application.id)
    if not recorded:
        verdict = Verdict.NONE_ON_RECORD
    elif mobile and any(contact.mobile == mobile for contact in recorded):
        verdict = Verdict.KNOWN
    else:
        verdict = Verdict.UNKNOWN
    return ApplicantCheck(name, mobile, verdict, tuple(recorded))
