"""appeal follow-up: when the tenant rated, so a 不满意 can still be reopened for a while

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeal") as batch:
        batch.add_column(sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_appeal_rating_status_due_date", "appeal", ["rating", "status", "due_date"])
    # Appeals rated before this column existed: the time of their last rating on the timeline.
    op.execute(
        "UPDATE appeal SET rated_at = (SELECT max(e.created_at) FROM appeal_event e"
        " WHERE e.appeal_id = appeal.id AND e.kind = 'rated') WHERE rating IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_appeal_rating_status_due_date", table_name="appeal")
    with op.batch_alter_table("appeal") as batch:
        batch.drop_column("rated_at")
