"""hand-offs of appeals to departments; every appeal's source; the follow-up call

Adds `appeal_assignment`: an appeal handed by a unit to a department (lead or co-handling),
its state (sent, accepted, returned, replied, sent back, published), due date in working days,
the department's reply and the sending unit's review. Appeals gain their `source` (kiosk,
visit, phone, hotline; every existing appeal came from a kiosk), the lead hand-off's
department, dates and state copied for the ledger, and the officer's follow-up call (回访).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

STATES = ("sent", "accepted", "returned", "replied", "sent_back", "published")


def _state(name: str) -> sa.Enum:
    return sa.Enum(*STATES, name=name, native_enum=False, length=20)


def _staff(column: str) -> list[SchemaItem]:
    return [
        sa.Column(column, sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            [column], ["staff.id"], name=op.f(f"fk_appeal_assignment_{column}_staff")
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "appeal_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("building_code", sa.String(length=40), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("state", _state("assignmentstate"), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        *_staff("handed_by_id"),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        *_staff("handler_id"),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("asks_info", sa.Boolean(), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        *_staff("replied_by_id"),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        *_staff("reviewer_id"),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("urge_count", sa.Integer(), nullable=False),
        sa.Column("last_urged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_appeal_assignment_appeal_id_appeal")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["unit.id"], name=op.f("fk_appeal_assignment_department_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["from_unit_id"], ["unit.id"], name=op.f("fk_appeal_assignment_from_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_assignment")),
    )
    with op.batch_alter_table("appeal_assignment") as batch:
        batch.create_index(batch.f("ix_appeal_assignment_appeal_id"), ["appeal_id"])
        batch.create_index(batch.f("ix_appeal_assignment_building_code"), ["building_code"])
        batch.create_index("ix_appeal_assignment_department_id_state", ["department_id", "state"])
        batch.create_index("ix_appeal_assignment_state_due_on", ["state", "due_on"])
        batch.create_index("ix_appeal_assignment_from_unit_id_state", ["from_unit_id", "state"])

    with op.batch_alter_table("appeal") as batch:
        batch.add_column(
            sa.Column(
                "source",
                sa.Enum(
                    "kiosk",
                    "visit",
                    "phone",
                    "hotline",
                    name="source",
                    native_enum=False,
                    length=20,
                ),
                server_default="kiosk",
                nullable=False,
            )
        )
        batch.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("handed_off_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("handoff_due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("handoff_state", _state("assignmentstate"), nullable=True))
        batch.add_column(
            sa.Column(
                "callback",
                sa.Enum(
                    "unreached",
                    "satisfied",
                    "dissatisfied",
                    name="callback",
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_appeal_department_id_unit"), "unit", ["department_id"], ["id"]
        )
        batch.create_index("ix_appeal_source_id", ["source", "id"])
        batch.create_index("ix_appeal_department_id_id", ["department_id", "id"])
        batch.create_index(
            "ix_appeal_handoff_state_handoff_due_on", ["handoff_state", "handoff_due_on"]
        )


def downgrade() -> None:
    with op.batch_alter_table("appeal") as batch:
        batch.drop_index("ix_appeal_handoff_state_handoff_due_on")
        batch.drop_index("ix_appeal_department_id_id")
        batch.drop_index("ix_appeal_source_id")
        batch.drop_constraint(batch.f("fk_appeal_department_id_unit"), type_="foreignkey")
        for column in (
            "callback_at", "callback", "handoff_state", "handoff_due_on", "handed_off_on",
            "department_id", "source",
        ):  # fmt: skip
            batch.drop_column(column)
    op.drop_table("appeal_assignment")
