"""the organisation's tree, rooms and categories kept in the admin, more

Reserved; filled in by the change that needs it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 06:05:00.000000
"""

from __future__ import annotations

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
