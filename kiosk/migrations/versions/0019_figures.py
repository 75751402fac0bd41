"""indexes for the programme's figures

The dashboard, the reports, the public page and /metrics count a period's appeals by when they
were raised, solved and rated, hand-offs by when they were made and closed, and applications by
when they were approved. Each index leads with that time and holds the columns its count reads,
so a period is one index range rather than a scan of the table. The figures stay counted from
the records themselves (no aggregate table to drift from them).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

INDEXES = {
    "appeal": {
        "ix_appeal_figures_raised": [
            "created_at", "building_code", "category_id", "source", "status",
        ],
        "ix_appeal_figures_solved": [
            "resolved_at", "building_code", "category_id", "source", "due_date", "created_at",
            "status",
        ],
        "ix_appeal_figures_rated": ["rated_at", "rating", "building_code"],
    },
    "appeal_assignment": {
        "ix_appeal_assignment_figures_handed": ["created_at", "department_id", "lead"],
        "ix_appeal_assignment_figures_closed": ["closed_at", "department_id", "state"],
    },
    "application": {
        "ix_application_decided_at_status": ["decided_at", "status", "building_code"],
    },
}  # fmt: skip


def upgrade() -> None:
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in indexes.items():
                batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
