"""Staff accounts: creation and sign-in with argon2 hashes and lock-out."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import DomainError, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Role, Staff
from kiosk.services import audit, lockouts
from kiosk.services.audit import Actor
from kiosk.services.lockouts import Claim, Rule, Source
from kiosk.services.units import unit_for_code

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")
PASSWORD_MIN = 10
NOT_RIGHT = _l(
    "The username or password is not right. After several wrong tries an account waits a "
    "few minutes; a supervisor can unlock it."
)


class SignInFailed(DomainError):
    """Wrong username or password, or a locked account; the message never says which field."""

    code = "sign_in_failed"
    status = 401


def create_staff(
    db: Session,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    actor: Actor,
    unit_code: str = "",
) -> Staff:
    """Create a staff account; the password is stored only as an argon2 hash."""
    username = username.strip().lower()
    if (
        not username
        or len(username) > 40
        or not username.replace("-", "").replace("_", "").isalnum()
    ):
        raise ValidationFailed(fields={"username": _l("Use letters, digits, - and _ only.")})
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed(
            fields={"password": _l("Use at least %(n)s characters.", n=PASSWORD_MIN)}
        )
    with transaction(db):
        if db.scalar(select(func.count()).where(Staff.username == username)):
            raise ValidationFailed(fields={"username": _l("That username is taken.")})
        staff = Staff(
            unit=unit_for_code(db, unit_code),
            username=username,
            display_name=display_name.strip() or username,
            password_hash=_hasher.hash(password),
            role=role,
        )
        db.add(staff)
        db.flush()
        audit.record(
            db,
            actor,
            "staff.create",
            "staff",
            username,
            role=role.value,
            unit=staff.unit.code if staff.unit is not None else "",
        )
    return staff


def authenticate(
    db: Session,
    settings: Settings,
    username: str,
    password: str,
    remote_addr: str = "",
    source: Source | None = None,
) -> Staff:
    """Check a sign-in: the try is counted first, and judged only if nothing is waiting.

    An account with a second factor is returned after a right password without being signed
    in: the caller asks for its code (kiosk.services.second_factor.check).

    A locked account, an unknown name and a wrong password answer alike, after one argon2
    verification each (of a dummy hash when there is nothing to check), so neither the words
    nor the time tell whether an account exists or waits.
    """
    name = username.strip().lower()[:64]
    source = source or Source(remote_addr=remote_addr)
    rule = Rule(limit=settings.login_max_failures, key_cap=settings.login_lockout_minutes)
    attempt = lockouts.claim(db, f"sign-in:{name}", source, rule)
    staff = db.scalar(select(Staff).where(Staff.username == name, Staff.active))
    checked = staff if attempt.allowed else None
    right = _verify(checked.password_hash if checked else _DUMMY_HASH, password) and bool(checked)
    if not attempt.allowed:
        lockouts.refused(db, attempt, what="sign-in")
        raise _failed(attempt)
    if right and staff is not None and staff.totp_secret is not None:
        # Not signed in yet: the try stays counted until the second factor is right too
        # (second_factor.check), so a known password cannot clear wrong codes; a wait it
        # starts is recorded like any other.
        detail = {"known": True, "second_factor": True}
        lockouts.judged(db, attempt, False, what="sign-in", detail=detail)
        return staff
    lockouts.judged(db, attempt, right, what="sign-in", detail={"known": staff is not None})
    if staff is None or not right:
        raise _failed(attempt)
    with transaction(db):
        if _hasher.check_needs_rehash(staff.password_hash):
            staff.password_hash = _hasher.hash(password)
    signed_in(db, staff, source)
    return staff


def signed_in(db: Session, staff: Staff, source: Source) -> None:
    """Record a complete sign-in (password, and second factor if the account has one)."""
    with transaction(db):
        staff.last_login_at = utcnow()
        db.add(staff)
        audit.record(db, Actor(staff, source.remote_addr), "staff.sign_in", "staff", staff.username)


def _failed(attempt: Claim) -> SignInFailed:
    """The one answer to a refused sign-in; only this browser's own wait is named."""
    if attempt.session_locked:
        return SignInFailed(
            _l(
                "Too many failed sign-ins from this browser. Try again in %(minutes)s min.",
                minutes=attempt.minutes(attempt.source.key),
            )
        )
    return SignInFailed(NOT_RIGHT)


def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_, password)
    except (VerificationError, InvalidHashError):
        return False


def active_staff(db: Session) -> list[Staff]:
    """Everyone who can be assigned an appeal, by name."""
    return list(db.scalars(select(Staff).where(Staff.active).order_by(Staff.display_name)))


def set_password(db: Session, staff: Staff, password: str, actor: Actor) -> None:
    """Give an account a new password (stored only as an argon2 hash); audited."""
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed(
            fields={"password": _l("Use at least %(n)s characters.", n=PASSWORD_MIN)}
        )
    with transaction(db):
        staff.password_hash = _hasher.hash(password)
        audit.record(db, actor, "staff.set_password", "staff", staff.username)
