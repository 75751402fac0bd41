"""an index for the figures' visits

The dashboard counts a period's visits and the distinct companies visited by the day of the
visit. An index that leads with that day and holds the building and the company makes a period
one index range rather than a scan of every visit (a city's year: a third of 50,000 visits).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 09:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_figures", ["visited_on", "building_code", "tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_figures")
