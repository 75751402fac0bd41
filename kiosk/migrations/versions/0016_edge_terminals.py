"""edge terminals: enrolment codes, the central's record of terminals, a terminal's outbox

Central side: `enrolment_code` (one-time codes an admin hands a new terminal, kept as SHA-256
only), `edge_terminal` (each enrolled terminal's short code, which its references carry, and the
key that vouches for its tracking links until its submissions arrive), and `kiosk.outbox_depth`
(how many submissions a terminal said it still holds). Terminal side: `edge_outbox` (each
submission taken, handed over in order with its idempotency key) and `edge_sync` (the ETag and
time of each kind of reference data copied down).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolment_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("building_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_code")),
        sa.UniqueConstraint("code_sha256", name=op.f("uq_enrolment_code_code_sha256")),
    )
    op.create_table(
        "edge_terminal",
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("short_code", sa.String(length=4), nullable=False),
        sa.Column("link_key", sa.String(length=64), nullable=False),
        sa.Column("token_key", sa.String(length=16), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_edge_terminal")),
        sa.UniqueConstraint("short_code", name=op.f("uq_edge_terminal_short_code")),
    )
    op.create_table(
        "edge_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edge_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_edge_outbox_idempotency_key")),
    )
    op.create_index("ix_edge_outbox_acked_id", "edge_outbox", ["acked_at", "id"])
    op.create_table(
        "edge_sync",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_edge_sync")),
    )
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_depth", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.drop_column("outbox_depth")
    op.drop_table("edge_sync")
    op.drop_index("ix_edge_outbox_acked_id", table_name="edge_outbox")
    op.drop_table("edge_outbox")
    op.drop_table("edge_terminal")
    op.drop_table("enrolment_code")
