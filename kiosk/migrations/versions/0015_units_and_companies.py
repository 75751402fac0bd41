"""the organisation's units in a tree; companies' profiles and moves; categories' departments

Adds `unit` (city → district → street or park → building; departments under the city or a
district), with one city at the root. Every building becomes a building unit with the building's
code, under a district unit made from the building's `district` (or under the city), and so does
a building code an account was limited to without a building row. `staff.building_code` becomes
`staff.unit_id`: "" (every building) is the city, a code is that building's unit, so every
account reaches exactly what it reached before.

Companies (`tenant`) gain the unit whose list they are on (their building's), their profile
(legal representative, registered capital, contact, room, liaison officer, moved-out time) and a
history of moves (`tenant_move`); `building_id` may be empty for a company outside any building.
Each company's room is found from its `floor_room` ("23F-2308" → room 2308 of its building).
Appeal categories gain the department a problem of that kind is usually handed to.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ROOT_CODE = "city"


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_path"), ["path"], unique=False)
    units = _build_tree()

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_staff_unit_id"), ["unit_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_staff_unit_id_unit"), "unit", ["unit_id"], ["id"]
        )
    bind = op.get_bind()
    for staff_id, code in bind.execute(sa.text("SELECT id, building_code FROM staff")).all():
        unit_id = units.get(code or ROOT_CODE, units[ROOT_CODE])
        bind.execute(
            sa.text("UPDATE staff SET unit_id = :unit WHERE id = :id"),
            {"unit": unit_id, "id": staff_id},
        )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("building_code")

    _companies()
    with op.batch_alter_table("appeal_category", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appeal_category_department_id_unit"), "unit", ["department_id"], ["id"]
        )


def _build_tree() -> dict[str, int]:
    """The city, a district per building's district, a unit per building; codes → ids."""
    bind, now = op.get_bind(), datetime.now(UTC)
    unit = sa.table(
        "unit",
        sa.column("id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("name_zh", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("parent_id", sa.Integer()),
        sa.column("path", sa.String()),
        sa.column("sort_order", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    ids: dict[str, int] = {}
    paths: dict[str, str] = {}

    def add(code: str, kind: str, name_zh: str, name_en: str, parent: str | None) -> None:
        row = bind.execute(
            unit.insert()
            .values(
                code=code,
                kind=kind,
                name_zh=name_zh,
                name_en=name_en,
                parent_id=ids[parent] if parent else None,
                path="/",
                sort_order=len(ids),
                created_at=now,
            )
            .returning(unit.c.id)
        ).scalar_one()
        ids[code] = row
        paths[code] = (paths[parent] if parent else "/") + f"{row}/"
        bind.execute(unit.update().where(unit.c.id == row).values(path=paths[code]))

    add(ROOT_CODE, "city", "全市", "City", None)
    buildings = bind.execute(
        sa.text("SELECT code, name_zh, name_en, district FROM building ORDER BY id")
    ).all()
    districts = sorted({b.district for b in buildings if b.district})
    for index, district in enumerate(districts, start=1):
        add(f"district-{index}", "district", district, "", ROOT_CODE)
    by_name = {d: f"district-{i}" for i, d in enumerate(districts, start=1)}
    for b in buildings:
        if b.code not in ids:
            add(b.code, "building", b.name_zh, b.name_en, by_name.get(b.district, ROOT_CODE))
    limited = bind.execute(sa.text("SELECT DISTINCT building_code FROM staff")).scalars()
    for code in limited:
        if code and code not in ids:
            add(code, "building", code, code, ROOT_CODE)
    return ids


def _companies() -> None:
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.alter_column("building_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "legal_representative", sa.String(length=60), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column("registered_capital", sa.Numeric(precision=16, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column("contact_name", sa.String(length=60), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("contact_mobile", sa.String(length=11), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("room_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("officer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("moved_out_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_tenant_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tenant_room_id"), ["room_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tenant_officer_id"), ["officer_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_tenant_unit_id_unit"), "unit", ["unit_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tenant_room_id_room"), "room", ["room_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tenant_officer_id_staff"), "staff", ["officer_id"], ["id"]
        )
    op.execute(
        "UPDATE tenant SET unit_id = (SELECT unit.id FROM unit JOIN building"
        " ON building.code = unit.code WHERE building.id = tenant.building_id)"
    )
    op.execute(
        "UPDATE tenant SET room_id = (SELECT MIN(room.id) FROM room"
        " WHERE room.building_id = tenant.building_id"
        " AND tenant.floor_room LIKE '%-' || room.number)"
        " WHERE tenant.floor_room <> ''"
    )
    op.create_table(
        "tenant_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_building", sa.String(length=40), nullable=False),
        sa.Column("from_place", sa.String(length=40), nullable=False),
        sa.Column("to_building", sa.String(length=40), nullable=False),
        sa.Column("to_place", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_tenant_move_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_tenant_move_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_move")),
    )
    with op.batch_alter_table("tenant_move", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenant_move_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appeal_category", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appeal_category_department_id_unit"), type_="foreignkey"
        )
        batch_op.drop_column("department_id")
    op.drop_table("tenant_move")
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tenant_officer_id_staff"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_tenant_room_id_room"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_tenant_unit_id_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_tenant_officer_id"))
        batch_op.drop_index(batch_op.f("ix_tenant_room_id"))
        batch_op.drop_index(batch_op.f("ix_tenant_unit_id"))
        for column in (
            "moved_out_at",
            "officer_id",
            "room_id",
            "contact_mobile",
            "contact_name",
            "registered_capital",
            "legal_representative",
            "unit_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("building_code", sa.String(length=40), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE staff SET building_code = COALESCE((SELECT unit.code FROM unit"
        " WHERE unit.id = staff.unit_id AND unit.kind = 'building'), '')"
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_staff_unit_id_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_staff_unit_id"))
        batch_op.drop_column("unit_id")
    op.drop_table("unit")
