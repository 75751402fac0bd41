"""common problems (共性问题 / 会商): appeals grouped under one problem, its meetings and timeline

Adds `common_problem` (owned by a district or the city, its officer 指标长, state, the one
answer), `common_problem_appeal` (each appeal in at most one, and when the answer reached it),
`common_problem_meeting` (date, departments present, decisions, who does what by when),
`common_problem_event` (its progress), and `appeal_words`: each appeal's description cut into
words once, for finding similar appeals; the words of every existing appeal are cut here.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
FILL_BATCH = 2_000  # appeals cut per statement


def _staff(table: str, column: str) -> list[SchemaItem]:
    return [
        sa.Column(column, sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint([column], ["staff.id"], name=op.f(f"fk_{table}_{column}_staff")),
    ]


def _problem(table: str) -> list[SchemaItem]:
    return [
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["common_problem.id"],
            name=op.f(f"fk_{table}_problem_id_common_problem"),
        ),
    ]


def upgrade() -> None:
    states = sa.Enum(
        "open", "answered", "closed", name="problemstate", native_enum=False, length=20
    )
    op.create_table(
        "common_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        *_staff("common_problem", "officer_id"),
        sa.Column("state", states, nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", WHEN, nullable=True),
        *_staff("common_problem", "answered_by_id"),
        *_staff("common_problem", "created_by_id"),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_common_problem_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_common_problem")),
    )
    op.create_index("ix_common_problem_unit_id_state", "common_problem", ["unit_id", "state"])
    op.create_table(
        "common_problem_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        *_problem("common_problem_appeal"),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        *_staff("common_problem_appeal", "added_by_id"),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_common_problem_appeal_appeal_id_appeal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_common_problem_appeal")),
        sa.UniqueConstraint("appeal_id", name=op.f("uq_common_problem_appeal_appeal_id")),
    )
    op.create_index(
        op.f("ix_common_problem_appeal_problem_id"), "common_problem_appeal", ["problem_id"]
    )
    op.create_table(
        "common_problem_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        *_problem("common_problem_meeting"),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("others", sa.String(length=400), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        *_staff("common_problem_meeting", "recorded_by_id"),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_common_problem_meeting")),
    )
    op.create_index(
        op.f("ix_common_problem_meeting_problem_id"), "common_problem_meeting", ["problem_id"]
    )
    kinds = ("created", "added", "removed", "meeting", "progress", "answered", "closed", "reopened")
    op.create_table(
        "common_problem_event",
        sa.Column("id", sa.Integer(), nullable=False),
        *_problem("common_problem_event"),
        sa.Column(
            "kind",
            sa.Enum(*kinds, name="problemeventkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        *_staff("common_problem_event", "staff_id"),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_common_problem_event")),
    )
    op.create_index(
        op.f("ix_common_problem_event_problem_id"), "common_problem_event", ["problem_id"]
    )
    op.create_table(
        "appeal_words",
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_appeal_words_appeal_id_appeal")
        ),
        sa.PrimaryKeyConstraint("appeal_id", name=op.f("pk_appeal_words")),
    )
    _fill_words()


def _fill_words() -> None:
    """Cut the words of every appeal there is (jieba is loaded only when there is one)."""
    connection = op.get_bind()
    appeal = sa.table("appeal", sa.column("id", sa.Integer), sa.column("description", sa.Text))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(appeal.c.id, appeal.c.description)
            .where(appeal.c.id > last)
            .order_by(appeal.c.id)
            .limit(FILL_BATCH)
        ).all()
        if not rows:
            return
        from kiosk.services.common_problems.words import fill

        fill(connection, [(row.id, row.description) for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    op.drop_table("appeal_words")
    for table in ("common_problem_event", "common_problem_meeting", "common_problem_appeal"):
        op.drop_index(op.f(f"ix_{table}_problem_id"), table_name=table)
        op.drop_table(table)
    op.drop_index("ix_common_problem_unit_id_state", table_name="common_problem")
    op.drop_table("common_problem")
