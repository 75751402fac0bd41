"""Hand-offs (交办): an appeal handed by a building's or district's officer to a department,
with a time limit in working days; the department's reply is reviewed before the tenant sees it.

(`HandOff` in kiosk.models.terminal is a phone hand-off of a terminal session; this is
`Assignment`, table `appeal_assignment`.)
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, Timestamped
from kiosk.models.staff import Staff
from kiosk.models.unit import Unit

if TYPE_CHECKING:
    from kiosk.models.appeal import Appeal


class AssignmentState(enum.StrEnum):
    """Where a hand-off is: sent → accepted → replied → published (or sent back, or returned)."""

    SENT = "sent"  # 已交办: waiting for the department to accept
    ACCEPTED = "accepted"  # 办理中 at the department
    RETURNED = "returned"  # 退回: "not ours", back with the unit that sent it
    REPLIED = "replied"  # 已答复: waiting for the sending unit's review
    SENT_BACK = "sent_back"  # 退回修改: the reviewer asked the department to answer again
    PUBLISHED = "published"  # 已发布: the tenant sees the reply

    @property
    def is_open(self) -> bool:
        """Whether the department owes an answer (what its due date and reminders are about)."""
        return self in OWED


OWED = (AssignmentState.SENT, AssignmentState.ACCEPTED, AssignmentState.SENT_BACK)
# Still in play: owed by the department, or waiting for the review.
LIVE = (*OWED, AssignmentState.REPLIED)


class Source(enum.StrEnum):
    """Where an appeal came from (问题来源)."""

    KIOSK = "kiosk"  # the lobby terminal (every appeal before sources were recorded)
    VISIT = "visit"  # an officer's visit to the company (走访)
    PHONE = "phone"  # the company's phone, through a QR code
    HOTLINE = "hotline"  # a 12345 hotline call entered by staff


class Callback(enum.StrEnum):
    """An officer's follow-up call (回访) after the appeal was resolved."""

    UNREACHED = "unreached"  # 未联系上
    SATISFIED = "satisfied"  # 联系上, 满意
    DISSATISFIED = "dissatisfied"  # 联系上, 不满意


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Assignment(Timestamped, Base):
    """One department's part of an appeal: the lead department, or a co-handling one."""

    __tablename__ = "appeal_assignment"
    __table_args__ = (
        # A department's queue (and its scope: the appeals handed to it).
        Index("ix_appeal_assignment_department_id_state", "department_id", "state"),
        # Reminders and the overdue lists: open hand-offs by due date.
        Index("ix_appeal_assignment_state_due_on", "state", "due_on"),
        Index("ix_appeal_assignment_from_unit_id_state", "from_unit_id", "state"),
        # The figures by department: hand-offs by when they were made and closed.
        Index("ix_appeal_assignment_figures_handed", "created_at", "department_id", "lead"),
        Index("ix_appeal_assignment_figures_closed", "closed_at", "department_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), index=True)
    # The appeal's building, copied so the scope reads this table without a join.
    building_code: Mapped[str] = mapped_column(String(40), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    lead: Mapped[bool] = mapped_column(default=True)  # False: a co-handling department (协办)
    state: Mapped[AssignmentState] = mapped_column(
        _enum(AssignmentState), default=AssignmentState.SENT
    )
    due_on: Mapped[date]
    working_days: Mapped[int]
    handed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    accepted_at: Mapped[datetime | None]
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # who accepted it
    reply: Mapped[str] = mapped_column(Text, default="")
    asks_info: Mapped[bool] = mapped_column(default=False)  # the reply asks the company for more
    replied_at: Mapped[datetime | None]
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    review_note: Mapped[str] = mapped_column(Text, default="")  # why it was last sent back
    reviewed_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]  # returned or published
    urge_count: Mapped[int] = mapped_column(default=0)
    last_urged_at: Mapped[datetime | None]

    appeal: Mapped[Appeal] = relationship("Appeal")
    department: Mapped[Unit] = relationship(foreign_keys=[department_id])
    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id])
    handler: Mapped[Staff | None] = relationship(foreign_keys=[handler_id])
    handed_by: Mapped[Staff | None] = relationship(foreign_keys=[handed_by_id])
