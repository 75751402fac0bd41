"""Buildings and the companies in them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.db import utcnow
from kiosk.models.base import Base, Timestamped

if TYPE_CHECKING:
    from kiosk.models.application import Room
    from kiosk.models.staff import Staff
    from kiosk.models.unit import Unit


class Building(Timestamped, Base):
    """An office tower with one or more kiosks in its lobby."""

    __tablename__ = "building"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    address_zh: Mapped[str] = mapped_column(String(200), default="")
    address_en: Mapped[str] = mapped_column(String(300), default="")
    district: Mapped[str] = mapped_column(String(40), default="")  # 区, as policies name it

    tenants: Mapped[list[Tenant]] = relationship(back_populates="building")


class Tenant(Timestamped, Base):
    """A company on a unit's list (联系企业清单), keyed by its unified social credit code (USCC):
    in a building, or outside any building (a company officers visit)."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The building it stands in; none for a company outside any building.
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    # The unit whose company list it is on: its building's unit, or a street, park or district.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    floor_room: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # What policies ask about a company; None or "" is "not known" (matching says so).
    industry: Mapped[str] = mapped_column(String(1), default="")  # GB/T 4754 section, A-T
    size_band: Mapped[str] = mapped_column(String(10), default="")  # micro, small, medium, large
    founded_on: Mapped[date | None]
    employees: Mapped[int | None]
    legal_representative: Mapped[str] = mapped_column(String(60), default="", server_default="")
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # × 10,000 yuan
    contact_name: Mapped[str] = mapped_column(String(60), default="", server_default="")
    contact_mobile: Mapped[str] = mapped_column(String(11), default="", server_default="")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    # The liaison officer (联企干部) linked to the company.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    moved_out_at: Mapped[datetime | None]
    # When the row last changed, for the maintenance API's `updated_since` (a city's tools copy
    # the list and then fetch only what changed).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    building: Mapped[Building | None] = relationship(back_populates="tenants")
    unit: Mapped[Unit | None] = relationship()
    room: Mapped[Room | None] = relationship()
    officer: Mapped[Staff | None] = relationship(foreign_keys=[officer_id])


class TenantMove(Base):
    """One change of where a company is: moved in, between rooms, out (its history of rooms)."""

    __tablename__ = "tenant_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20))  # in, room, out
    from_building: Mapped[str] = mapped_column(String(40), default="")
    from_place: Mapped[str] = mapped_column(String(40), default="")
    to_building: Mapped[str] = mapped_column(String(40), default="")
    to_place: Mapped[str] = mapped_column(String(40), default="")
    # What moved it: "admin", an application's reference (registration, address change) …
    source: Mapped[str] = mapped_column(String(60), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
