"""visits to companies, the problems and policies of each visit, and the phone form's SMS codes

Adds `visit` (an officer's visit to a company, filed under the company's unit and building),
`visit_problem` (each problem raised at a visit is an appeal with source "visit"),
`visit_policy` (the policies handed over at a visit; who told the company and when stays in
`policy_notice`) and `phone_code` (a hashed code confirming the mobile of an appeal typed on a
phone, with the draft waiting for it and what resend limits count).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("building_code", sa.String(length=40), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("met", sa.String(length=100), nullable=False),
        sa.Column("discussed", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["staff.id"], name=op.f("fk_visit_officer_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_visit_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_visit_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
        sa.UniqueConstraint("reference", name=op.f("uq_visit_reference")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_visit_submission_key")),
    )
    with op.batch_alter_table("visit") as batch:
        batch.create_index(batch.f("ix_visit_unit_id"), ["unit_id"])
        batch.create_index(batch.f("ix_visit_building_code"), ["building_code"])
        batch.create_index("ix_visit_tenant_id_visited_on", ["tenant_id", "visited_on"])
        batch.create_index("ix_visit_officer_id_visited_on", ["officer_id", "visited_on"])

    op.create_table(
        "visit_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_visit_problem_appeal_id_appeal")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_visit_problem_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_problem")),
        sa.UniqueConstraint("appeal_id", name=op.f("uq_visit_problem_appeal_id")),
    )
    with op.batch_alter_table("visit_problem") as batch:
        batch.create_index(batch.f("ix_visit_problem_visit_id"), ["visit_id"])

    op.create_table(
        "visit_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_visit_policy_policy_id_policy")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_visit_policy_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_policy")),
    )
    with op.batch_alter_table("visit_policy") as batch:
        batch.create_index(batch.f("ix_visit_policy_visit_id"), ["visit_id"])
        batch.create_index(batch.f("ix_visit_policy_policy_id"), ["policy_id"])

    op.create_table(
        "phone_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("building_code", sa.String(length=40), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("mobile_key", sa.String(length=64), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_phone_code_appeal_id_appeal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_code")),
        sa.UniqueConstraint("token", name=op.f("uq_phone_code_token")),
    )
    with op.batch_alter_table("phone_code") as batch:
        batch.create_index("ix_phone_code_mobile_key_created_at", ["mobile_key", "created_at"])
        batch.create_index("ix_phone_code_address_key_created_at", ["address_key", "created_at"])


def downgrade() -> None:
    op.drop_table("phone_code")
    op.drop_table("visit_policy")
    op.drop_table("visit_problem")
    op.drop_table("visit")
