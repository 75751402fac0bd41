"""Staff accounts: creation and sign-in with argon2 hashes and lock-out."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import DomainError, ValidationFailed
from kiosk.models import Role, Staff
from kiosk.services import audit
from kiosk.services.audit import Actor

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")
PASSWORD_MIN = 10


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
    building_code: str = "",
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
            building_code=building_code.strip().lower(),
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
            building=staff.building_code,
        )
    return staff


def authenticate(
    db: Session, settings: Settings, username: str, password: str, remote_addr: str = ""
) -> Staff:
    """Check a sign-in; count failures and lock the account after too many."""
    now = utcnow()
    with transaction(db):
        staff = db.scalar(select(Staff).where(Staff.username == username.strip().lower()))
        if staff is None or not staff.active:
            _verify(_DUMMY_HASH, password)
            raise SignInFailed(_l("The username or password is not right."))
        if staff.locked_until is not None and staff.locked_until > now:
            minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
            raise SignInFailed(
                _l("Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=minutes)
            )
        if not _verify(staff.password_hash, password):
            staff.failed_logins += 1
            if staff.failed_logins >= settings.login_max_failures:
                staff.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
                staff.failed_logins = 0
                audit.record(db, Actor(None, remote_addr), "staff.locked", "staff", staff.username)
        else:
            if _hasher.check_needs_rehash(staff.password_hash):
                staff.password_hash = _hasher.hash(password)
            staff.failed_logins, staff.locked_until, staff.last_login_at = 0, None, now
            audit.record(db, Actor(staff, remote_addr), "staff.sign_in", "staff", staff.username)
            return staff
    # Committed above, so the failure counts even though we raise.
    raise SignInFailed(_l("The username or password is not right."))


def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_, password)
    except (VerificationError, InvalidHashError):
        return False


def active_staff(db: Session) -> list[Staff]:
    """Everyone who can be assigned an appeal, by name."""
    return list(db.scalars(select(Staff).where(Staff.active).order_by(Staff.display_name)))
