"""audit log entries filed under a building, so the log is scoped like the records it speaks of

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Existing entries take the building of what they name (print jobs: their kiosk's building).
_BACKFILL = {
    "appeal": "SELECT building_code FROM appeal WHERE appeal.reference = audit_log.target_id",
    "application": (
        "SELECT building_code FROM application WHERE application.reference = audit_log.target_id"
    ),
    "announcement": (
        "SELECT building_code FROM announcement"
        " WHERE CAST(announcement.id AS VARCHAR(60)) = audit_log.target_id"
    ),
    "event": (
        "SELECT building_code FROM event WHERE CAST(event.id AS VARCHAR(60)) = audit_log.target_id"
    ),
    "kiosk": "SELECT building_code FROM kiosk WHERE kiosk.id = audit_log.target_id",
    "staff": "SELECT building_code FROM staff WHERE staff.username = audit_log.target_id",
    "print_job": (
        "SELECT kiosk.building_code FROM print_job JOIN kiosk ON kiosk.id = print_job.kiosk_id"
        " WHERE CAST(print_job.id AS VARCHAR(60)) = audit_log.target_id"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("building_code", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_audit_log_building_code"), ["building_code"], unique=False
        )
    for target_type, lookup in _BACKFILL.items():
        op.execute(
            sa.text(
                f"UPDATE audit_log SET building_code = COALESCE(({lookup}), '')"  # noqa: S608
                " WHERE target_type = :target_type"
            ).bindparams(target_type=target_type)
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_building_code"))
        batch_op.drop_column("building_code")
