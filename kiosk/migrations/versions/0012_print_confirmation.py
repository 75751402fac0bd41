"""print confirmation: how a job was confirmed, when it started to leave, when staff looked

Adds print_job.confirmation, print_job.sending_at and print_job.acknowledged_at, and the
printer's measured speed (printer_state.rate). The new job states ("printed", "in_doubt")
fit the existing status column (a string, no database enum).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_job") as batch:
        batch.add_column(
            sa.Column("confirmation", sa.String(length=20), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("printer_state") as batch:
        batch.add_column(sa.Column("rate", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("printer_state") as batch:
        batch.drop_column("rate")
    with op.batch_alter_table("print_job") as batch:
        batch.drop_column("acknowledged_at")
        batch.drop_column("sending_at")
        batch.drop_column("confirmation")
