"""Common problems (共性问题 / 会商): appeals of many companies grouped under one problem, owned
by a district's or the city's officer (指标长), with the meetings held on it and one answer
that reaches every appeal in it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.appeal import Appeal
from kiosk.models.base import Base, Timestamped
from kiosk.models.staff import Staff
from kiosk.models.unit import Unit


class ProblemState(enum.StrEnum):
    """Where a common problem is."""

    OPEN = "open"  # 办理中: meetings, progress, no answer yet
    ANSWERED = "answered"  # 已答复: the answer went to every appeal in it
    CLOSED = "closed"  # 已关闭: nothing more to do


class ProblemEventKind(enum.StrEnum):
    """What happened on a common problem's timeline."""

    CREATED = "created"
    ADDED = "added"  # appeals joined it
    REMOVED = "removed"  # an appeal left it
    MEETING = "meeting"  # a 会商会 was recorded
    PROGRESS = "progress"  # a note on progress
    ANSWERED = "answered"  # the answer went out
    CLOSED = "closed"
    REOPENED = "reopened"  # taken up again after an answer or a close


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class CommonProblem(Timestamped, Base):
    """Appeals of many companies taken up as one problem by the unit that owns it."""

    __tablename__ = "common_problem"
    __table_args__ = (Index("ix_common_problem_unit_id_state", "unit_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # a district or the city
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # 指标长
    state: Mapped[ProblemState] = mapped_column(_enum(ProblemState), default=ProblemState.OPEN)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    closed_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
    officer: Mapped[Staff | None] = relationship(foreign_keys=[officer_id])
    members: Mapped[list[ProblemAppeal]] = relationship(
        back_populates="problem", order_by="ProblemAppeal.id"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="problem", order_by="(Meeting.held_on.desc(), Meeting.id.desc())"
    )
    events: Mapped[list[ProblemEvent]] = relationship(
        back_populates="problem", order_by="ProblemEvent.id"
    )


class ProblemAppeal(Timestamped, Base):
    """One appeal in a common problem (an appeal is in at most one)."""

    __tablename__ = "common_problem_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("common_problem.id"), index=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # When the common answer last reached this appeal (its tenant told then, once).
    answered_at: Mapped[datetime | None]

    problem: Mapped[CommonProblem] = relationship(back_populates="members")
    appeal: Mapped[Appeal] = relationship()


class Meeting(Timestamped, Base):
    """A joint meeting (会商会) on a common problem: who came, what was decided, who does what
    by when."""

    __tablename__ = "common_problem_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("common_problem.id"), index=True)
    held_on: Mapped[date]
    # The departments present: unit ids (a list, read with the problem, never queried by).
    departments: Mapped[list[int]] = mapped_column(JSON, default=list)
    others: Mapped[str] = mapped_column(String(400), default="")  # anyone else present
    decisions: Mapped[str] = mapped_column(Text)
    # Who does what by when: [{"who": unit id or "", "what": text, "due": "YYYY-MM-DD"}].
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    problem: Mapped[CommonProblem] = relationship(back_populates="meetings")
    recorded_by: Mapped[Staff | None] = relationship()


class ProblemEvent(Timestamped, Base):
    """One entry in a common problem's timeline: its progress."""

    __tablename__ = "common_problem_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("common_problem.id"), index=True)
    kind: Mapped[ProblemEventKind] = mapped_column(_enum(ProblemEventKind))
    body: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    problem: Mapped[CommonProblem] = relationship(back_populates="events")
    staff: Mapped[Staff | None] = relationship()


class AppealWords(Base):
    """The words of an appeal's description, cut once (jieba), for finding similar appeals;
    an appeal without words to match has a row with none, so it is not cut again."""

    __tablename__ = "appeal_words"

    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), primary_key=True)
    words: Mapped[str] = mapped_column(Text, default="")  # space-separated, each once


class AppealWord(Base):
    """One word of an open appeal, as kept in `AppealWords`: the index similar appeals are found
    by (the open appeals that use a word, without reading every open appeal's words). An appeal
    is in it while it is open: cut while open, or reopened (kiosk/models/appeal_word_hooks.py)."""

    __tablename__ = "appeal_word"
    # SQLite keeps the rows in the order of the key: one word's appeals are read together.
    __table_args__ = ({"sqlite_with_rowid": False},)

    word: Mapped[str] = mapped_column(Text, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), primary_key=True, index=True)


def word_rows(appeal_id: int, words: str) -> list[dict[str, Any]]:
    """The index's rows for an appeal's kept words (space-separated)."""
    return [{"word": word, "appeal_id": appeal_id} for word in dict.fromkeys(words.split())]
