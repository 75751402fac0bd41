"""API tokens: made (the token shown once), checked on every request, listed, revoked."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import ApiToken, Scope
from kiosk.text import clean_text

log = logging.getLogger(__name__)
_FORMAT = re.compile(r"^lk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewToken:
    """A token just made: `token` is shown once and never stored."""

    row: ApiToken
    token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def create(db: Session, name: str, scope: Scope, *, kiosk_id: str = "") -> NewToken:
    """Make a token for a maintainer (or a kiosk, with its id)."""
    cleaned = clean_text(name).text
    if not cleaned or len(cleaned) > 80:
        raise ValidationFailed(fields={"name": _l("Give the token a name of 1 to 80 characters.")})
    key, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with transaction(db):
        row = ApiToken(
            key=key, secret_sha256=_digest(secret), name=cleaned, scope=scope, kiosk_id=kiosk_id
        )
        db.add(row)
        db.flush()
    return NewToken(row, f"lk_{key}_{secret}")


def verify(db: Session, presented: str) -> ApiToken | None:
    """The live token `presented` is, or None; a use is counted and logged.

    One UPDATE finds, checks and counts: it runs on every API request, heartbeats included.
    The secret's digest is compared in SQL, not in constant time, which is safe for a digest:
    how much of a stored SHA-256 a guess matches tells nothing about the secret behind it.
    """
    match = _FORMAT.match(presented)
    if match is None:
        return None
    key, secret = match.groups()
    with transaction(db):
        row: ApiToken | None = db.scalar(
            update(ApiToken)
            .where(
                ApiToken.key == key,
                ApiToken.secret_sha256 == _digest(secret),
                ApiToken.revoked_at.is_(None),
            )
            .values(uses=ApiToken.uses + 1, last_used_at=utcnow())
            .returning(ApiToken)
        )
    return row


def listing(db: Session) -> list[ApiToken]:
    """Every token, newest first (revoked ones too: the record stays)."""
    return list(db.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke(db: Session, key_or_name: str) -> ApiToken:
    """Revoke a token by its key (the part after lk_) or its name; refused from then on."""
    with transaction(db):
        row = db.scalar(
            select(ApiToken).where(
                (ApiToken.key == key_or_name.removeprefix("lk_")[:16])
                | (ApiToken.name == key_or_name),
                ApiToken.revoked_at.is_(None),
            )
        )
        if row is None:
            raise NotFound(_l("No live token has that key or name."))
        row.revoked_at = utcnow()
    log.info("api token revoked", extra={"token": row.key, "token_name": row.name})
    return row


@dataclass(frozen=True)
class Rotated:
    """A kiosk's new token, and the keys of the ones it replaced (now revoked)."""

    new: NewToken
    revoked: list[str]


def rotate_for_kiosk(db: Session, kiosk_id: str, scope: Scope) -> Rotated:
    """Give a kiosk a new token and revoke every other live token tied to it."""
    made = create(db, f"kiosk {kiosk_id}", scope, kiosk_id=kiosk_id)
    with transaction(db):
        old = db.scalars(
            select(ApiToken).where(
                ApiToken.kiosk_id == kiosk_id,
                ApiToken.revoked_at.is_(None),
                ApiToken.id != made.row.id,
            )
        ).all()
        for row in old:
            row.revoked_at = utcnow()
    log.info("kiosk token rotated", extra={"kiosk": kiosk_id, "token": made.row.key})
    return Rotated(made, [row.key for row in old])
