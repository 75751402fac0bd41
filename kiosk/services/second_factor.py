"""A second factor for staff: TOTP codes (RFC 6238, with pyotp) and one-use recovery codes.

Enrolling: a secret is offered (kept in the person's session, shown as a QR), and stored only
once a code made from it is typed back. Signing in: after a right password, an account with a
second factor is not signed in until a code is right; wrong codes count against the account's
sign-in key (`sign-in:<username>`), so the lock-out page shows and unlocks them as it does
wrong passwords, and a right password does not clear them (see staff.authenticate). A code is
accepted once: the time step it was made for is kept and older or equal steps are refused.
Recovery codes are stored as SHA-256 hashes (they are random, 40 bits each) and work once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Staff
from kiosk.services import audit, lockouts
from kiosk.services.accounts import ALPHABET, NotAllowed, account
from kiosk.services.audit import Actor
from kiosk.services.lockouts import Rule, Source
from kiosk.services.staff import SignInFailed, _failed, signed_in

RECOVERY_CODES = 10
STEP = 30  # seconds per TOTP code
WRONG_CODE = _l(
    "That code is not right, or was already used. Type the 6 digits your authenticator app "
    "shows now, or one of your recovery codes."
)

NOT_CONFIRMED = _l("That code is not right. Type the 6 digits the app shows for this account now.")


def new_secret() -> str:
    """A fresh TOTP secret (160 bits, base32) to offer for enrolment."""
    return pyotp.random_base32(32)


def enrolment_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def _digits(code: str) -> str:
    return "".join(code.split())


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (now, or one either side) `code` was made for, if later than `after`."""
    code = _digits(code)
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp, now = pyotp.TOTP(secret), int(time.time()) // STEP
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _hash(code: str) -> str:
    plain = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def _recovery_codes() -> tuple[list[str], str]:
    """Fresh recovery codes (shown once) and the hashes that are stored."""
    codes = []
    for _ in range(RECOVERY_CODES):
        chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
        codes.append(f"{chars[:4]}-{chars[4:]}")
    return codes, " ".join(_hash(code) for code in codes)


def confirm(db: Session, staff: Staff, secret: str, code: str, actor: Actor) -> list[str]:
    """Turn the second factor on once a code from `secret` is right; the recovery codes."""
    step = _matching_step(secret, code, None)
    if step is None:
        raise ValidationFailed(fields={"code": NOT_CONFIRMED})
    codes, hashes = _recovery_codes()
    with transaction(db):
        old = staff.totp_secret is not None
        staff.totp_secret, staff.totp_last_step, staff.recovery_hashes = secret, step, hashes
        audit.record(
            db, actor, "staff.second_factor_on", "staff", staff.username, second_factor=[old, True]
        )
    return codes


def _accept_code(db: Session, staff: Staff, code: str) -> bool:
    """Whether `code` is a TOTP code not used before, or an unused recovery code (used now).

    Each is taken with one conditional UPDATE, so two requests cannot both use the same code.
    """
    if staff.totp_secret is None:
        return False
    step = _matching_step(staff.totp_secret, code, staff.totp_last_step)
    with transaction(db):
        if step is not None:
            taken = db.execute(
                update(Staff)
                .where(
                    Staff.id == staff.id,
                    or_(Staff.totp_last_step.is_(None), Staff.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
            return bool(taken.rowcount)  # type: ignore[attr-defined]
        hashes = staff.recovery_hashes.split()
        hashed = _hash(code)
        if not any(hmac.compare_digest(hashed, known) for known in hashes):
            return False
        left = " ".join(known for known in hashes if known != hashed)
        taken = db.execute(
            update(Staff)
            .where(Staff.id == staff.id, Staff.recovery_hashes == staff.recovery_hashes)
            .values(recovery_hashes=left)
            .execution_options(synchronize_session=False)
        )
        return bool(taken.rowcount)  # type: ignore[attr-defined]


def check(db: Session, settings: Settings, staff: Staff, code: str, source: Source) -> None:
    """The second step of signing in: counted like a password, refused like one."""
    rule = Rule(limit=settings.login_max_failures, key_cap=settings.login_lockout_minutes)
    attempt = lockouts.claim(db, f"sign-in:{staff.username}", source, rule)
    if not attempt.allowed:
        lockouts.refused(db, attempt, what="sign-in")
        raise _failed(attempt)
    right = staff.active and _accept_code(db, staff, code[:40])
    lockouts.judged(db, attempt, right, what="sign-in", detail={"second_factor": True})
    if not right:
        raise _failed(attempt) if attempt.session_locked else SignInFailed(WRONG_CODE)
    db.refresh(staff)
    signed_in(db, staff, source)


def reset(db: Session, staff_id: int, actor: Actor) -> Staff:
    """Another admin turns off a lost second factor (the account's sessions end); audited."""
    staff = account(db, staff_id).staff
    if actor.staff is not None and actor.staff.id == staff.id:
        raise NotAllowed(_l("Another administrator must reset your own second factor."))
    with transaction(db):
        old = staff.totp_secret is not None
        staff.totp_secret, staff.totp_last_step, staff.recovery_hashes = None, None, ""
        staff.session_version += 1
        audit.record(
            db, actor, "staff.second_factor_reset", "staff", staff.username,
            second_factor=[old, False],
        )  # fmt: skip
    return staff
