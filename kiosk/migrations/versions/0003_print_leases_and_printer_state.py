"""Print-job leases (who holds a job, since when), reprints by staff, and printers' last state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 22:05:17.671005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "printer_state",
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("printer", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kiosk_id", "printer", name=op.f("pk_printer_state")),
    )
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_by", sa.String(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_print_job_staff_id_staff"), "staff", ["staff_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_print_job_staff_id_staff"), type_="foreignkey")
        batch_op.drop_column("staff_id")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by")

    op.drop_table("printer_state")
