"""Visits (走访): an officer's visit to a company, the problems raised there (each an appeal in
the ledger) and the policies handed over (送政策上门); and the codes that confirm a mobile
number on the phone's appeal form.

A policy handed over is told once per company: the record of who told it and when is the
policy's `PolicyNotice` (the same one the policy's page marks), and `VisitPolicy` says at which
visit it was handed over.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, Timestamped

if TYPE_CHECKING:
    from kiosk.models.appeal import Appeal
    from kiosk.models.building import Tenant
    from kiosk.models.policy import Policy
    from kiosk.models.staff import Staff


class Visit(Timestamped, Base):
    """One visit to one company, filed under the company's unit (and its building's code)."""

    __tablename__ = "visit"
    __table_args__ = (
        # A company's visits, newest first; an officer's visits.
        Index("ix_visit_tenant_id_visited_on", "tenant_id", "visited_on"),
        Index("ix_visit_officer_id_visited_on", "officer_id", "visited_on"),
        # The figures: a period's visits and distinct companies, per building (migration 0026).
        Index("ix_visit_figures", "visited_on", "building_code", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)  # ZF-20261207-0001
    # The form's one-time key: the same form sent twice records one visit.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    # Copied from the company when visited: the scope reads these without a join.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    building_code: Mapped[str] = mapped_column(String(40), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    visited_on: Mapped[date]
    met: Mapped[str] = mapped_column(String(100))  # who was met, e.g. 李总（总经理）
    discussed: Mapped[str] = mapped_column(Text)  # what was talked about

    tenant: Mapped[Tenant] = relationship()
    officer: Mapped[Staff] = relationship()
    problems: Mapped[list[VisitProblem]] = relationship(
        back_populates="visit", order_by="VisitProblem.id"
    )
    policies: Mapped[list[VisitPolicy]] = relationship(
        back_populates="visit", order_by="VisitPolicy.id"
    )


class VisitProblem(Base):
    """A problem raised at a visit: an appeal in the ledger (source "visit")."""

    __tablename__ = "visit_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), unique=True)

    visit: Mapped[Visit] = relationship(back_populates="problems")
    appeal: Mapped[Appeal] = relationship()


class VisitPolicy(Base):
    """A policy handed over at a visit (its PolicyNotice says who told the company, and when)."""

    __tablename__ = "visit_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)

    visit: Mapped[Visit] = relationship(back_populates="policies")
    policy: Mapped[Policy] = relationship()


class PhoneCode(Timestamped, Base):
    """A code sent by SMS to confirm the mobile of an appeal typed on a phone.

    The code is kept only as an HMAC under the app's secret key; the draft appeal waits here
    until the code is confirmed (then it is cleared). Rows stay, without the draft, so that
    codes sent can be counted per number and per address (resend limits)."""

    __tablename__ = "phone_code"
    __table_args__ = (
        Index("ix_phone_code_mobile_key_created_at", "mobile_key", "created_at"),
        Index("ix_phone_code_address_key_created_at", "address_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the confirm page's link
    building_code: Mapped[str] = mapped_column(String(40))
    code_hash: Mapped[str] = mapped_column(String(64))
    # HMACs of the mobile and of the sender's address: counted, never shown.
    mobile_key: Mapped[str] = mapped_column(String(64))
    address_key: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    sends: Mapped[int] = mapped_column(default=1)  # codes sent for this draft (resends + 1)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeal.id"))  # once confirmed
