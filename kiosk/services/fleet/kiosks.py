"""Heartbeats in, states out: each kiosk's last report, whether it is online, stale, offline or
closed on purpose, and one alert each time it goes down or comes back.

Any serve process may judge the fleet (`sweep`): a change of state is one guarded UPDATE
(`WHERE state = <what was read>`), so when several processes judge at once exactly one records
it, and the alert is written in the same transaction. An alert goes out only when it changes
what the last alert said (down after up, up after down), so a kiosk cannot flap an engineer's
phone: stale is shown but never alerted, and offline needs `offline_seconds` of silence.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, Select, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.db import transaction, utcnow
from kiosk.models import Kiosk, KioskAlert, KioskState

log = logging.getLogger("kiosk.fleet")


@dataclass(frozen=True)
class Beat:
    """What a kiosk says of itself every `heartbeat_seconds`."""

    kiosk_id: str
    building_code: str
    name: str = ""
    version: str = ""
    started_at: datetime | None = None
    uptime_seconds: int = 0
    last_page: str = ""
    last_page_at: datetime | None = None
    screen_seen_at: datetime | None = None
    printers: dict[str, Any] = field(default_factory=dict)
    queue_depth: int = 0
    free_disk_bytes: int | None = None
    closed_hours: str = ""
    timezone: str = "Asia/Shanghai"
    config_version: int = 0


@dataclass(frozen=True)
class Limits:
    """When silence makes a kiosk stale, then offline (seconds)."""

    stale_seconds: float
    offline_seconds: float


def in_closed_hours(now: datetime, closed_hours: str, timezone: str) -> bool:
    """Whether `now` falls in a window like 23:00-06:00 (local time; it may span midnight)."""
    if not closed_hours:
        return False
    start_text, end_text = closed_hours.split("-")
    start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    local = now.astimezone(ZoneInfo(timezone)).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def judge(kiosk: Kiosk, now: datetime, limits: Limits) -> KioskState:
    """The state a kiosk is in now, from its last heartbeat and its closed hours."""
    if kiosk.last_seen_at is None:
        return KioskState.OFFLINE
    silent = (now - kiosk.last_seen_at).total_seconds()
    if silent < limits.stale_seconds:
        return KioskState.ONLINE
    if in_closed_hours(now, kiosk.closed_hours, kiosk.timezone):
        return KioskState.CLOSED
    return KioskState.STALE if silent < limits.offline_seconds else KioskState.OFFLINE


def _last_alert_kind(db: Session, kiosk_id: str) -> str:
    query = (
        select(KioskAlert.kind)
        .where(KioskAlert.kiosk_id == kiosk_id)
        .order_by(KioskAlert.id.desc())
        .limit(1)
    )
    return db.scalar(query) or "up"  # a kiosk never alerted counts as up


def _raise_alert(
    db: Session, kiosk: Kiosk, old: KioskState, new: KioskState, now: datetime
) -> None:
    """Write the down or up alert this change of state calls for, if any (caller commits)."""
    if new is KioskState.OFFLINE:
        kind = "down"
    elif new in (KioskState.ONLINE, KioskState.STALE):
        kind = "up"
    else:
        return  # closed on purpose says nothing new
    if _last_alert_kind(db, kiosk.id) == kind:
        return
    db.add(
        KioskAlert(kiosk_id=kiosk.id, kind=kind, state_from=old.value, state_to=new.value, at=now)
    )
    log.warning(
        "kiosk %s", "down" if kind == "down" else "back",
        extra={"kiosk": kiosk.id, "building": kiosk.building_code, "state": new.value},
    )  # fmt: skip


@dataclass(frozen=True)
class Reported:
    """What the fleet's row says back to a kiosk that has just reported."""

    state: KioskState
    last_seen_at: datetime
    paused_message: str | None
    banner: str
    banner_until: datetime | None


_BEAT_COLUMNS = [f.name for f in fields(Beat) if f.name != "kiosk_id"] + ["last_seen_at"]
_REPORTED_COLUMNS = [f.name for f in fields(Reported)]


