"""appeal_word: the index of open appeals' words, for finding similar appeals

One row per word of each open appeal (its words as `appeal_words` keeps them), keyed by word: the
open appeals that use a word are read from the index instead of matching every open appeal's
words; and an index of appeals by status holding what they are scored on (category, building),
so the open ones are scored without reading their rows. Filled here from the words already cut;
kept since by the cut (words.cut) and by a change of an appeal's status
(kiosk/models/appeal_word_hooks.py).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

FILL_BATCH = 2_000  # appeals indexed per statement
OPEN = ("new", "accepted", "reopened")  # AppealStatus.is_open, as stored


def upgrade() -> None:
    op.create_table(
        "appeal_word",
        sa.Column("word", sa.Text(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_appeal_word_appeal_id_appeal")
        ),
        sa.PrimaryKeyConstraint("word", "appeal_id", name=op.f("pk_appeal_word")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_appeal_word_appeal_id"), "appeal_word", ["appeal_id"])
    op.create_index(
        "ix_appeal_status_id_category_building",
        "appeal",
        ["status", "id", "category_id", "building_code"],
    )
    _fill()


def _fill() -> None:
    """Index the kept words of every open appeal (written here: the models may change later)."""
    connection = op.get_bind()
    appeal = sa.table("appeal", sa.column("id", sa.Integer), sa.column("status", sa.String))
    kept = sa.table("appeal_words", sa.column("appeal_id", sa.Integer), sa.column("words"))
    index = sa.table("appeal_word", sa.column("word", sa.Text), sa.column("appeal_id"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(kept.c.appeal_id, kept.c.words)
            .join(appeal, appeal.c.id == kept.c.appeal_id)
            .where(appeal.c.status.in_(OPEN), kept.c.appeal_id > last)
            .order_by(kept.c.appeal_id)
            .limit(FILL_BATCH)
        ).all()
        if not rows:
            return
        words = [
            {"word": word, "appeal_id": row.appeal_id}
            for row in rows
            for word in dict.fromkeys(row.words.split())
        ]
        if words:
            connection.execute(sa.insert(index), words)
        last = rows[-1].appeal_id


def downgrade() -> None:
    op.drop_index("ix_appeal_status_id_category_building", table_name="appeal")
    op.drop_index(op.f("ix_appeal_word_appeal_id"), table_name="appeal_word")
    op.drop_table("appeal_word")
