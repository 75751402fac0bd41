"""Staff accounts kept in the admin: creating, changing role and unit, deactivating,
reactivating, resetting, and everyone's own password.

An admin sees and changes only the accounts of their unit and the units under it (and puts
accounts only there); an account outside their reach is absent (NotFound). An admin never gives a
role above their own, and the city keeps an active administrator at its top. Every change is in
the audit log with what it was before and after.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from kiosk import scope
from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import DomainError, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import AttemptCounter, Role, Staff, Unit, root_unit
from kiosk.services import audit, lockouts
from kiosk.services.account_units import unit_in_reach
from kiosk.services.audit import Actor
from kiosk.services.lockouts import Rule, Source
from kiosk.services.staff import _hasher, _verify, create_staff

PASSWORD_MIN = 12
# zxcvbn's score: 0 too guessable … 4 very unguessable; 3 is "safely unguessable" online.
SCORE_MIN = 3
# Letters and digits that cannot be mistaken for one another when read off a screen.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class NotAllowed(DomainError):
    """A change an admin may not make (to their own account, for one)."""

    code = "not_allowed"
    status = 409


@dataclass(frozen=True)
class Account:
    """One row of the staff list."""

    staff: Staff
    locked: bool
    second_factor: bool


def issue_password() -> str:
    """A one-time password of 16 unmistakable characters in four groups (about 79 bits)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def check_password(password: str, username: str, display_name: str, station: str) -> None:
    """Refuse a short password, the username, the station's name and guessable ones."""
    problem = None
    lowered = password.strip().lower()
    if len(password) < PASSWORD_MIN:
        problem = _l("Use at least %(n)s characters.", n=PASSWORD_MIN)
    elif lowered in {username.lower(), display_name.strip().lower(), station.strip().lower()}:
        problem = _l("Do not use your username, your name or the station's name.")
    elif zxcvbn(password[:100], user_inputs=[username, display_name, station])["score"] < SCORE_MIN:
        problem = _l(
            "That password is too easy to guess: it is common, or made of your name, the "
            "station's name or a simple pattern. Add a few uncommon words."
        )
    if problem is not None:
        raise ValidationFailed(fields={"new_password": problem})


def accounts(db: Session, unit: Unit | None = None) -> list[Account]:
    """Every account the caller reaches (of `unit` and the units under it, if given), active
    first, by name, with its lock and 2FA."""
    statement = _reachable(db, select(Staff))
    if unit is not None:
        under = select(Unit.id).where(Unit.path.startswith(unit.path))
        statement = statement.where(Staff.unit_id.in_(under))
    rows = list(db.scalars(statement.order_by(Staff.active.desc(), Staff.display_name, Staff.id)))
    keys = [f"sign-in:{row.username}" for row in rows]
    locked = set(
        db.scalars(
            select(AttemptCounter.key).where(
                AttemptCounter.key.in_(keys), AttemptCounter.locked_until > utcnow()
            )
        )
    )
    return [
        Account(row, f"sign-in:{row.username}" in locked, row.totp_secret is not None)
        for row in rows
    ]


def account(db: Session, staff_id: int) -> Account:
    """One account the caller reaches (NotFound otherwise)."""
    row = db.scalar(_reachable(db, select(Staff)).where(Staff.id == staff_id))
    if row is None:
        raise NotFound()
    until = db.scalar(
        select(AttemptCounter.locked_until).where(AttemptCounter.key == f"sign-in:{row.username}")
    )
    return Account(row, until is not None and until > utcnow(), row.totp_secret is not None)


def _reachable(db: Session, statement: Select[Staff]) -> Select[Staff]:
    """Limit a select of accounts to the buildings the request's session reaches."""
    if scope.reach_of(db).allowed("unit") is None:
        return statement
    units = scope.reach_of(db).allowed("unit") or frozenset()
    return statement.where(Staff.unit_id.in_(sorted(int(u) for u in units)))


def create_account(
    db: Session, username: str, display_name: str, role: Role, unit_code: str, actor: Actor
) -> tuple[Staff, str]:
    """A new account in an open unit the caller reaches, with a one-time password (returned
    once, never stored in clear); never with a role above the caller's."""
    unit = unit_in_reach(db, unit_code)
    if actor.staff is not None and role.rank > actor.staff.role.rank:
        raise ValidationFailed(fields={"role": _l("You cannot give a role above your own.")})
    password = issue_password()
    staff = create_staff(db, username, display_name, password, role, actor, unit.code)
    with transaction(db):
        staff.must_change_password = True
    return staff, password


