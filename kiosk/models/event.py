"""Events for the building's companies (营商课堂, training, matchmaking) and sign-ups."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.appeal import _enum
from kiosk.models.base import Base, Timestamped
from kiosk.models.building import Tenant


class EventType(enum.StrEnum):
    """What kind of event."""

    CLASS = "class"  # 营商课堂
    TRAINING = "training"  # 培训
    MATCHMAKING = "matchmaking"  # 供需 / 融资对接
    OTHER = "other"


class SignupStatus(enum.StrEnum):
    """Where a sign-up is."""

    CONFIRMED = "confirmed"  # 已报名: has a seat
    WAITING = "waiting"  # 候补: waits for a seat to free up
    CANCELLED = "cancelled"  # 已取消


class Event(Timestamped, Base):
    """An event staff published for the companies of one building (or all of them)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_starts", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_code: Mapped[str] = mapped_column(String(40), default="")  # "": every building
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventType] = mapped_column(_enum(EventType))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int]
    audience: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=True)
    cancelled: Mapped[bool] = mapped_column(default=False)
    confirmed: Mapped[int] = mapped_column(default=0)  # seats taken, changed with the sign-ups


class EventSignup(Timestamped, Base):
    """A company signed up for an event, with a seat or on the waiting list."""

    __tablename__ = "event_signup"
    __table_args__ = (Index("ix_event_signup_event_status", "event_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the status page's link
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(40))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    company_name: Mapped[str] = mapped_column(String(100))
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    mobile: Mapped[str] = mapped_column(String(20))
    status: Mapped[SignupStatus] = mapped_column(_enum(SignupStatus))
    cancelled_at: Mapped[datetime | None]
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")

    event: Mapped[Event] = relationship()
    tenant: Mapped[Tenant | None] = relationship()
