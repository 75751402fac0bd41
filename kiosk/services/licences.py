"""Business licences: issued on approval, collected at the kiosk, verified from their QR code."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Application,
    ApplicationEventKind,
    ApplicationStatus,
    Licence,
    LicencePrint,
    LicenceStatus,
    Tenant,
)
from kiosk.services.applications import add_event, check_code
from kiosk.services.lockouts import Source
from kiosk.services.references import new_token
from kiosk.validators import normalize_uscc, pickup_code
from printers import PrinterError
from printers.licence import (
    LicenceDocument,
    LicencePrinter,
    capital_in_words,
    open_licence_printer,
    render_licence_pdf,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LicenceFacts:
    """What the registration authority decided, as the licence prints it."""

    name: str
    company_type: str
    legal_representative: str
    registered_capital: Decimal  # yuan
    address: str
    business_scope: str


def issue(
    db: Session,
    settings: Settings,
    tenant: Tenant,
    facts: LicenceFacts,
    *,
    application: Application | None,
    established: date,
    now: datetime,
) -> Licence:
    """A new current licence for `tenant`, in the caller's transaction (the old one superseded)."""
    db.execute(
        update(Licence)
        .where(Licence.tenant_id == tenant.id, Licence.status == LicenceStatus.CURRENT)
        .values(status=LicenceStatus.SUPERSEDED)
        .execution_options(synchronize_session=False)
    )
    licence = Licence(
        tenant=tenant,
        application_id=application.id if application else None,
        uscc=tenant.uscc,
        name=facts.name,
        company_type=facts.company_type,
        legal_representative=facts.legal_representative,
        registered_capital=facts.registered_capital,
        address=facts.address,
        business_scope=facts.business_scope,
        authority=settings.registration_authority,
        established=established,
        issue_date=now.astimezone(settings.zone).date(),
        verify_token=new_token(),
        status=LicenceStatus.CURRENT,
        created_at=now,
    )
    db.add(licence)
    db.flush()
    return licence


def current_for(db: Session, tenant_id: int) -> Licence | None:
    """The tenant's current licence, if one was issued through the station."""
    return db.scalar(
        select(Licence).where(
            Licence.tenant_id == tenant_id, Licence.status == LicenceStatus.CURRENT
        )
    )


def document(licence: Licence, verification_url: str) -> LicenceDocument:
    """What the printed licence shows."""
    return LicenceDocument(
        name=licence.name,
        uscc=licence.uscc,
        company_type=licence.company_type,
        legal_representative=licence.legal_representative,
        registered_capital=capital_in_words(licence.registered_capital),
        established=licence.established,
        address=licence.address,
        business_scope=licence.business_scope,
        authority=licence.authority,
        issue_date=licence.issue_date,
        verification_url=verification_url,
    )


WRONG = _l("The credit code or the pickup code is not right. Check both on your slip.")


def find_for_collection(
    db: Session, uscc: str, code: str, source: Source | None = None
) -> tuple[Licence, Application]:
    """The licence waiting for this USCC and pickup code (five wrong codes, then a wait)."""
    key = normalize_uscc(uscc)[:18]
    if not key:
        raise ValidationFailed(fields={"uscc": _l("Enter the unified social credit code.")})
    parsed = pickup_code(code)
    if parsed is None:
        raise ValidationFailed(fields={"code": _l("The pickup code is 6 digits.")})
    code = parsed
    found = db.execute(
        select(Licence, Application)
        .join(Application, Licence.application_id == Application.id)
        .where(
            Licence.uscc == key,
            Licence.status == LicenceStatus.CURRENT,
            Application.status == ApplicationStatus.APPROVED,
        )
    ).first()
    right = check_code(
        db,
        f"collect:{key}",
        lambda: found is not None and secrets.compare_digest(found[1].pickup_code, code),
        source,
    )
    if found is None or not right:
        raise ValidationFailed(fields={"code": WRONG})
    return found[0], found[1]


PrinterOpener = Callable[[str, float], LicencePrinter]


def _open(url: str, timeout: float) -> LicencePrinter:
    return open_licence_printer(url, timeout=timeout)


def print_licence(
    db: Session,
    settings: Settings,
    licence: Licence,
    application: Application,
    verification_url: str,
    *,
    opener: PrinterOpener = _open,
    now: datetime | None = None,
) -> LicencePrint:
    """Send the licence to this kiosk's licence printer and record the print (or its failure).

    A failure is recorded and raised as Conflict with a message for the tenant: nothing is
    collected until the paper is out.
    """
    now = now or utcnow()
    pdf = render_licence_pdf(document(licence, verification_url))
    error = ""
    try:
        opener(settings.licence_printer, max(settings.printer_timeout, 30.0)).print_pdf(
            pdf, name=f"{licence.uscc}-{application.reference}"
        )
    except PrinterError as exc:
        error = str(exc) or type(exc).__name__
        log.warning("licence %s not printed: %s", licence.uscc, error)
    with transaction(db):
        record = LicencePrint(
            licence_id=licence.id, kiosk_id=settings.id, printed=not error, error=error[:500],
            created_at=now,
        )  # fmt: skip
        db.add(record)
        if not error:
            add_event(
                db,
                application,
                ApplicationEventKind.COLLECTED,
                now=now,
                data={"kiosk": settings.id},
            )
    if error:
        raise Conflict(
            _l(
                "The licence printer is not available just now. Nothing has been used up: "
                "please ask the staff at the service desk, or try again later."
            )
        )
    return record


@dataclass(frozen=True)
class Verified:
    """What the public verification page may say about a licence."""

    name: str
    uscc: str
    current: bool
    status: LicenceStatus
    issue_date: date
    authority: str


def verify(db: Session, token: str) -> Verified:
    """Whether the licence a QR code points to is genuine and current."""
    licence = db.scalar(select(Licence).where(Licence.verify_token == token[:64]))
    if licence is None:
        raise NotFound(_l("This licence is not in our records."))
    return Verified(
        name=licence.name,
        uscc=licence.uscc,
        current=licence.status is LicenceStatus.CURRENT,
        status=licence.status,
        issue_date=licence.issue_date,
        authority=licence.authority,
    )
