"""How fast is the staff ledger with many appeals? Prints median timings; asserts nothing.

    .venv/bin/python bench/ledger.py [--rows 100000] [--repeat 9] [--database-url postgresql://…]

Without --database-url it builds a temporary SQLite file (WAL, as the kiosk runs it); with a
PostgreSQL URL it works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import io
import itertools
import random
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from kiosk import create_app
from kiosk.admin.export import csv_chunks, write_xlsx
from kiosk.db import upgrade
from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealStatus,
    AssignmentState,
    Rating,
    Role,
    Staff,
    Unit,
    UnitKind,
    root_unit,
)
from kiosk.services import ledger

BATCH = 5_000  # rows per executemany
PAGE = 50  # the default staff_page_size
DEEP_PAGE = 1_000
EXPORT_ROWS = 10_000
# Older appeals are mostly finished; the newest are mostly still open.
OLD_MIX = [(AppealStatus.CLOSED, 78), (AppealStatus.RESOLVED, 15), (AppealStatus.ACCEPTED, 4),
           (AppealStatus.REOPENED, 2), (AppealStatus.NEW, 1)]  # fmt: skip
RECENT_MIX = [(AppealStatus.NEW, 35), (AppealStatus.ACCEPTED, 40), (AppealStatus.REOPENED, 5),
              (AppealStatus.RESOLVED, 15), (AppealStatus.CLOSED, 5)]  # fmt: skip
PLACES = ["长沙", "湖南", "芙蓉", "岳麓", "开福", "天心", "雨花", "星沙"]
TRADES = ["软件科技", "商贸", "建筑工程", "文化传媒", "餐饮管理", "物流", "医药", "教育咨询"]
PROBLEMS = [
    "园区到地铁站没有接驳公交，员工通勤时间长。",
    "地下车库停车位不够，访客无处停车。",
    "申请的稳岗补贴一直没有到账，请帮忙查询进度。",
    "办理营业执照地址变更需要哪些材料？",
    "希望了解高新技术企业认定的政策和申报时间。",
    "写字楼空调夏天经常不制冷，物业没有回应。",
    "招聘应届毕业生是否有社保补贴？",
    "企业贷款贴息政策怎么申请？",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _weighted(mix: list[tuple[AppealStatus, int]]) -> Callable[[random.Random], AppealStatus]:
    statuses, weights = zip(*mix, strict=True)
    return lambda rng: rng.choices(statuses, weights)[0]


def _appeals(rows: int, staff_ids: list[int], category_ids: list[int]) -> Iterator[dict[str, Any]]:
    """Synthetic appeals, oldest first, spread over the two years before today."""
    rng = random.Random(20261124)
    start = datetime.now(UTC) - timedelta(days=730)
    step = timedelta(days=730) / rows
    companies = [f"{rng.choice(PLACES)}{rng.choice(TRADES)}有限公司{n}" for n in range(2_000)]
    old, recent = _weighted(OLD_MIX), _weighted(RECENT_MIX)
    per_day: dict[str, int] = {}
    for n in range(rows):
        created = start + step * n
        day = (created + timedelta(hours=8)).strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        status = recent(rng) if n > rows * 0.97 else old(rng)
        finished = status in (AppealStatus.RESOLVED, AppealStatus.CLOSED)
        yield {
            "reference": f"SQ-{day}-{per_day[day]:04d}",
            "token": secrets.token_urlsafe(24),
            "submission_key": uuid.uuid4().hex,
            "kiosk_id": "kiosk-1",
            "building_code": "demo",
            "company_name": rng.choice(companies),
            "company_uscc": "",
            "category_id": rng.choice(category_ids),
            "description": rng.choice(PROBLEMS) + rng.choice(PROBLEMS),
            "contact_name": rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋"),
            "contact_mobile": f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}",
            "locale": "zh_CN",
            "status": status,
            "due_date": (created + timedelta(days=7)).date(),
            "assignee_id": None if status is AppealStatus.NEW else rng.choice(staff_ids),
            "resolved_at": created + timedelta(days=rng.randint(1, 9)) if finished else None,
            "rating": rng.choice(list(Rating)) if status is AppealStatus.CLOSED else None,
            "rating_reason": "",
            "reopen_count": 0,
            "created_at": created,
        }


def populate(engine: Engine, rows: int) -> float:
    """Insert staff and `rows` appeals in batches; returns the seconds it took."""
    began = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            insert(Staff),
            [{"username": f"officer{n}", "display_name": f"工作人员{n}", "password_hash": "x",
              "role": Role.STAFF, "active": True,
              "created_at": datetime.now(UTC)} for n in range(20)],
        )  # fmt: skip
        staff_ids = list(conn.scalars(select(Staff.id)))
        category_ids = list(conn.scalars(select(AppealCategory.id)))
    source = _appeals(rows, staff_ids, category_ids)
    while batch := list(itertools.islice(source, BATCH)):
        with engine.begin() as conn:
            conn.execute(insert(Appeal), batch)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - began


def median_ms(run: Callable[[], object], repeat: int) -> float:
    """The median wall time of `run` in milliseconds, after one warm-up."""
    run()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _offset_page(db: Session, offset: int) -> list[ledger.LedgerRow]:
    """The baseline: the same page as the ledger shows it, fetched with OFFSET."""
    stmt = select(*ledger._LIST_COLUMNS).order_by(Appeal.id.desc()).offset(offset).limit(PAGE)
    return ledger._list_rows(db, db.execute(stmt).all())


def measure(
    db: Session, repeat: int, today: date, export: Callable[[], int]
) -> list[tuple[str, float]]:
    """Time each ledger query the admin makes."""
    nothing = ledger.AppealFilter()
    total = ledger.count_appeals(db, nothing)
    page = min(DEEP_PAGE, max(1, total // PAGE // 2))
    offset = (page - 1) * PAGE
    cursor = db.scalar(select(Appeal.id).order_by(Appeal.id.desc()).offset(offset - 1).limit(1))
    keyset_ids = [r.id for r in ledger.list_appeals(db, nothing, before=cursor, limit=PAGE).items]
    if keyset_ids != [r.id for r in _offset_page(db, offset)]:
        print("warning: keyset and OFFSET pages differ")

    def first_page(**wanted: Any) -> Callable[[], object]:
        return lambda: ledger.list_appeals(db, ledger.AppealFilter(**wanted), limit=PAGE)

    def count(**wanted: Any) -> Callable[[], object]:
        return lambda: ledger.count_appeals(db, ledger.AppealFilter(**wanted))

    cases: list[tuple[str, Callable[[], object]]] = [
        ("first page, no filter", first_page()),
        (
            f"page {page:,} by keyset",
            lambda: ledger.list_appeals(db, nothing, before=cursor, limit=PAGE),
        ),
        (f"page {page:,} by OFFSET", lambda: _offset_page(db, offset)),
        ("status = new", first_page(status=AppealStatus.NEW)),
        ("category = transport", first_page(category="transport")),
        ("overdue", first_page(overdue_on=today)),
        ("to follow up", first_page(follow_up=True)),
        ("due today", first_page(due_on=today)),
        ("search, common word", first_page(q="停车")),
        ("search, no match (full scan)", first_page(q="不存在的词")),
        ("search, full reference", first_page(q=_newest_reference(db))),
        ("count, no filter", count()),
        ("count, status = new", count(status=AppealStatus.NEW)),
        ("count, overdue", count(overdue_on=today)),
        (
            "to-do counts (overdue, due today, to follow up)",
            lambda: ledger.follow_up_counts(db, today),
        ),
        ("count, search common word", count(q="停车")),
        (f"CSV export, {EXPORT_ROWS:,} rows", export),
    ]
    return [(name, median_ms(run, repeat)) for name, run in cases]


def _newest_reference(db: Session) -> str:
    return db.scalar(select(Appeal.reference).order_by(Appeal.id.desc()).limit(1)) or ""


def _exporter(db: Session, zone: Any, today: date) -> Callable[[], int]:
    def run() -> int:
        rows = itertools.islice(ledger.iter_appeals(db, ledger.AppealFilter()), EXPORT_ROWS)
        return sum(len(chunk.encode("utf-8")) for chunk in csv_chunks(rows, zone, today))

    return run


def _handed_off(engine: Engine) -> None:
    """Every fifth appeal handed to a department, so the XLSX carries the 台账's columns."""
    with Session(engine) as db, db.begin():
        department = Unit(
            code="bench-market", kind=UnitKind.DEPARTMENT, name_zh="市场监管局",
            name_en="Market regulation", parent=root_unit(db),
        )  # fmt: skip
        db.add(department)
        db.flush()
        db.execute(
            update(Appeal)
            .where(Appeal.id % 5 == 0)
            .values(
                department_id=department.id,
                handed_off_on=Appeal.due_date,
                handoff_due_on=Appeal.due_date,
                handoff_state=AssignmentState.ACCEPTED,
            )
        )


