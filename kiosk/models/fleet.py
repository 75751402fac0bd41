"""The fleet: every kiosk's last heartbeat and state, the alerts its state changes raised, the
commands sent to it, the configuration pushed to it, and the log lines it kept."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db import utcnow
from kiosk.models.appeal import _enum
from kiosk.models.base import Base


class KioskState(enum.StrEnum):
    """What the fleet page says of a kiosk, from how long ago it last reported."""

    ONLINE = "online"
    STALE = "stale"  # a heartbeat or two missed: watch, no alert yet
    OFFLINE = "offline"  # silent past the offline timeout: one alert
    CLOSED = "closed"  # silent inside its closed hours: on purpose, no alert


class Kiosk(Base):
    """One terminal, as its last heartbeat described it (one row, updated in place)."""

    __tablename__ = "kiosk"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), default="")
    building_code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[str] = mapped_column(String(40), default="")
    started_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None] = mapped_column(index=True)
    uptime_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    # The screen: the page it shows (a route, never a tenant's data) and since when; and when
    # the browser last reported at all, so a screen that is on but frozen shows.
    last_page: Mapped[str] = mapped_column(String(200), default="")
    last_page_at: Mapped[datetime | None]
    screen_seen_at: Mapped[datetime | None]
    printers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    queue_depth: Mapped[int] = mapped_column(default=0)
    free_disk_bytes: Mapped[int | None] = mapped_column(BigInteger)
    closed_hours: Mapped[str] = mapped_column(String(11), default="")  # e.g. 23:00-06:00
    timezone: Mapped[str] = mapped_column(String(60), default="Asia/Shanghai")
    state: Mapped[KioskState] = mapped_column(_enum(KioskState), default=KioskState.ONLINE)
    state_since: Mapped[datetime] = mapped_column(default=utcnow)
    paused_message: Mapped[str | None] = mapped_column(Text)  # None: not paused
    banner: Mapped[str] = mapped_column(Text, default="")
    banner_until: Mapped[datetime | None]
    config_version: Mapped[int] = mapped_column(default=0)  # the central version it runs
    # An edge terminal's submissions not yet handed over, as it last said; None: not an edge.
    outbox_depth: Mapped[int | None]


class KioskAlert(Base):
    """A kiosk went down, or came back: raised once per change of state, then delivered."""

    __tablename__ = "kiosk_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # down, up
    state_from: Mapped[str] = mapped_column(String(20))
    state_to: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # Taken for sending until then (a lease, so two kiosks never send it at once), or, after a
    # failed try, not tried again before then.
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")


class CommandKind(enum.StrEnum):
    """What can be asked of a kiosk from afar."""

    TEST_PRINT = "test-print"
    RELOAD = "reload"
    ANNOUNCE = "announce"
    PAUSE = "pause"
    RESUME = "resume"
    SCREENSHOT = "screenshot"
    ROTATE_TOKEN = "rotate-token"  # noqa: S105 - a command's name, not a secret


class CommandStatus(enum.StrEnum):
    """Where a command is: queued until its kiosk picks it up, then done or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # nobody picked it up in time (the kiosk was off)


class KioskCommand(Base):
    """One command for one kiosk, with who sent it and what came back."""

    __tablename__ = "kiosk_command"
    __table_args__ = (Index("ix_kiosk_command_kiosk_status", "kiosk_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[CommandKind] = mapped_column(_enum(CommandKind))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[CommandStatus] = mapped_column(
        _enum(CommandStatus), default=CommandStatus.QUEUED
    )
    picked_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)  # a screenshot (PNG)


class ConfigVersion(Base):
    """The centrally set configuration of the whole fleet (`kiosk_id` "") or one kiosk: each
    change is a new row holding every central value of that scope, and what changed."""

    __tablename__ = "kiosk_config"
    __table_args__ = (Index("ix_kiosk_config_scope", "kiosk_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # the version number
    kiosk_id: Mapped[str] = mapped_column(String(40), default="")
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # name: [old, new]
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class KioskLog(Base):
    """A log record a kiosk kept in the shared database, for the on-call engineer to read."""

    __tablename__ = "kiosk_log"
    __table_args__ = (Index("ix_kiosk_log_kiosk_at", "kiosk_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(10))
    logger: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FleetChore(Base):
    """Work the fleet needs done once, not once per kiosk (judging every kiosk, pruning logs):
    whichever agent moves `due_at` on first does it."""

    __tablename__ = "fleet_chore"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    due_at: Mapped[datetime]  # not done again before then
    done_by: Mapped[str] = mapped_column(String(40))  # the kiosk that last took it
