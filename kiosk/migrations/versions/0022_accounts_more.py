"""staff accounts and the maintenance API, more

Reserved; filled in by the change that needs it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 06:05:00.000000
"""

from __future__ import annotations

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
