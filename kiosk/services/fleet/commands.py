"""Commands for one kiosk, through a queue in the shared database: issued (by staff or a token),
picked up by that kiosk within `command_poll_seconds`, run, and answered with a result."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import CommandKind, CommandStatus, Kiosk, KioskCommand
from kiosk.text import clean_text

QUEUE_LIFETIME = timedelta(minutes=10)  # a command its kiosk has not picked up by then expires
TEXT_MAX = 200  # characters of an announcement or a pause message
MINUTES_MAX = 24 * 60
FINISHED = (CommandStatus.DONE, CommandStatus.FAILED, CommandStatus.EXPIRED)


def _text(payload: dict[str, Any], name: str, *, required: bool) -> str:
    raw = payload.get(name, "")
    if not isinstance(raw, str):
        raise ValidationFailed(fields={name: _l("This must be text.")})
    cleaned = clean_text(raw)  # control and invisible characters never reach the screen
    if required and not cleaned.text:
        raise ValidationFailed(fields={name: _l("Enter the text to show.")})
    if len(cleaned.text) > TEXT_MAX:
        raise ValidationFailed(
            fields={name: _l("Use at most %(count)d characters.", count=TEXT_MAX)}
        )
    return cleaned.text


def check_payload(kind: CommandKind, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload a command of `kind` carries, checked and cleaned; unknown fields refused."""
    allowed = {CommandKind.ANNOUNCE: {"text", "minutes"}, CommandKind.PAUSE: {"message"}}
    unknown = sorted(set(payload) - allowed.get(kind, set()))
    if unknown:
        raise ValidationFailed(
            fields={unknown[0]: _l("This command takes no such field.")},
        )
    if kind is CommandKind.ANNOUNCE:
        minutes = payload.get("minutes", 60)
        if (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= MINUTES_MAX
        ):
            raise ValidationFailed(
                fields={
                    "minutes": _l("A whole number of minutes from 1 to %(most)d.", most=MINUTES_MAX)
                }
            )
        return {"text": _text(payload, "text", required=True), "minutes": minutes}
    if kind is CommandKind.PAUSE:
        return {"message": _text(payload, "message", required=False)}
    return {}


def issue(
    db: Session, kiosk_id: str, kind: CommandKind, payload: dict[str, Any], issued_by: str
) -> KioskCommand:
    """Queue a command for a kiosk that has reported at least once."""
    cleaned = check_payload(kind, payload)
    with transaction(db):
        if db.get(Kiosk, kiosk_id) is None:
            raise NotFound(_l("No kiosk with that id has ever reported."))
        command = KioskCommand(
            kiosk_id=kiosk_id, kind=kind, payload=cleaned, issued_by=issued_by[:80],
            issued_at=utcnow(), status=CommandStatus.QUEUED, result={},
        )  # fmt: skip
        db.add(command)
        db.flush()
    return command


def claim(db: Session, kiosk_id: str, now: datetime | None = None) -> KioskCommand | None:
    """Take this kiosk's oldest queued command (marking it running), or None."""
    now = now or utcnow()
    with transaction(db):
        query = (
            select(KioskCommand)
            .where(KioskCommand.kiosk_id == kiosk_id, KioskCommand.status == CommandStatus.QUEUED)
            .order_by(KioskCommand.id)
            .limit(1)
        )
        if db.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        command = db.scalar(query)
        if command is None:
            return None
        if now - command.issued_at > QUEUE_LIFETIME:
            command.status, command.finished_at = CommandStatus.EXPIRED, now
            command.result = {"error": "not picked up within 10 minutes"}
            return None
        command.status, command.picked_at = CommandStatus.RUNNING, now
    return command


def finish(
    db: Session,
    command_id: int,
    *,
    ok: bool,
    result: dict[str, Any],
    attachment: bytes | None = None,
) -> KioskCommand:
    """Record what running a command gave."""
    with transaction(db):
        command = db.get(KioskCommand, command_id, populate_existing=True)
        if command is None:
            raise NotFound(_l("No such command."))
        command.status = CommandStatus.DONE if ok else CommandStatus.FAILED
        command.finished_at, command.result = utcnow(), result
        if attachment is not None:
            command.attachment = attachment
    return command


def expire(db: Session, now: datetime | None = None) -> int:
    """Mark commands nobody picked up in time as expired; return how many."""
    now = now or utcnow()
    with transaction(db):
        result = db.execute(
            update(KioskCommand)
            .where(
                KioskCommand.status == CommandStatus.QUEUED,
                KioskCommand.issued_at < now - QUEUE_LIFETIME,
            )
            .values(status=CommandStatus.EXPIRED, finished_at=now)
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount)  # type: ignore[attr-defined]


def get(db: Session, command_id: int) -> KioskCommand:
    """One command; NotFound if there is none."""
    command = db.get(KioskCommand, command_id)
    if command is None:
        raise NotFound(_l("No such command."))
    return command


def recent(db: Session, kiosk_id: str = "", limit: int = 20) -> list[KioskCommand]:
    """The newest commands, of one kiosk or of all."""
    query = select(KioskCommand).order_by(KioskCommand.id.desc()).limit(limit)
    if kiosk_id:
        query = query.where(KioskCommand.kiosk_id == kiosk_id)
    return list(db.scalars(query))
