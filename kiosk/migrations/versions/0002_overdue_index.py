"""Index appeals by status and due date, for the ledger's overdue filter and count.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.create_index("ix_appeal_status_due_date", ["status", "due_date"], unique=False)
        batch_op.drop_index("ix_appeal_due_date")


def downgrade() -> None:
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.create_index("ix_appeal_due_date", ["due_date"], unique=False)
        batch_op.drop_index("ix_appeal_status_due_date")