def set_active(db: Session, staff_id: int, active: bool, actor: Actor) -> Staff:
    """Deactivate an account (its sessions end at once) or take it back into use; audited."""
    staff = account(db, staff_id).staff
    if actor.staff is not None and actor.staff.id == staff.id:
        raise NotAllowed(_l("You cannot deactivate your own account."))
    if staff.active == active:
        return staff
    with transaction(db):
        old = staff.active
        staff.active = active
        staff.session_version += 1
        action = "staff.reactivate" if active else "staff.deactivate"
        audit.record(db, actor, action, "staff", staff.username, active=[old, active])
    return staff


def reset_password(db: Session, staff_id: int, actor: Actor) -> tuple[Staff, str]:
    """Give an account a one-time password (its sessions end); it must be changed at the
    next sign-in. The password is returned once and stored only as an argon2 hash."""
    staff = account(db, staff_id).staff
    if actor.staff is not None and actor.staff.id == staff.id:
        raise NotAllowed(_l("Change your own password on your account page."))
    password = issue_password()
    with transaction(db):
        old = staff.must_change_password
        staff.password_hash = _hasher.hash(password)
        staff.must_change_password = True
        staff.session_version += 1
        audit.record(
            db, actor, "staff.reset_password", "staff", staff.username,
            must_change_password=[old, True],
        )  # fmt: skip
    return staff, password


def change_password(
    db: Session, staff: Staff, current: str, new: str, settings: Settings, source: Source
) -> None:
    """A person's own new password: the current one first, then the rules of check_password.

    A wrong current password counts towards the account's sign-in lock-out, as at sign-in.
    Other sessions of the account end; the caller keeps this one (see `session_version`).
    """
    rule = Rule(limit=settings.login_max_failures, key_cap=settings.login_lockout_minutes)
    attempt = lockouts.claim(db, f"sign-in:{staff.username}", source, rule)
    right = attempt.allowed and _verify(staff.password_hash, current)
    if not attempt.allowed:
        lockouts.refused(db, attempt, what="sign-in")
    else:
        lockouts.judged(db, attempt, right, what="sign-in", detail={"known": True})
    if not right:
        raise ValidationFailed(
            fields={"current_password": _l("That is not your current password.")}
        )
    station, actor = settings.station_name, Actor(staff, source.remote_addr)
    check_password(new, staff.username, staff.display_name, station)
    if _verify(staff.password_hash, new):
        raise ValidationFailed(
            fields={"new_password": _l("Choose a password different from the current one.")}
        )
    with transaction(db):
        old = staff.must_change_password
        staff.password_hash = _hasher.hash(new)
        staff.must_change_password = False
        staff.session_version += 1
        audit.record(
            db, actor, "staff.change_password", "staff", staff.username,
            must_change_password=[old, False],
        )  # fmt: skip


def change_account(db: Session, staff_id: int, role: Role, unit_code: str, actor: Actor) -> Staff:
    """Give an account in reach another role or unit (or both); its sessions end. Refused: a role
    above the actor's, a unit outside their reach, and leaving the city without an active
    administrator at its top."""
    staff = account(db, staff_id).staff
    mine = actor.staff.role if actor.staff is not None else Role.ADMIN
    if staff.role.rank > mine.rank:
        raise NotAllowed(_l("You cannot change an account whose role is above yours."))
    if role.rank > mine.rank:
        raise ValidationFailed(fields={"role": _l("You cannot give a role above your own.")})
    unit = staff.unit if staff.unit is not None and staff.unit.code == unit_code else None
    unit = unit or unit_in_reach(db, unit_code)
    if role == staff.role and unit.id == staff.unit_id:
        return staff
    with transaction(db):
        top = root_unit(db)
        others = _other_city_admins(db, staff, top)
        db.refresh(staff)  # as it is now, under the lock
        city_admin = staff.active and staff.role == Role.ADMIN and staff.unit_id == top.id
        if city_admin and (role != Role.ADMIN or unit.id != top.id) and not others:
            raise NotAllowed(
                _l(
                    "This is the city's last active administrator: make another account an "
                    "administrator of the city first."
                )
            )
        old_role, old_unit = staff.role, staff.unit.code if staff.unit is not None else ""
        staff.role, staff.unit = role, unit
        staff.session_version += 1
        audit.record(
            db, actor, "staff.change", "staff", staff.username,
            role=[old_role.value, role.value], unit=[old_unit, unit.code],
        )  # fmt: skip
    return staff


def _other_city_admins(db: Session, staff: Staff, top: Unit) -> int:
    """How many other active administrators the city's top unit has. The rows are locked (on
    PostgreSQL; SQLite's write transaction is the lock), so two administrators stepping down at
    once cannot both count on the other."""
    rows = db.scalars(
        select(Staff.id)
        .where(Staff.unit_id == top.id, Staff.role == Role.ADMIN, Staff.active)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return len([row for row in rows if row != staff.id])
