"""an outbox of SMS and webhook messages

Adds `notification`: one row per message to a tenant (SMS) or to staff (企业微信 / 钉钉 group
robots, or the log), written in the same transaction as the change it tells of, with a unique
dedupe key so one event is never sent twice, and a lease (who, since when, sending since) like
the print outbox's.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "sms", "wecom", "dingtalk", "log", name="channel", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=20), nullable=False),
        sa.Column("recipient_masked", sa.String(length=80), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_ref", sa.String(length=40), nullable=False),
        sa.Column("building_code", sa.String(length=40), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "failed",
                name="messagestate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_message_id", sa.String(length=100), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_notification_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notification_dedupe_key")),
    )
    op.create_index(
        "ix_notification_state_next_attempt_at", "notification", ["state", "next_attempt_at"]
    )
    op.create_index("ix_notification_subject", "notification", ["subject_type", "subject_ref"])
    op.create_index(op.f("ix_notification_staff_id"), "notification", ["staff_id"])
    op.create_index(op.f("ix_notification_building_code"), "notification", ["building_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notification_building_code"), table_name="notification")
    op.drop_index(op.f("ix_notification_staff_id"), table_name="notification")
    op.drop_index("ix_notification_subject", table_name="notification")
    op.drop_index("ix_notification_state_next_attempt_at", table_name="notification")
    op.drop_table("notification")
