"""The central's side of a terminal's heartbeat over HTTPS: the report stored as a directly
connected kiosk's is, plus its outbox depth, what its screen shows, its new log records, and
the commands queued for it handed over (each marked running, as a kiosk's own claim does)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.models import Kiosk, KioskLog
from kiosk.services.fleet import commands, kiosks
from kiosk.text import clean_text

COMMANDS_AT_ONCE = 5
LOGS_AT_ONCE = 200
INT_MAX = 2**31 - 1


def building_of(db: Session, kiosk_id: str) -> str:
    """The building a terminal stands in, as enrolled."""
    return db.scalar(select(Kiosk.building_code).where(Kiosk.id == kiosk_id)) or ""


def _text(data: dict[str, Any], name: str, most: int) -> str:
    return clean_text(str(data.get(name, "") or "")).text[:most]


def _count(data: dict[str, Any], name: str) -> int:
    value = data.get(name, 0)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT_MAX:
        raise ValueError(name)
    return value


def _time(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(name) from None
    if parsed.tzinfo is None:
        raise ValueError(name)
    return parsed


def receive(db: Session, kiosk_id: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Store a terminal's heartbeat; its commands and state in answer."""
    printers = data.get("printers", {})
    if not isinstance(printers, dict):
        raise ValueError("printers")
    beat = kiosks.Beat(
        kiosk_id=kiosk_id, building_code=building_of(db, kiosk_id), name=_text(data, "name", 60),
        version=_text(data, "version", 40), uptime_seconds=_count(data, "uptime_seconds"),
        last_page=_text(data, "last_page", 200), queue_depth=_count(data, "queue_depth"),
        printers={_text({"k": k}, "k", 20): _text({"v": v}, "v", 20) for k, v in printers.items()},
        config_version=_count(data, "config_version"),
        last_page_at=_time(data.get("last_page_at"), "last_page_at"),
        screen_seen_at=_time(data.get("screen_seen_at"), "screen_seen_at"),
    )  # fmt: skip
    screen = data.get("screen", {})
    records = data.get("logs", [])
    if not isinstance(screen, dict) or not isinstance(records, list):
        raise ValueError("screen")
    depth = _count(data, "outbox_depth")
    reported = kiosks.heartbeat(db, beat)
    with transaction(db):
        kiosk = db.get(Kiosk, kiosk_id, populate_existing=True)
        if kiosk is not None:
            kiosk.outbox_depth = depth
            paused = screen.get("paused_message")
            kiosk.paused_message = None if paused is None else _text(screen, "paused_message", 500)
            kiosk.banner = _text(screen, "banner", 200)
            kiosk.banner_until = _time(screen.get("banner_until"), "banner_until")
        for record in records[:LOGS_AT_ONCE]:
            if isinstance(record, dict):
                db.add(_log_row(kiosk_id, record, now))
    handed = []
    for _ in range(COMMANDS_AT_ONCE):
        command = commands.claim(db, kiosk_id)
        if command is None:
            break
        handed.append({"id": command.id, "kind": command.kind.value, "payload": command.payload})
    return {"state": reported.state.value, "commands": handed}


def _log_row(kiosk_id: str, record: dict[str, Any], now: datetime) -> KioskLog:
    fields = record.get("fields", {})
    try:
        at = _time(record.get("at"), "at") or now
    except ValueError:
        at = now
    return KioskLog(
        kiosk_id=kiosk_id,
        at=at,
        level=_text(record, "level", 10) or "INFO",
        logger=_text(record, "logger", 100),
        message=str(record.get("message", ""))[:4000],
        fields=fields if isinstance(fields, dict) else {},
    )
