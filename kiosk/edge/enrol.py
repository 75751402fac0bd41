"""Enrolment: an admin's one-time code becomes a terminal's token, short code and link key.

The central issues a code for a kiosk id (valid `CODE_MINUTES`; only its SHA-256 is kept) and
the terminal redeems it once, with `kiosk enrol URL CODE`, for everything it will ever hold: its
API token (a kiosk's own, operate scope: earlier tokens of that kiosk are revoked), the short
code its references carry, the key that vouches for its tracking links, and the fleet's
public key. Ten characters from 32 symbols is 50 bits: a code cannot be guessed in its minutes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import EdgeTerminal, EnrolmentCode, Scope
from kiosk.services import tokens
from kiosk.services.fleet import kiosks

CODE_MINUTES = 15
SYMBOLS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off a screen, typed on a box
FIRST = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # a short code starts with a letter
CODE_LENGTH = 10
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _digest(code: str) -> str:
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(normal.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: shown once."""

    code: str
    kiosk_id: str
    expires_at: datetime


def issue_code(
    db: Session,
    kiosk_id: str,
    building_code: str,
    name: str,
    created_by: str,
    *,
    minutes: int = CODE_MINUTES,
    now: datetime | None = None,
) -> IssuedCode:
    """A new one-time code for enrolling `kiosk_id` in `building_code`."""
    problems = {}
    if not _ID.match(kiosk_id):
        problems["kiosk_id"] = _l("A kiosk id is a-z, 0-9 and -, up to 40 characters.")
    if not _ID.match(building_code):
        problems["building"] = _l("A building code is a-z, 0-9 and -, up to 40 characters.")
    if problems:
        raise ValidationFailed(fields=problems)
    now = now or utcnow()
    raw = "".join(secrets.choice(SYMBOLS) for _ in range(CODE_LENGTH))
    code = f"{raw[:5]}-{raw[5:]}"
    expires = now + timedelta(minutes=minutes)
    with transaction(db):
        db.add(
            EnrolmentCode(
                code_sha256=_digest(code), kiosk_id=kiosk_id, building_code=building_code,
                name=name[:60], created_by=created_by[:80], created_at=now, expires_at=expires,
            )
        )  # fmt: skip
    return IssuedCode(code, kiosk_id, expires)


@dataclass(frozen=True)
class Enrolled:
    """What a terminal is given, once."""

    kiosk_id: str
    building: str
    name: str
    short_code: str
    token: str
    link_key: str


def redeem(db: Session, code: str, now: datetime | None = None) -> Enrolled:
    """Use a code (once, before it expires); NotFound for a wrong, used or expired one."""
    now = now or utcnow()
    with transaction(db):
        row = db.scalar(
            update(EnrolmentCode)
            .where(
                EnrolmentCode.code_sha256 == _digest(code),
                EnrolmentCode.used_at.is_(None),
                EnrolmentCode.expires_at > now,
            )
            .values(used_at=now)
            .returning(EnrolmentCode)
        )
    if row is None:
        raise NotFound(_l("This enrolment code is wrong, used or expired: ask for a new one."))
    # The kiosk is listed (and its token reaches its building) from now on, before it reports.
    kiosks.heartbeat(db, kiosks.Beat(row.kiosk_id, row.building_code, name=row.name), now)
    made = tokens.rotate_for_kiosk(db, row.kiosk_id, Scope.OPERATE)
    link_key = secrets.token_hex(32)
    terminal = _terminal(db, row.kiosk_id, link_key, made.new.row.key, now)
    return Enrolled(
        row.kiosk_id, row.building_code, row.name, terminal.short_code, made.new.token, link_key
    )


def _terminal(
    db: Session, kiosk_id: str, link_key: str, token_key: str, now: datetime
) -> EdgeTerminal:
    """The kiosk's record with a new link key; a kiosk enrolled again keeps its short code."""
    for _ in range(50):
        try:
            with transaction(db):
                terminal = db.get(EdgeTerminal, kiosk_id)
                if terminal is None:
                    terminal = EdgeTerminal(kiosk_id=kiosk_id, short_code=_new_short_code(db))
                    db.add(terminal)
                terminal.link_key, terminal.token_key, terminal.enrolled_at = (
                    link_key,
                    token_key,
                    now,
                )
                return terminal
        except IntegrityError:
            continue  # another enrolment took that short code at the same moment
    raise RuntimeError("no free short code for a terminal")


def _new_short_code(db: Session) -> str:
    taken = set(db.scalars(select(EdgeTerminal.short_code)))
    for length in (2, 3, 4):
        if len(taken) < len(FIRST) * len(SYMBOLS) ** (length - 1) // 2:
            while True:
                code = secrets.choice(FIRST) + "".join(
                    secrets.choice(SYMBOLS) for _ in range(length - 1)
                )
                if code not in taken:
                    return code
    raise RuntimeError("every short code is taken")


def link_keys(db: Session) -> dict[str, str]:
    """Each terminal's short code and link key (to vouch for its tracking links)."""
    return dict(db.execute(select(EdgeTerminal.short_code, EdgeTerminal.link_key)).tuples())
