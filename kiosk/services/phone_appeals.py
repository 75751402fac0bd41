"""An appeal typed on a phone (the complaint QR on every screen and on the building's posters):
the same questions as the kiosk's, with the mobile confirmed by a code sent by SMS.

The code is six digits, kept only as an HMAC under the app's secret key, good for
`CODE_MINUTES`; wrong tries are counted by the lock-out counters (kiosk.services.lockouts) per
draft and per address, and codes sent are limited per number and per address. The SMS goes
through the message outbox like every other (kiosk.services.notify). Source "phone".
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import DomainError, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    Building,
    Channel,
    EventKind,
    PhoneCode,
    Source,
    Tenant,
)
from kiosk.services import lockouts, notify
from kiosk.services.appeals import (
    check_company_name,
    check_contact_name,
    check_description,
    check_mobile,
    due_date,
)
from kiosk.services.references import new_token, next_reference
from kiosk.text import mask_mobile

CODE_MINUTES = 10  # a code is good this long
RESEND_SECONDS = 60  # between two codes for one draft
PER_MOBILE = 3  # codes a number gets in an hour
PER_ADDRESS = 10  # codes one address asks for in an hour
TRIES = lockouts.Rule(limit=5, steps=(15, 60), key_cap=60)  # wrong codes before a wait


class TooMany(DomainError):
    """Too many codes asked for, or too many wrong codes: wait and try again."""

    code = "too_many"
    status = 429

    def default_message(self) -> object:
        """The message when none is given."""
        return _l("Too many tries. Please wait a while and try again.")


@dataclass(frozen=True)
class PhoneDraft:
    """What the person typed on the phone's form."""

    building: str
    tenant_id: int | None
    company_name: str
    category: str
    description: str
    contact_name: str
    contact_mobile: str
    locale: str


def building(db: Session, code: str) -> Building:
    """The building a QR code names (NotFound for any other)."""
    found = db.scalar(select(Building).where(Building.code == code))
    if found is None:
        raise NotFound()
    return found


def companies_of(db: Session, place: Building) -> list[Tenant]:
    """The companies of the building, to pick from (names are on the lobby's directory too)."""
    query = select(Tenant).where(Tenant.building_id == place.id, Tenant.active.is_(True))
    return list(db.scalars(query.order_by(Tenant.name)))


