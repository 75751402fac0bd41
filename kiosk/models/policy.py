"""Business-support policies (惠企政策): the catalogue, who was told about one, and claims."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.appeal import _enum
from kiosk.models.base import Base, Timestamped
from kiosk.models.building import Tenant
from kiosk.models.staff import Staff


class PolicyLevel(enum.StrEnum):
    """Who issued a policy, from the top."""

    NATIONAL = "national"  # 国家
    PROVINCE = "province"  # 省
    CITY = "city"  # 市
    DISTRICT = "district"  # 区


class Benefit(enum.StrEnum):
    """What a policy gives."""

    SUBSIDY = "subsidy"  # 资金补贴
    TAX_RELIEF = "tax_relief"  # 税费减免
    LOAN_INTEREST = "loan_interest"  # 贷款贴息
    RENT_RELIEF = "rent_relief"  # 房租减免
    TALENT = "talent"  # 人才支持
    OTHER = "other"  # 其他


class Window(enum.StrEnum):
    """Whether a policy can be applied for today (derived from its dates)."""

    OPEN = "open"  # 申报中
    UPCOMING = "upcoming"  # 即将开始
    CLOSED = "closed"  # 已截止


class Policy(Timestamped, Base):
    """One policy of the city's compilation, with its conditions as fields a computer can test.

    A condition left empty (no industries, no size bands, no district, no minimum) holds for
    every company. The masks are the industry and size lists as bits, so the database can
    leave out what a company plainly does not qualify for (see kiosk.services.policies).
    """

    __tablename__ = "policy"
    __table_args__ = (Index("ix_policy_active_closes", "active", "closes_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the compilation's own number
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(100))
    level: Mapped[PolicyLevel] = mapped_column(_enum(PolicyLevel), index=True)
    doc_number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    published_on: Mapped[date]
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]  # None: open all year
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)  # GB/T 4754 sections
    industry_mask: Mapped[int] = mapped_column(default=0)
    size_bands: Mapped[list[str]] = mapped_column(JSON, default=list)
    size_mask: Mapped[int] = mapped_column(default=0)
    district: Mapped[str] = mapped_column(String(40), default="")
    min_years: Mapped[int | None]
    min_employees: Mapped[int | None]
    other_conditions: Mapped[str] = mapped_column(Text, default="")
    benefit: Mapped[Benefit] = mapped_column(_enum(Benefit), index=True)
    max_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # yuan
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)  # False: withdrawn, kept for claims
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    def window(self, today: date) -> Window:
        """Whether the policy can be applied for on `today`."""
        if self.closes_on is not None and today > self.closes_on:
            return Window.CLOSED
        if self.opens_on is not None and today < self.opens_on:
            return Window.UPCOMING
        return Window.OPEN


class PolicyNotice(Timestamped, Base):
    """Staff told a company about a policy (政策找人: the policy went to the company)."""

    __tablename__ = "policy_notice"
    __table_args__ = (UniqueConstraint("policy_id", "tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    policy: Mapped[Policy] = relationship()
    tenant: Mapped[Tenant] = relationship()
    staff: Mapped[Staff | None] = relationship()


class BenefitClaim(Base):
    """A claim (申报) under a policy, tracked to the money: one per claim application.

    The application (task "claim") carries the reference, the status page and staff's decision;
    this row carries the policy and the amounts, so the sum paid can be added up in SQL.
    """

    __tablename__ = "benefit_claim"

    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    amount_requested: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # yuan
    amount_granted: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date | None] = mapped_column(index=True)
    paid_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    policy: Mapped[Policy] = relationship()


def outside_search_index(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's include_name: the full-text index tables (policy_fts and, on SQLite, its shadow
    tables) are made by hand in the migration, not from a model, so comparisons skip them."""
    return not (type_ == "table" and name is not None and name.startswith("policy_fts"))
