"""Appeals (诉求 / 企业哨): a problem a tenant raises, and its timeline."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, Timestamped
from kiosk.models.building import Tenant
from kiosk.models.handoff import AssignmentState, Callback, Source
from kiosk.models.staff import Staff


def _enum(cls: type[enum.Enum]) -> Enum:
    """Store an enum by its value, as a checked string (portable, readable in SQL)."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class AppealStatus(enum.StrEnum):
    """Where an appeal is in the ledger."""

    NEW = "new"  # 待受理
    ACCEPTED = "accepted"  # 办理中
    REOPENED = "reopened"  # 重新办理: the tenant said it is not resolved
    RESOLVED = "resolved"  # 已办结, waiting for the tenant's rating
    CLOSED = "closed"  # 已评价

    @property
    def is_open(self) -> bool:
        """Whether staff still owe the tenant an answer."""
        return self in (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)


class Rating(enum.StrEnum):
    """The tenant's rating of the answer."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class EventKind(enum.StrEnum):
    """What happened on an appeal's timeline."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    REPLY = "reply"
    NOTE = "note"  # internal: never shown to the tenant
    RESOLVED = "resolved"
    REOPENED = "reopened"
    RATED = "rated"
    HANDED_OFF = "handed_off"  # 交办 to a department (internal, like every hand-off step)
    HANDOFF_ACCEPTED = "handoff_accepted"
    HANDOFF_RETURNED = "handoff_returned"  # "not ours": back with the unit that sent it
    DEPT_REPLY = "dept_reply"  # the department's reply, waiting for review
    SENT_BACK = "sent_back"  # the reviewer asked the department to answer again
    PUBLISHED = "published"  # the reviewer published the department's reply
    URGED = "urged"  # 催办
    CALLBACK = "callback"  # 回访


class AppealCategory(Base):
    """A kind of problem (政策兑现, 市场监管, …); staff configure the list."""

    __tablename__ = "appeal_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # The department a problem of this kind is usually handed to (offered first at a hand-off).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    def name(self, locale: str) -> str:
        """The category's name in the given locale."""
        return self.name_en if locale == "en" else self.name_zh


class Appeal(Timestamped, Base):
    """A problem a tenant raised at a kiosk."""

    __tablename__ = "appeal"
    __table_args__ = (
        Index("ix_appeal_status_id", "status", "id"),
        # Similar appeals: the open ones with what they are scored on, read from the index alone.
        Index(
            "ix_appeal_status_id_category_building", "status", "id", "category_id", "building_code"
        ),
        Index("ix_appeal_category_id_id", "category_id", "id"),
        # The overdue filter: open statuses with a due date before today.
        Index("ix_appeal_status_due_date", "status", "due_date"),
        # The follow-up queue and its counts: 不满意 ratings by status and due date.
        Index("ix_appeal_rating_status_due_date", "rating", "status", "due_date"),
        # The ledger's filters by source and by the lead department, and its hand-off timing.
        Index("ix_appeal_source_id", "source", "id"),
        Index("ix_appeal_department_id_id", "department_id", "id"),
        Index("ix_appeal_handoff_state_handoff_due_on", "handoff_state", "handoff_due_on"),
        # The programme's figures read a period's appeals by when they were raised, solved and
        # rated; each index holds every column its count needs, so a period is one index range.
        Index(
            "ix_appeal_figures_raised",
            "created_at",
            "building_code",
            "category_id",
            "source",
            "status",
        ),
        Index(
            "ix_appeal_figures_solved",
            "resolved_at",
            "building_code",
            "category_id",
            "source",
            "due_date",
            "created_at",
            "status",
        ),
        Index("ix_appeal_figures_rated", "rated_at", "rating", "building_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(40))
    building_code: Mapped[str] = mapped_column(String(40), index=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    company_name: Mapped[str] = mapped_column(String(100))
    company_uscc: Mapped[str] = mapped_column(String(18), default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("appeal_category.id"))
    description: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_mobile: Mapped[str] = mapped_column(String(11))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    status: Mapped[AppealStatus] = mapped_column(_enum(AppealStatus), default=AppealStatus.NEW)
    due_date: Mapped[date]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    resolved_at: Mapped[datetime | None]
    rating: Mapped[Rating | None] = mapped_column(_enum(Rating))
    rating_reason: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None]  # when the tenant rated: opens the window to reopen
    reopen_count: Mapped[int] = mapped_column(default=0)
    source: Mapped[Source] = mapped_column(
        _enum(Source), default=Source.KIOSK, server_default=Source.KIOSK.value
    )
    # The lead hand-off (kiosk.models.handoff), copied here so the ledger walks one table.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    handed_off_on: Mapped[date | None]
    handoff_due_on: Mapped[date | None]
    handoff_state: Mapped[AssignmentState | None] = mapped_column(_enum(AssignmentState))
    # The officer's follow-up call (回访) after it was resolved, beside the tenant's rating.
    callback: Mapped[Callback | None] = mapped_column(_enum(Callback))
    callback_at: Mapped[datetime | None]

    tenant: Mapped[Tenant | None] = relationship()
    category: Mapped[AppealCategory] = relationship()
    assignee: Mapped[Staff | None] = relationship()
    events: Mapped[list[AppealEvent]] = relationship(
        back_populates="appeal", order_by="AppealEvent.id", cascade="all, delete-orphan"
    )


class AppealEvent(Timestamped, Base):
    """One entry in an appeal's timeline."""

    __tablename__ = "appeal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    public: Mapped[bool]  # shown on the tenant's status page; internal notes never are
    body: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    appeal: Mapped[Appeal] = relationship(back_populates="events")
    staff: Mapped[Staff | None] = relationship()


class ReferenceCounter(Base):
    """The last number handed out for a reference prefix on a day; never goes down."""

    __tablename__ = "reference_counter"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD, kiosk local time
    value: Mapped[int]