def _key(settings: Settings, kind: str, value: str) -> str:
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def _check(db: Session, draft: PhoneDraft) -> dict[str, object]:
    """Every field's value, or every field's problem at once."""
    values: dict[str, object] = {}
    problems: dict[str, object] = {}
    place = building(db, draft.building)
    tenant = db.get(Tenant, draft.tenant_id) if draft.tenant_id is not None else None
    if draft.tenant_id is not None and (
        tenant is None or tenant.building_id != place.id or not tenant.active
    ):
        problems["company"] = _l("Choose your company again.")
    checks: dict[str, Callable[[], str]] = {
        "company_name": lambda: (
            tenant.name if tenant else check_company_name(draft.company_name).value
        ),
        "description": lambda: check_description(draft.description).value,
        "contact_name": lambda: check_contact_name(draft.contact_name).value,
        "contact_mobile": lambda: check_mobile(draft.contact_mobile).value,
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except ValidationFailed as exc:
            problems[name] = next(iter(exc.fields.values()), exc.message)
    category = db.scalar(
        select(AppealCategory.code).where(
            AppealCategory.code == draft.category, AppealCategory.active
        )
    )
    if category is None:
        problems["category"] = _l("Choose a category.")
    if problems:
        raise ValidationFailed(fields=problems)
    tenant_id = tenant.id if tenant else None
    uscc = tenant.uscc if tenant else ""
    return {
        **values, "tenant_id": tenant_id, "company_uscc": uscc, "category": category,
        "locale": draft.locale,
    }  # fmt: skip


def _sent_lately(db: Session, column: InstrumentedAttribute[str], key: str, now: datetime) -> int:
    since = now - timedelta(hours=1)
    total = db.scalar(
        select(func.coalesce(func.sum(PhoneCode.sends), 0)).where(
            column == key,
            PhoneCode.created_at > since,
        )
    )
    return int(total or 0)


def _limit(db: Session, mobile_key: str, address_key: str, now: datetime) -> None:
    if _sent_lately(db, PhoneCode.mobile_key, mobile_key, now) >= PER_MOBILE:
        raise TooMany(_l("This number has had enough codes for now. Try again in an hour."))
    if _sent_lately(db, PhoneCode.address_key, address_key, now) >= PER_ADDRESS:
        raise TooMany()


def _send(db: Session, settings: Settings, row: PhoneCode, mobile: str, locale: str) -> str:
    """A new code for the row, queued as an SMS; the code itself is returned to no one."""
    code = f"{secrets.randbelow(10**6):06d}"
    row.code_hash = _key(settings, "code", f"{row.token}:{code}")
    notify.enqueue(
        db, channel=Channel.SMS, audience="tenant", recipient=mobile,
        recipient_masked=mask_mobile(mobile), template="phone_code", locale=locale,
        params={"code": code, "minutes": str(CODE_MINUTES)},
        dedupe_key=f"phone-code:{row.token[:40]}:{row.sends}", subject_type="phone_code",
        subject_ref=row.token[:12], building_code=row.building_code,
    )  # fmt: skip
    return code


def start(
    db: Session, settings: Settings, draft: PhoneDraft, address: str, now: datetime | None = None
) -> PhoneCode:
    """Check the form and send a code to its mobile; the draft waits for the code."""
    now = now or utcnow()
    values = _check(db, draft)
    mobile = str(values["contact_mobile"])
    mobile_key, address_key = _key(settings, "mobile", mobile), _key(settings, "address", address)
    with transaction(db):
        _limit(db, mobile_key, address_key, now)
        row = PhoneCode(
            token=new_token(), building_code=draft.building, code_hash="",
            mobile_key=mobile_key, address_key=address_key,
            expires_at=now + timedelta(minutes=CODE_MINUTES), sends=1, draft=values,
            created_at=now,
        )  # fmt: skip
        db.add(row)
        db.flush()
        _send(db, settings, row, mobile, draft.locale)
    return row


def pending(db: Session, token: str) -> PhoneCode:
    """The draft waiting for its code (NotFound once used, or for a wrong link)."""
    row = db.scalar(select(PhoneCode).where(PhoneCode.token == token))
    if row is None or row.appeal_id is not None or not row.draft:
        raise NotFound()
    return row


def resend(
    db: Session, settings: Settings, token: str, address: str, now: datetime | None = None
) -> PhoneCode:
    """A new code for the same draft (the old one stops working), within the limits."""
    now = now or utcnow()
    with transaction(db):
        row = pending(db, token)
        last_sent = row.expires_at - timedelta(minutes=CODE_MINUTES)
        if (now - last_sent).total_seconds() < RESEND_SECONDS:
            raise TooMany(_l("A code was sent a moment ago. Wait a minute before asking again."))
        _limit(db, row.mobile_key, _key(settings, "address", address), now)
        row.sends += 1
        row.expires_at = now + timedelta(minutes=CODE_MINUTES)
        _send(db, settings, row, str(row.draft["contact_mobile"]), str(row.draft["locale"]))
    return row


def confirm(
    db: Session,
    settings: Settings,
    token: str,
    code: str,
    source: lockouts.Source,
    now: datetime | None = None,
) -> Appeal:
    """Check the code and file the appeal (source "phone"); a used link files nothing twice."""
    now = now or utcnow()
    row = pending(db, token)
    typed = "".join(c for c in code if c.isdigit())
    claim = lockouts.claim(db, f"phone:{token[:40]}", source, TRIES, now=now)
    if not claim.allowed:
        lockouts.refused(db, claim, what="phone")
        wait = claim.minutes()
        raise TooMany(_l("Too many wrong codes. Try again in %(n)s minutes.", n=wait))
    right = len(typed) == 6 and hmac.compare_digest(
        row.code_hash, _key(settings, "code", f"{row.token}:{typed}")
    )
    if right and now > row.expires_at:
        lockouts.judged(db, claim, False, what="phone")
        raise ValidationFailed(fields={"code": _l("This code has expired. Ask for a new one.")})
    lockouts.judged(db, claim, right, what="phone")
    if not right:
        raise ValidationFailed(fields={"code": _l("That code is not right. Check the SMS.")})
    with transaction(db):
        row = pending(db, token)  # again, inside the transaction: one appeal per draft
        appeal = _file(db, settings, row, now)
        row.appeal_id, row.draft = appeal.id, {}
    return appeal


def _file(db: Session, settings: Settings, row: PhoneCode, now: datetime) -> Appeal:
    draft = row.draft
    category = db.scalar(select(AppealCategory).where(AppealCategory.code == draft["category"]))
    assert category is not None
    day = now.astimezone(settings.zone).date()
    appeal = Appeal(
        reference=next_reference(db, "SQ", day), token=new_token(),
        submission_key=f"phone:{row.token[:56]}", kiosk_id="", building_code=row.building_code,
        tenant_id=draft["tenant_id"], company_name=draft["company_name"],
        company_uscc=draft.get("company_uscc", ""),
        category=category, description=draft["description"],
        contact_name=draft["contact_name"], contact_mobile=draft["contact_mobile"],
        locale=draft["locale"], status=AppealStatus.NEW, due_date=due_date(settings, day),
        source=Source.PHONE, created_at=now,
    )  # fmt: skip
    db.add(appeal)
    db.flush()
    db.add(
        AppealEvent(
            appeal_id=appeal.id,
            kind=EventKind.SUBMITTED,
            public=True,
            data={"source": "phone"},
            created_at=now,
        )
    )
    return appeal
