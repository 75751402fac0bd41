"""companies: when each row last changed, for the maintenance API's updated_since

A city's tools copy a unit's company list once and then ask only for what changed since; each
company row now says when it last changed (an existing row: when it was made).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 06:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE tenant SET updated_at = created_at")
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.alter_column(
            "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index(batch_op.f("ix_tenant_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenant_updated_at"))
        batch_op.drop_column("updated_at")
