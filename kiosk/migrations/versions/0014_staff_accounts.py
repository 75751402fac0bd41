"""staff accounts kept in the admin: one-time passwords, ended sessions, a second factor

Adds to `staff`: `must_change_password` (an issued password is changed at the next sign-in),
`session_version` (raised to end an account's sessions at once), and the TOTP second factor:
`totp_secret`, `totp_last_step` (no code is accepted twice) and `recovery_hashes`. Existing
accounts keep their passwords and have no second factor until they enrol.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("recovery_hashes", sa.String(length=800), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("recovery_hashes")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("session_version")
        batch_op.drop_column("must_change_password")
