"""Continue on your phone: one long field of a kiosk form, filled in on the tenant's phone.

The kiosk asks for a hand-off and shows a QR code with a one-use link valid for five minutes.
The phone opens a page with just that field, prefilled with what was already typed, and sends
the text back; the kiosk's page collects it within a second or two. Only the terminal session
that asked may collect it; the text is deleted as soon as it is collected, and every hand-off
of a session is deleted when the session is wiped.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import HandOff
from kiosk.text import clean_text

LIFETIME = timedelta(minutes=5)
KEEP_EXPIRED = timedelta(minutes=10)  # expired rows are swept after this, whatever happened
TOKEN_BYTES = 24  # 192 bits in the phone's link
MAX_OPEN = 3  # hand-offs one terminal session may have waiting at once


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Started:
    """A new hand-off: its id (for the kiosk to poll) and the token for the phone's link."""

    id: int
    token: str
    expires_at: datetime


def start(
    db: Session,
    owner: str,
    field: str,
    label: str,
    max_chars: int,
    text: str = "",
    now: datetime | None = None,
) -> Started:
    """Open a hand-off of `field` for the terminal session `owner`, prefilled with `text`."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction(db):
        db.execute(delete(HandOff).where(HandOff.expires_at < now - KEEP_EXPIRED))
        # A new QR for the same field replaces the old one; and a session gets only a few.
        db.execute(delete(HandOff).where(HandOff.session_key == owner, HandOff.field == field))
        waiting = db.scalars(
            select(HandOff.id).where(HandOff.session_key == owner, HandOff.expires_at > now)
        ).all()
        if len(waiting) >= MAX_OPEN:
            raise Conflict(_l("Too many phone links are open. Please use one of them first."))
        row = HandOff(
            token_hash=_hash(token),
            session_key=owner,
            field=field,
            label=label[:200],
            max_chars=max_chars,
            text=clean_text(text, multiline=True).text[:max_chars],
            created_at=now,
            expires_at=now + LIFETIME,
        )
        db.add(row)
        db.flush()
        return Started(row.id, token, row.expires_at)


def for_phone(db: Session, token: str, now: datetime | None = None) -> HandOff:
    """The hand-off a phone's link opens; NotFound when unknown, expired or already used."""
    now = now or utcnow()
    row = None
    if len(token) < 100:
        row = db.scalar(select(HandOff).where(HandOff.token_hash == _hash(token)))
    if row is None or row.expires_at <= now:
        # Collected, wiped or past five minutes: all look the same from the phone.
        raise NotFound(
            _l(
                "This link no longer works: it was used or it expired. "
                "Ask the kiosk for a new code."
            )
        )
    if row.used_at is not None:
        raise NotFound(_l("This link has already been used. The text is on the kiosk's screen."))
    return row


def send_from_phone(db: Session, token: str, text: str, now: datetime | None = None) -> HandOff:
    """The phone sends the field's text (once); it waits for the kiosk to collect it."""
    now = now or utcnow()
    with transaction(db):
        row = for_phone(db, token, now)
        cleaned = clean_text(text, multiline=True).text
        if not cleaned:
            raise ValidationFailed(fields={"text": _l("This cannot be empty.")})
        if len(cleaned) > row.max_chars:
            message = _l(
                "This must be %(limit)s characters or fewer; it has %(count)s.",
                limit=f"{row.max_chars:,}",
                count=f"{len(cleaned):,}",
            )
            raise ValidationFailed(fields={"text": message})
        row.text, row.used_at = cleaned, now
        return row


@dataclass(frozen=True)
class Collected:
    """What the kiosk's page learns when it asks: still waiting, expired, or the text."""

    state: str  # "waiting", "filled" or "expired"
    text: str = ""


def collect(db: Session, owner: str, hand_off_id: int, now: datetime | None = None) -> Collected:
    """The kiosk asks for its hand-off; the text is handed over once and then deleted."""
    now = now or utcnow()
    with transaction(db):
        row = db.get(HandOff, hand_off_id)
        if row is None or row.session_key != owner:
            raise NotFound()
        if row.used_at is not None and row.text is not None:
            text = row.text
            db.delete(row)  # nothing of it is kept once it is on the kiosk's screen
            return Collected("filled", text)
        if row.expires_at <= now:
            db.delete(row)
            return Collected("expired")
        return Collected("waiting")


def forget(db: Session, owner: str) -> int:
    """Delete every hand-off of a terminal session (it is being wiped)."""
    with transaction(db):
        result = db.execute(delete(HandOff).where(HandOff.session_key == owner))
    return int(result.rowcount)  # type: ignore[attr-defined]