@cache
def _heartbeat_statements(dialect_name: str) -> tuple[Select[Any], Insert]:
    """The row lock and the upsert, built once per dialect: a heartbeat only binds values.

    Built per call, the two statements cost more Python than PostgreSQL spends running them.
    """
    table = Kiosk.__table__
    lock = select(table.c.state).where(table.c.id == bindparam("id")).with_for_update()
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(table)
    upsert = insert.on_conflict_do_update(
        index_elements=[table.c.id], set_={name: insert.excluded[name] for name in _BEAT_COLUMNS}
    ).returning(*(table.c[name] for name in _REPORTED_COLUMNS))
    return lock, upsert


def heartbeat(db: Session, beat: Beat, now: datetime | None = None) -> Reported:
    """Store a kiosk's report and mark it online (raising its "up" alert if it was down)."""
    scope.admit(db, Kiosk, id=beat.kiosk_id)  # Core statements: the session cannot see them
    now = now or utcnow()
    lock, upsert = _heartbeat_statements(db.get_bind().dialect.name)
    values: dict[str, Any] = {name: getattr(beat, name) for name in _BEAT_COLUMNS[:-1]}
    values.update(
        id=beat.kiosk_id, last_seen_at=now, state=KioskState.ONLINE, state_since=now,
        printers=dict(beat.printers),
    )  # fmt: skip
    with transaction(db):
        # The lock: a sweep that is marking this kiosk offline finishes first, and is seen.
        old: KioskState | None = db.execute(lock, {"id": beat.kiosk_id}).scalar()
        row = db.execute(upsert, values).one()._asdict()
        if old is not None and old is not KioskState.ONLINE:
            kiosk = db.get(Kiosk, beat.kiosk_id, populate_existing=True)
            assert kiosk is not None
            kiosk.state, kiosk.state_since = KioskState.ONLINE, now
            _raise_alert(db, kiosk, old, KioskState.ONLINE, now)
            row["state"] = KioskState.ONLINE
    return Reported(**row)


def sweep(db: Session, limits: Limits, now: datetime | None = None) -> list[tuple[str, str]]:
    """Judge every silent kiosk again; return the (kiosk, new state) changes this call made."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=limits.stale_seconds)
    silent = select(Kiosk).where(
        (Kiosk.last_seen_at < cutoff) | Kiosk.last_seen_at.is_(None)
    )  # a kiosk that reported lately is online, whatever its row said
    changed: list[tuple[str, str]] = []
    for kiosk in db.scalars(silent).all():
        old, new = kiosk.state, judge(kiosk, now, limits)
        if new is old:
            continue
        with transaction(db):
            moved = db.execute(
                update(Kiosk)
                .where(Kiosk.id == kiosk.id, Kiosk.state == old, Kiosk.last_seen_at < cutoff)
                .values(state=new, state_since=now)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if moved == 1:  # no other process judged it first, and no heartbeat came
                _raise_alert(db, kiosk, old, new, now)
                changed.append((kiosk.id, new.value))
    return changed


def listing(db: Session, building_code: str = "", state: KioskState | None = None) -> list[Kiosk]:
    """The fleet, by building then id; optionally one building or one state."""
    query = select(Kiosk).order_by(Kiosk.building_code, Kiosk.id)
    if building_code:
        query = query.where(Kiosk.building_code == building_code)
    if state is not None:
        query = query.where(Kiosk.state == state)
    return list(db.scalars(query))


def get(db: Session, kiosk_id: str) -> Kiosk | None:
    """One kiosk, or None if it never reported."""
    return db.get(Kiosk, kiosk_id)


def state_counts(db: Session) -> dict[str, int]:
    """How many kiosks are in each state (every state present, zero included)."""
    counts = dict.fromkeys((s.value for s in KioskState), 0)
    query = select(Kiosk.state, func.count()).group_by(Kiosk.state)
    for state, count in db.execute(query):
        counts[KioskState(state).value] = count
    return counts


def alerts(db: Session, kiosk_id: str = "", limit: int = 50) -> list[KioskAlert]:
    """The newest alerts, of one kiosk or of all."""
    query = select(KioskAlert).order_by(KioskAlert.id.desc()).limit(limit)
    if kiosk_id:
        query = query.where(KioskAlert.kiosk_id == kiosk_id)
    return list(db.scalars(query))


def screen_frozen(kiosk: Kiosk, now: datetime, limits: Limits) -> bool:
    """Whether the kiosk reports but its screen has gone quiet: on, but frozen or closed."""
    if kiosk.state is not KioskState.ONLINE:
        return False
    seen = kiosk.screen_seen_at
    return seen is None or (now - seen).total_seconds() > limits.stale_seconds
