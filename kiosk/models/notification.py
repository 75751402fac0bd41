"""The message outbox: an SMS or a group-robot post is a durable row before it leaves."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db import utcnow
from kiosk.models.base import Base, Timestamped


class Channel(enum.StrEnum):
    """Where a message goes."""

    SMS = "sms"  # a mobile number, through the configured SMS provider (log-only by default)
    WECOM = "wecom"  # the 企业微信 group robot's webhook
    DINGTALK = "dingtalk"  # the 钉钉 custom robot's webhook
    LOG = "log"  # staff news with no robot configured: written to the log only


class MessageState(enum.StrEnum):
    """Where a message is."""

    QUEUED = "queued"  # waiting for the worker (first try or a retry after back-off)
    SENDING = "sending"  # claimed by a worker; the request may be on its way
    SENT = "sent"  # the provider took it (or, for the log provider, it was logged)
    FAILED = "failed"  # refused for good, out of tries, or its worker died mid-send: staff decide


class Notification(Timestamped, Base):
    """One message in the outbox."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_notification_subject", "subject_type", "subject_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(
        Enum(Channel, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    audience: Mapped[str] = mapped_column(String(10))  # "tenant" or "staff"
    # The mobile an SMS goes to, kept only until it has gone (an appeal keeps its own copy);
    # staff always see `recipient_masked`. Robots' addresses live in the settings, not here.
    recipient: Mapped[str] = mapped_column(String(20), default="")
    recipient_masked: Mapped[str] = mapped_column(String(80), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    template: Mapped[str] = mapped_column(String(40))  # an event, e.g. "appeal_answered"
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Names the event the message tells of: a second enqueue of the same event does nothing.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    subject_type: Mapped[str] = mapped_column(String(20), default="")  # e.g. "appeal"
    subject_ref: Mapped[str] = mapped_column(String(40), default="")  # e.g. its reference
    building_code: Mapped[str] = mapped_column(String(40), index=True)
    state: Mapped[MessageState] = mapped_column(
        Enum(
            MessageState,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=MessageState.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(20), default="")  # who took it: "aliyun", "log"
    provider_message_id: Mapped[str] = mapped_column(String(100), default="")
    # The worker holding a SENDING message ("host:pid:nonce") and since when; `sending_at` is
    # set just before the request leaves: a message whose worker died after it may have
    # arrived, so it is never sent again without a person deciding.
    claimed_by: Mapped[str] = mapped_column(String(80), default="")
    claimed_at: Mapped[datetime | None]
    sending_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
