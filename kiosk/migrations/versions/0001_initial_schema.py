"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 20:43:45.001431
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeal_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_category")),
        sa.UniqueConstraint("code", name=op.f("uq_appeal_category_code")),
    )
    op.create_table(
        "building",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("address_zh", sa.String(length=200), nullable=False),
        sa.Column("address_en", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building")),
        sa.UniqueConstraint("code", name=op.f("uq_building_code")),
    )
    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("printer", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("reprint", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "printing",
                "sent",
                "failed",
                "expired",
                "cancelled",
                name="printstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_job")),
    )
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.create_index(
            "ix_print_job_kiosk_status", ["kiosk_id", "status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "reference_counter",
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "day", name=op.f("pk_reference_counter")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=60), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum("staff", "supervisor", "admin", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_username")),
    )
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_audit_log_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "tenant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("floor_room", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"], ["building.id"], name=op.f("fk_tenant_building_id_building")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("uscc", name=op.f("uq_tenant_uscc")),
    )
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenant_building_id"), ["building_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tenant_name"), ["name"], unique=False)

    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("building_code", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("company_name", sa.String(length=100), nullable=False),
        sa.Column("company_uscc", sa.String(length=18), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_mobile", sa.String(length=11), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "accepted",
                "reopened",
                "resolved",
                "closed",
                name="appealstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "rating",
            sa.Enum(
                "satisfied",
                "basically_satisfied",
                "dissatisfied",
                name="rating",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("rating_reason", sa.Text(), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_appeal_assignee_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["appeal_category.id"],
            name=op.f("fk_appeal_category_id_appeal_category"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_appeal_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal")),
        sa.UniqueConstraint("reference", name=op.f("uq_appeal_reference")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_appeal_submission_key")),
        sa.UniqueConstraint("token", name=op.f("uq_appeal_token")),
    )
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_appeal_building_code"), ["building_code"], unique=False
        )
        batch_op.create_index("ix_appeal_category_id_id", ["category_id", "id"], unique=False)
        batch_op.create_index("ix_appeal_due_date", ["due_date"], unique=False)
        batch_op.create_index("ix_appeal_status_id", ["status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeal_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "appeal_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "submitted",
                "accepted",
                "assigned",
                "reply",
                "note",
                "resolved",
                "reopened",
                "rated",
                name="eventkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_appeal_event_appeal_id_appeal")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_appeal_event_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_event")),
    )
    with op.batch_alter_table("appeal_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_event_appeal_id"), ["appeal_id"], unique=False)

    _seed_categories()


# The categories a fresh kiosk offers; staff can change the list later.
CATEGORIES = [
    ("policy", "政策兑现", "Policy benefits"),
    ("market", "市场监管", "Market regulation"),
    ("finance", "融资", "Financing"),
    ("labour", "用工", "Staff and hiring"),
    ("transport", "交通出行", "Transport and commuting"),
    ("property", "物业楼宇", "Building and property"),
    ("other", "其他", "Other"),
]


def _seed_categories() -> None:
    table = sa.table(
        "appeal_category",
        sa.column("code", sa.String),
        sa.column("name_zh", sa.String),
        sa.column("name_en", sa.String),
        sa.column("sort_order", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        table,
        [
            {"code": code, "name_zh": zh, "name_en": en, "sort_order": i * 10, "active": True}
            for i, (code, zh, en) in enumerate(CATEGORIES)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("appeal_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_event_appeal_id"))

    op.drop_table("appeal_event")
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_tenant_id"))
        batch_op.drop_index("ix_appeal_status_id")
        batch_op.drop_index("ix_appeal_due_date")
        batch_op.drop_index("ix_appeal_category_id_id")
        batch_op.drop_index(batch_op.f("ix_appeal_building_code"))
        batch_op.drop_index(batch_op.f("ix_appeal_assignee_id"))

    op.drop_table("appeal")
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenant_name"))
        batch_op.drop_index(batch_op.f("ix_tenant_building_id"))

    op.drop_table("tenant")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_staff_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_expires_at"))

    op.drop_table("web_session")
    op.drop_table("staff")
    op.drop_table("reference_counter")
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.drop_index("ix_print_job_kiosk_status")

    op.drop_table("print_job")
    op.drop_table("building")
    op.drop_table("appeal_category")
