"""Buildings and the companies in them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, Timestamped


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
    """A company in the building, keyed by its unified social credit code (USCC)."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    floor_room: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # What policies ask about a company; None or "" is "not known" (matching says so).
    industry: Mapped[str] = mapped_column(String(1), default="")  # GB/T 4754 section, A-T
    size_band: Mapped[str] = mapped_column(String(10), default="")  # micro, small, medium, large
    founded_on: Mapped[date | None]
    employees: Mapped[int | None]

    building: Mapped[Building] = relationship(back_populates="tenants")
