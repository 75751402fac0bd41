"""Migration 0025 indexes the words already cut of the open appeals, and of no other."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from kiosk.db import upgrade
from kiosk.models import Appeal, AppealCategory, AppealStatus, AppealWord, AppealWords
from tests.conftest import BACKENDS, PG_URL


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (a PostgreSQL schema dropped afterwards)."""
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'kiosk.db'}")
        yield made
        made.dispose()
        return
    schema = f"kiosk_m25_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    made = create_engine(url.update_query_dict({"options": f"-csearch_path={schema}"}))
    yield made
    made.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _appeal(n: int, status: AppealStatus, category_id: int) -> dict[str, object]:
    return {
        "reference": f"SQ-20261207-{n:04d}", "token": f"token-{n}", "submission_key": f"k{n}",
        "kiosk_id": "kiosk-1", "building_code": "demo", "company_name": f"公司{n}",
        "company_uscc": "", "category_id": category_id, "description": "5路公交站点取消",
        "contact_name": "张三", "contact_mobile": "13812345678", "locale": "zh_CN",
        "status": status, "due_date": date(2026, 12, 14), "rating_reason": "",
        "reopen_count": 0, "created_at": datetime.now(UTC),
    }  # fmt: skip


def test_the_words_of_open_appeals_are_indexed(engine: Engine) -> None:
    upgrade(engine, "0024")
    with engine.begin() as conn:
        category = conn.scalar(select(AppealCategory.id).limit(1))
        assert category is not None
        statuses = (AppealStatus.NEW, AppealStatus.CLOSED, AppealStatus.REOPENED)
        conn.execute(insert(Appeal), [_appeal(n, s, category) for n, s in enumerate(statuses)])
        ids = list(conn.scalars(select(Appeal.id).order_by(Appeal.id)))
        words = ["5路 公交 站点", "5路 公交 站点", "公交 取消 公交"]
        conn.execute(
            insert(AppealWords),
            [{"appeal_id": i, "words": w} for i, w in zip(ids, words, strict=True)],
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = {tuple(r) for r in conn.execute(select(AppealWord.appeal_id, AppealWord.word))}
    assert rows == {
        (ids[0], "5路"), (ids[0], "公交"), (ids[0], "站点"), (ids[2], "公交"), (ids[2], "取消"),
    }  # fmt: skip
