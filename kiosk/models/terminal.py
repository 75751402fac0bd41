"""What the touchscreen shows besides tasks: announcements, and phone hand-offs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.models.base import Base, Timestamped


class Announcement(Timestamped, Base):
    """A notice staff put on the attract screen (e.g. 驿站春节期间正常开放), for a time."""

    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_code: Mapped[str] = mapped_column(String(40), index=True)
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    def text(self, locale: str) -> str:
        """The announcement in the given locale (Chinese when there is no English)."""
        return self.text_en if locale == "en" and self.text_en else self.text_zh


class HandOff(Base):
    """One field of a kiosk form, handed to the tenant's phone to fill in (5 minutes, one use).

    The phone's link carries `token`; only its SHA-256 is stored. `session_key` ties the
    hand-off to the terminal session that asked for it, which alone may read the text, and
    which deletes it when it is wiped.
    """

    __tablename__ = "hand_off"
    __table_args__ = (Index("ix_hand_off_session_key", "session_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_key: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200), default="")
    max_chars: Mapped[int] = mapped_column(default=1000)
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
