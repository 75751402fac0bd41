"""Applications (办事): registrations, address changes, union and tax applications, bookings.

One table holds every kind: what a tenant answered is kept as the task's answers (resident ID
numbers sealed, see kiosk.pii), and the task's own module says what they mean.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.appeal import _enum
from kiosk.models.base import Base, Timestamped
from kiosk.models.building import Building, Tenant
from kiosk.models.staff import Staff


class ApplicationStatus(enum.StrEnum):
    """Where an application is."""

    SUBMITTED = "submitted"  # 待审核: waiting for staff
    CHANGES_REQUESTED = "changes_requested"  # 待补正: staff asked the tenant to fix something
    APPROVED = "approved"  # 已通过 (a booking is approved when it is made)
    REJECTED = "rejected"  # 未通过
    CANCELLED = "cancelled"  # 已取消: a booking given up

    @property
    def is_open(self) -> bool:
        """Whether staff still have to decide."""
        return self is ApplicationStatus.SUBMITTED


class ApplicationEventKind(enum.StrEnum):
    """What happened to an application."""

    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"  # the tenant fixed what staff asked for
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    OVERRIDE = "override"  # staff accepted a code that fails its checksum (internal)
    COLLECTED = "collected"  # the licence was printed at a kiosk
    PAID = "paid"  # a claim's granted amount was paid


class Application(Timestamped, Base):
    """One application a tenant made at a kiosk."""

    __tablename__ = "application"
    __table_args__ = (
        Index("ix_application_status_id", "status", "id"),
        Index("ix_application_task_status", "task", "status"),
        # The figures: applications approved in a period.
        Index("ix_application_decided_at_status", "decided_at", "status", "building_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the status page's link
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    task: Mapped[str] = mapped_column(String(30))
    kiosk_id: Mapped[str] = mapped_column(String(40))
    building_code: Mapped[str] = mapped_column(String(40), index=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    company_name: Mapped[str] = mapped_column(String(100), index=True)
    company_uscc: Mapped[str] = mapped_column(String(18), default="", index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    status: Mapped[ApplicationStatus] = mapped_column(
        _enum(ApplicationStatus), default=ApplicationStatus.SUBMITTED
    )
    pickup_code: Mapped[str] = mapped_column(String(6))  # shown on the slip and status page
    fix_steps: Mapped[list[str]] = mapped_column(JSON, default=list)  # what staff asked to fix
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    issued_uscc: Mapped[str] = mapped_column(String(18), default="")  # a registration's new code
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_slot.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)  # 2 after the first fix, and so on

    tenant: Mapped[Tenant | None] = relationship()
    decided_by: Mapped[Staff | None] = relationship()
    slot: Mapped[InvoiceSlot | None] = relationship()
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application",
        order_by="ApplicationEvent.id",
        cascade="all, delete-orphan",
    )


class ApplicationEvent(Timestamped, Base):
    """One entry in an application's history."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[ApplicationEventKind] = mapped_column(_enum(ApplicationEventKind))
    public: Mapped[bool]  # shown on the tenant's status page
    body: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    application: Mapped[Application] = relationship(back_populates="events")
    staff: Mapped[Staff | None] = relationship()


class Room(Base):
    """A floor and room of the building that can be a registered address."""

    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("building_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    floor: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))  # as on the door: 1203, B2-05
    active: Mapped[bool] = mapped_column(default=True)

    building: Mapped[Building] = relationship()


class InvoiceSlot(Timestamped, Base):
    """A time at the tax desk when tenants may collect invoices (发票领用), with room for some."""

    __tablename__ = "invoice_slot"
    __table_args__ = (Index("ix_invoice_slot_building_starts", "building_code", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_code: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)  # changed only by a guarded UPDATE
    desk: Mapped[str] = mapped_column(String(60), default="")


class LicenceStatus(enum.StrEnum):
    """Whether a licence is the company's current one."""

    CURRENT = "current"
    SUPERSEDED = "superseded"  # a later licence replaced it (e.g. after an address change)
    REVOKED = "revoked"


class Licence(Timestamped, Base):
    """A business licence (营业执照) the registration authority issued, as printed here."""

    __tablename__ = "licence"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    company_type: Mapped[str] = mapped_column(String(60))
    legal_representative: Mapped[str] = mapped_column(String(50))
    registered_capital: Mapped[Decimal] = mapped_column(Numeric(16, 2))  # yuan
    address: Mapped[str] = mapped_column(String(200))
    business_scope: Mapped[str] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(100))
    established: Mapped[date]
    issue_date: Mapped[date]
    verify_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[LicenceStatus] = mapped_column(
        _enum(LicenceStatus), default=LicenceStatus.CURRENT
    )

    tenant: Mapped[Tenant] = relationship()
    prints: Mapped[list[LicencePrint]] = relationship(
        back_populates="licence", order_by="LicencePrint.id"
    )


class LicencePrint(Timestamped, Base):
    """A licence printed (or refused by the printer) at a kiosk."""

    __tablename__ = "licence_print"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licence.id"), index=True)
    kiosk_id: Mapped[str] = mapped_column(String(40))
    printed: Mapped[bool]
    error: Mapped[str] = mapped_column(Text, default="")

    licence: Mapped[Licence] = relationship(back_populates="prints")
