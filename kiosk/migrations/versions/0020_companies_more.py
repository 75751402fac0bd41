"""companies kept in the admin, more

Reserved; filled in by the change that needs it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 06:05:00.000000
"""

from __future__ import annotations

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
