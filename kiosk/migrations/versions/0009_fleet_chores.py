"""fleet chores: judging the fleet and pruning its logs once per round, not once per kiosk

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fleet_chore",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_fleet_chore")),
    )


def downgrade() -> None:
    op.drop_table("fleet_chore")
