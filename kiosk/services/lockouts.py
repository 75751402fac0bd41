"""Lock-outs: wrong passwords and pickup codes counted per key and per session, atomically.

An attempt is claimed before the secret is checked: one upsert per counter adds it and says
whether it may be judged. So however many arrive at once, on however many processes, no more
than the limit are judged; the limit-th claim sets the wait in the same statement.

Waits grow with each lock of the same key or session (`STEPS`, minutes); a key (an account,
a licence) never waits longer than its cap, so one person's wrong tries cannot shut others out
for long, while the session that typed them waits up to an hour. A day without a wrong try
forgets the steps; a right answer clears its key. Supervisors unlock from the admin.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from kiosk.db import transaction, utcnow
from kiosk.models import AttemptCounter
from kiosk.services import audit
from kiosk.services.audit import Actor

STEPS = (1, 5, 15, 60)  # minutes: the 1st, 2nd, 3rd and every later wait of one key or session
FORGET = timedelta(hours=24)  # this long without a wrong try, and the steps start again
KEY_LENGTH = 80
# What each kind of key is, for the audit log: (action prefix, target type).
KINDS = {
    "sign-in": ("staff", "staff"),
    "collect": ("code", "licence"),
    "fix": ("code", "application"),
    "session": ("session", "session"),
}


@dataclass(frozen=True)
class Source:
    """Where tries come from: a browser session (its stored id), an address, a kiosk."""

    session: str = ""
    remote_addr: str = ""
    kiosk: str = ""

    @property
    def key(self) -> str:
        """The counter of this source: its session, or its address if it has none."""
        if self.session:
            return f"session:{self.session[:64]}"
        return f"session:addr-{hashlib.sha256(self.remote_addr.encode()).hexdigest()[:32]}"

    def detail(self) -> dict[str, str]:
        """Where from, for the audit log (a short part of the session's id, never the cookie)."""
        return {"session": self.key.removeprefix("session:")[:8], "kiosk": self.kiosk}


@dataclass(frozen=True)
class Rule:
    """How many tries, and how long the waits are (minutes); `key_cap` bounds a key's wait."""

    limit: int = 5
    steps: tuple[int, ...] = STEPS
    key_cap: int = 15

    def waits(self, cap: int | None = None) -> list[int]:
        """The steps in minutes, none longer than `cap`."""
        return [min(step, cap) if cap else step for step in self.steps]


@dataclass
class Count:
    """What one counter said to a claim."""

    key: str
    failures: int
    locked_until: datetime | None

    def refused(self, limit: int) -> bool:
        """A wait was already running when this try came."""
        return self.failures > limit

    def locked_now(self, limit: int) -> bool:
        """This try was the limit-th: it started the wait."""
        return self.failures == limit and self.locked_until is not None


@dataclass
class Claim:
    """One try, counted: may it be judged, and which counters it locked."""

    key: str
    source: Source
    rule: Rule
    now: datetime
    counts: list[Count] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        """Whether the secret may be checked (no counter was already waiting)."""
        return not any(count.refused(self.rule.limit) for count in self.counts)

    @property
    def session_locked(self) -> bool:
        """Whether the session itself must wait (not only the key)."""
        return any(c.key == self.source.key and c.failures >= self.rule.limit for c in self.counts)

    def minutes(self, key: str | None = None) -> int:
        """Whole minutes until every wait this try met (or `key`'s) is over (at least 1)."""
        ends = [
            c.locked_until
            for c in self.counts
            if c.locked_until is not None and key in (None, c.key)
        ]
        if not ends:
            return self.rule.steps[0]
        return max(1, math.ceil((max(ends) - self.now).total_seconds() / 60))


def claim(
    db: Session, key: str, source: Source, rule: Rule, *, now: datetime | None = None
) -> Claim:
    """Count one try at `key` from `source`, committed before the secret is checked.

    A session already waiting is refused without counting against the key (hammering a
    locked session never extends anyone else's wait).
    """
    now = now or utcnow()
    result = Claim(key[:KEY_LENGTH], source, rule, now)
    with transaction(db):
        result.counts.append(_count(db, source.key, rule.waits(), rule.limit, now))
        if result.allowed:
            waits = rule.waits(rule.key_cap)
            result.counts.append(_count(db, result.key, waits, rule.limit, now))
    return result


def _count(db: Session, key: str, waits: Sequence[int], limit: int, now: datetime) -> Count:
    """One upsert: add a try to `key`'s counter and start its wait at the limit-th."""
    c = AttemptCounter.__table__.c
    waiting = and_(c.locked_until.is_not(None), c.locked_until > now)
    # Not waiting: a wait that is over, or a day without tries, starts a new round.
    fresh = or_(c.locked_until.is_not(None), c.updated_at < now - FORGET)
    failures: ColumnElement[int] = case((waiting, c.failures + 1), (fresh, 1), else_=c.failures + 1)
    strikes: ColumnElement[int] = case(
        (and_(~waiting, c.updated_at < now - FORGET), 0), else_=c.strikes
    )
    ends = [bindparam(None, now + timedelta(minutes=m), type_=c.locked_until.type) for m in waits]
    until: ColumnElement[Any] = (
        case(*((strikes == n, end) for n, end in enumerate(ends[:-1])), else_=ends[-1])
        if len(ends) > 1
        else ends[0]
    )
    starts = and_(~waiting, failures == limit)
    insert = (postgresql if db.get_bind().dialect.name == "postgresql" else sqlite).insert
    statement = (
        insert(AttemptCounter)
        .values(
            key=key,
            failures=1,
            strikes=1 if limit == 1 else 0,
            locked_until=ends[0] if limit == 1 else None,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=[c.key],
            set_={
                "failures": failures,
                "strikes": case((waiting, c.strikes), (starts, strikes + 1), else_=strikes),
                "locked_until": case((waiting, c.locked_until), (starts, until), else_=None),
                "updated_at": now,
            },
        )
        .returning(c.failures, c.locked_until)
    )
    row = db.execute(statement).one()
    return Count(key, int(row.failures), row.locked_until)


def judged(
    db: Session, claim: Claim, right: bool, *, what: str = "", detail: dict[str, Any] | None = None
) -> None:
    """Record how a claimed try went: a right answer clears its key (and the session's count
    of it); a wrong one leaves the count, and a wait it started goes in the audit log."""
    with transaction(db):
        if right:
            db.execute(delete(AttemptCounter).where(AttemptCounter.key == claim.key))
            _release(db, claim)
            return
        _record_locks(db, claim, what, detail or {})


def _release(db: Session, claim: Claim) -> None:
    """Take a right try back off the session's count (and the wait it started, if any)."""
    table = AttemptCounter
    for count in claim.counts:
        if count.key != claim.source.key:
            continue
        if count.locked_now(claim.rule.limit):
            values: dict[str, Any] = {
                "failures": table.failures - 1, "strikes": table.strikes - 1, "locked_until": None
            }  # fmt: skip
            match = table.locked_until == count.locked_until
        else:
            values = {"failures": table.failures - 1}
            match = and_(table.locked_until.is_(None), table.failures > 0)
        db.execute(
            update(table)
            .where(table.key == count.key, match)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _record_locks(db: Session, claim: Claim, what: str, detail: dict[str, Any]) -> None:
    """An audit entry for each wait this try started: what, until when, and from where."""
    for count in claim.counts:
        if not count.locked_now(claim.rule.limit) or count.locked_until is None:
            continue
        kind = count.key.split(":", 1)[0]
        prefix, target_type = KINDS.get(kind, ("code", kind))
        target = count.key.split(":", 1)[1]
        extra = {"key": claim.key} if kind == "session" else dict(detail)
        audit.record(
            db,
            Actor(None, claim.source.remote_addr),
            f"{prefix}.locked",
            target_type,
            target[:8] if kind == "session" else target,
            what=what or claim.key.split(":", 1)[0],
            tries=claim.rule.limit,
            minutes=math.ceil((count.locked_until - claim.now).total_seconds() / 60),
            until=count.locked_until.isoformat(timespec="seconds"),
            **claim.source.detail(),
            **extra,
        )


def refused(db: Session, claim: Claim, *, what: str = "") -> None:
    """A try refused without being judged: it is wrong, so a wait it started is recorded."""
    with transaction(db):
        _record_locks(db, claim, what, {})