def _xlsx_export(db: Session, zone: Any, today: date, repeat: int) -> tuple[float, int, int]:
    """Median ms to write every appeal to XLSX (as /admin/appeals/export.xlsx does), rows, bytes."""
    sizes: list[tuple[int, int]] = []

    def once() -> None:
        out = io.BytesIO()
        count = write_xlsx(ledger.iter_appeals(db, ledger.AppealFilter()), zone, today, out)
        sizes.append((count, out.tell()))

    return median_ms(once, repeat), *sizes[-1]


def _postgres_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema for the benchmark, and a function that drops it."""
    schema = f"kiosk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), drop


def run(rows: int, repeat: int, database_url: str | None, xlsx_repeat: int = 3) -> None:
    """Build the database, fill it, time the queries, print the figures."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        drop: Callable[[], None] = lambda: None  # noqa: E731
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        if database_url:
            url, drop = _postgres_schema(database_url)
        app = create_app(
            {"secret_key": "bench-" + "x" * 40, "database_url": url, "print_worker": False},
            instance_path=Path(tmp) / "instance",
        )
        engine: Engine = app.extensions["kiosk.engine"]
        try:
            upgrade(engine)
            seconds = populate(engine, rows)
            _handed_off(engine)
            with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:
                zone = app.config["KIOSK"].zone
                today = ledger.today_in(zone)
                count = db.scalar(select(func.count()).select_from(Appeal)) or 0
                print(f"{engine.dialect.name}: {count:,} appeals inserted in {seconds:.1f} s")
                print(f"medians of {repeat} runs (ms):")
                results = measure(db, repeat, today, _exporter(db, zone, today))
            width = max(len(name) for name, _ in results)
            for name, ms in results:
                print(f"  {name:<{width}}  {ms:9.2f}")
            keyset = next(ms for name, ms in results if name.endswith("by keyset"))
            offset = next(ms for name, ms in results if name.endswith("by OFFSET"))
            print(f"  OFFSET / keyset for the deep page: {offset / keyset:.0f}x")
            with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:
                from similar_appeals import print_similar  # bench/similar_appeals.py

                print_similar(engine, db, repeat)
            with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:
                ms, written, size = _xlsx_export(db, zone, today, xlsx_repeat)
            print(
                f"  XLSX export, every appeal ({written:,} rows, {size / 1e6:.1f} MB), "
                f"median of {xlsx_repeat}: {ms / 1000:.2f} s"
            )
        finally:
            engine.dispose()
            drop()


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="appeals to insert")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per query")
    parser.add_argument(
        "--database-url", help="a PostgreSQL URL (default: a temporary SQLite file)"
    )
    parser.add_argument("--xlsx-repeat", type=int, default=3, help="timed XLSX exports")
    args = parser.parse_args()
    run(args.rows, args.repeat, args.database_url, args.xlsx_repeat)


if __name__ == "__main__":
    main()
