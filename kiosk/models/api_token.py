"""Bearer tokens for the maintenance API: one per kiosk or per maintainer, stored hashed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.models.appeal import _enum
from kiosk.models.base import Base, Timestamped


class Scope(enum.StrEnum):
    """What a token may do; each scope includes the ones before it."""

    READ = "read"  # look: the fleet, printers, jobs, logs
    OPERATE = "operate"  # act: retry and cancel jobs, send commands
    ADMIN = "admin"  # change configuration, manage tokens

    @property
    def rank(self) -> int:
        """Order of privilege, for "at least this scope" checks."""
        return list(Scope).index(self)


class ApiToken(Timestamped, Base):
    """A token as `lk_<key>_<secret>`: the key finds the row, the secret is kept only as its
    SHA-256 (the secret is 256 random bits, so a slow password hash would add nothing but time
    to every request)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[Scope] = mapped_column(_enum(Scope))
    kiosk_id: Mapped[str] = mapped_column(String(40), default="")  # "": a maintainer's token
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    uses: Mapped[int] = mapped_column(default=0)
