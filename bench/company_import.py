"""Importing a company list: how long reading a 10,000-row XLSX takes, then its preview (every
row checked against the list and the building's rooms and officers) and the import itself (one
transaction: the companies, a move each, the audit entry), as a building's administrator whose
reach is limited by the scope. Medians of --runs fresh databases; SQLite by default, or
`--postgresql URL` (a schema of its own, dropped afterwards).

    .venv/bin/python bench/company_import.py [--rows 10000] [--runs 3] [--postgresql URL]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk import create_app, scope
from kiosk.db import transaction, upgrade, utcnow
from kiosk.models import Building, Role, Room
from kiosk.services.audit import Actor
from kiosk.services.companies import sheets
from kiosk.services.companies.sheet_import import plan_import, run_import
from kiosk.services.staff import create_staff
from kiosk.validators import uscc_check_char

SECRET = "bench-secret-key-" + "x" * 32
from tests.support.company_sheets import HEADERS  # noqa: E402


def workbook(rows: int) -> bytes:
    """A list of `rows` companies in 60 floors × 200 rooms of one building."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("企业清单")
    sheet.append(HEADERS)
    for n in range(1, rows + 1):
        first17 = f"91430102MA{n:07d}"
        floor, room = 1 + n % 60, n % 200 + 1
        sheet.append([
            f"长沙测试科技有限公司{n}", first17 + uscc_check_char(first17), "张三", 100 + n,
            datetime(2019, 3, 5), "I", "小型", 20, "李四", "13812345678", "bench",
            floor, f"{floor}{room:03d}", "li",
        ])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _database(postgresql: str, folder: Path) -> tuple[str, Callable[[], None]]:
    if not postgresql:
        path = folder / f"{uuid.uuid4().hex}.db"
        return f"sqlite:///{path}", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(postgresql).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgresql).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def run(data: bytes, postgresql: str, folder: Path) -> dict[str, float]:
    """One fresh database: seconds to read, preview and import."""
    url, drop = _database(postgresql, folder)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    upgrade(engine)
    engine.dispose()
    app = create_app(
        {"secret_key": SECRET, "database_url": url, "print_worker": False, "building": "bench"},
        instance_path=folder / "instance",
    )
    timings: dict[str, float] = {}
    try:
        with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:
            building = Building(code="bench", name_zh="基准大厦", name_en="Bench Tower")
            db.add(building)
            db.flush()
            db.add_all(
                Room(building_id=building.id, floor=f, number=f"{f}{r:03d}")
                for f in range(1, 61)
                for r in range(1, 201)
            )
            db.commit()
            actor = Actor(None, "bench")
            chief = create_staff(
                db, "chief", "王主任", "bench password 1", Role.ADMIN, actor, "bench"
            )
            create_staff(db, "li", "李干部", "bench password 1", Role.STAFF, actor, "bench")
            scope.enter(db, scope.for_staff(db, chief, app.config["KIOSK"]))
            started = time.perf_counter()
            sheet = sheets.read_sheet(data, "bench.xlsx")
            timings["read"] = time.perf_counter() - started
            started = time.perf_counter()
            plan = plan_import(db, sheet, home=chief.unit, today=date.today())
            timings["preview"] = time.perf_counter() - started
            assert plan.ready and len(plan.adds) == len(sheet.rows), plan.problems[:3]
            started = time.perf_counter()
            with transaction(db):
                plan = plan_import(db, sheet, home=chief.unit, today=date.today())
                run_import(db, plan, actor=Actor(chief, "bench"), now=utcnow(), filename="b.xlsx")
            timings["import"] = time.perf_counter() - started
    finally:
        app.extensions["kiosk.engine"].dispose()
        drop()
    return timings


def main() -> None:
    """Print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgresql", default="")
    args = parser.parse_args()
    data = workbook(args.rows)
    print(f"{args.rows} companies, XLSX of {len(data) / 1024:.0f} KB, {args.runs} runs, "
          f"{'PostgreSQL' if args.postgresql else 'SQLite'}")  # fmt: skip
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.runs):
            results.append(run(data, args.postgresql, Path(folder)))
    for key, words in (
        ("read", "read the file"),
        ("preview", "preview (every row checked)"),
        ("import", "import (checked again, then written in one transaction)"),
    ):
        print(f"  {words}: median {statistics.median(r[key] for r in results):.2f} s")


if __name__ == "__main__":
    main()
