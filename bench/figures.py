"""How fast are the programme's figures for a city the size of Changsha? Prints figures; asserts
nothing.

    .venv/bin/python bench/figures.py [--appeals 100000] [--repeat 21]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]

Builds 200 units (the city, 9 districts, 30 streets, 150 buildings, 10 departments), 13,000
companies, 50,000 visits to them, 100,000 appeals over three years (sources, categories, due
dates, answers, ratings, a third handed to departments) and 20,000 paid claims, in a temporary
SQLite file or a scratch PostgreSQL schema (vacuumed after loading, as autovacuum would have done
by the time anyone reads a year). Then it times the dashboard (every figure, against last year
and the period before, with every breakdown) for the city, a district and a building, for a
month and a year, and the monthly XLSX report of each, each round alternating with a plain
`SELECT COUNT(*) FROM appeal` as the baseline: median and p95 in milliseconds, and median ÷ the
baseline's median, with the load average. The median CPU time of this process is printed too:
on a shared machine it moves less than wall time, and with SQLite it holds the database's work
(with PostgreSQL only the client's).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger import _postgres_schema  # bench/ledger.py: a scratch schema, dropped afterwards
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk import create_app
from kiosk.db import upgrade
from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealStatus,
    Application,
    ApplicationStatus,
    Assignment,
    AssignmentState,
    BenefitClaim,
    Policy,
    Rating,
    Role,
    Source,
    Staff,
    Tenant,
    Unit,
    UnitKind,
    Visit,
    root_unit,
)
from kiosk.services.demo_policies import load_demo_policies
from kiosk.services.figures import dashboard, report_files
from kiosk.services.figures import report as reports
from kiosk.services.figures.periods import month_of, year_of

BATCH = 5_000
DAYS = 3 * 365
SOURCES = [(Source.KIOSK, 45), (Source.VISIT, 35), (Source.PHONE, 12), (Source.HOTLINE, 8)]


def build_tree(db: Session) -> tuple[list[Unit], list[Unit]]:
    """The city's 200 units; returns the buildings and the departments."""
    city = root_unit(db)
    buildings, departments = [], []
    for d in range(9):
        district = Unit(code=f"d{d}", kind=UnitKind.DISTRICT, name_zh=f"第{d}区专班", parent=city)
        db.add(district)
        departments.append(
            Unit(code=f"dept{d}", kind=UnitKind.DEPARTMENT, name_zh=f"部门{d}", parent=city)
        )
        for s in range(30 // 9 + (1 if d < 30 % 9 else 0)):
            street = Unit(
                code=f"d{d}s{s}", kind=UnitKind.STREET, name_zh=f"街道{d}-{s}", parent=district
            )
            db.add(street)
            for b in range(5):
                buildings.append(
                    Unit(code=f"d{d}s{s}b{b}", kind=UnitKind.BUILDING, name_zh="楼", parent=street)
                )
    departments.append(Unit(code="dept9", kind=UnitKind.DEPARTMENT, name_zh="部门9", parent=city))
    db.add_all([*buildings, *departments])
    db.commit()
    return buildings, departments


def _appeals(
    rows: int, buildings: list[str], categories: list[int], rng: random.Random
) -> Iterator[dict[str, Any]]:
    start = datetime.now(UTC) - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / rows
    sources, weights = zip(*SOURCES, strict=True)
    for n in range(rows):
        created = start + step * n
        age = (datetime.now(UTC) - created).days
        done = rng.random() < (0.97 if age > 30 else 0.5)
        resolved = created + timedelta(hours=rng.randint(6, 20 * 24)) if done else None
        rated = done and rng.random() < 0.6
        yield {
            "reference": f"SQ-{n:09d}",
            "token": secrets.token_urlsafe(18),
            "submission_key": uuid.uuid4().hex,
            "kiosk_id": "kiosk-1",
            "building_code": rng.choice(buildings),
            "company_name": f"公司{rng.randrange(13_000)}",
            "company_uscc": "",
            "category_id": rng.choice(categories),
            "description": "园区到地铁站没有接驳公交。",
            "contact_name": "张三",
            "contact_mobile": "13812345678",
            "locale": "zh_CN",
            "status": (AppealStatus.CLOSED if rated else AppealStatus.RESOLVED)
            if done
            else AppealStatus.ACCEPTED,
            "due_date": (created + timedelta(days=10)).date(),
            "resolved_at": resolved,
            "rating": rng.choice(list(Rating)) if rated else None,
            "rated_at": resolved + timedelta(days=1) if rated and resolved else None,
            "rating_reason": "",
            "reopen_count": 0,
            "source": rng.choices(sources, weights)[0],
            "created_at": created,
        }


def populate(engine: Engine, db: Session, appeals: int, claims: int) -> float:
    """The city's records; returns the seconds it took."""
    began = time.perf_counter()
    rng = random.Random(20261207)
    buildings, departments = build_tree(db)
    codes = [b.code for b in buildings]
    categories = list(db.scalars(select(AppealCategory.id)))
    load_demo_policies(db, date.today())
    policy = db.scalar(select(Policy.id).limit(1))
    db.commit()
    source = _appeals(appeals, codes, categories, rng)
    while batch := list(itertools.islice(source, BATCH)):
        with engine.begin() as conn:
            conn.execute(insert(Appeal), batch)
    with engine.begin() as conn:
        handed = conn.execute(select(Appeal.id, Appeal.building_code, Appeal.created_at,
                                     Appeal.resolved_at)).all()  # fmt: skip
        rows = []
        for appeal_id, building, created, resolved in handed[::3]:
            rows.append({
                "appeal_id": appeal_id, "building_code": building,
                "department_id": rng.choice(departments).id, "from_unit_id": buildings[0].id,
                "lead": True, "due_on": (created + timedelta(days=7)).date(), "working_days": 5,
                "state": AssignmentState.PUBLISHED if resolved else AssignmentState.ACCEPTED,
                "replied_at": resolved, "closed_at": resolved, "created_at": created,
                "reply": "", "review_note": "", "return_reason": "", "urge_count": 0,
            })  # fmt: skip
        for part in itertools.batched(rows, BATCH) if sys.version_info >= (3, 12) else [rows]:
            conn.execute(insert(Assignment), list(part))
    _claims(engine, claims, codes, policy, rng)
    _visits(engine, db, buildings, rng)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - began


def _visits(engine: Engine, db: Session, buildings: list[Unit], rng: random.Random) -> None:
    """13,000 companies, each under a building, and 50,000 visits to them over three years."""
    officer = Staff(
        username="bench",
        display_name="走访干部",
        password_hash="x",
        role=Role.STAFF,
        unit=buildings[0],
    )
    db.add(officer)
    db.commit()
    with engine.begin() as conn:
        ids = conn.execute(
            insert(Tenant).returning(Tenant.id, Tenant.unit_id),
            [
                {
                    "uscc": f"91430100{n:010d}",
                    "name": f"公司{n}",
                    "unit_id": rng.choice(buildings).id,
                }
                for n in range(13_000)
            ],
        ).all()
        code = {b.id: b.code for b in buildings}
        first = date.today() - timedelta(days=DAYS)
        for part in range(0, 50_000, BATCH):
            rows = []
            for n in range(part, part + BATCH):
                tenant, unit = rng.choice(ids)
                rows.append({
                    "reference": f"ZF-{n:09d}", "submission_key": uuid.uuid4().hex,
                    "tenant_id": tenant, "unit_id": unit, "building_code": code[unit],
                    "officer_id": officer.id,
                    "visited_on": first + timedelta(days=n * DAYS // 50_000),
                    "met": "李总", "discussed": "用工", "created_at": datetime.now(UTC),
                })  # fmt: skip
            conn.execute(insert(Visit), rows)


def _claims(engine: Engine, claims: int, codes: list[str], policy: Any, rng: random.Random) -> None:
    start = datetime.now(UTC) - timedelta(days=DAYS)
    with engine.begin() as conn:
        for first in range(0, claims, BATCH):
            apps = []
            for n in range(first, min(first + BATCH, claims)):
                decided = start + timedelta(days=DAYS) * n / claims
                apps.append({
                    "reference": f"BT-{n:09d}", "token": secrets.token_urlsafe(18),
                    "submission_key": uuid.uuid4().hex, "task": "claim", "kiosk_id": "kiosk-1",
                    "building_code": rng.choice(codes), "company_name": "公司", "answers": {},
                    "status": ApplicationStatus.APPROVED, "pickup_code": "123456",
                    "fix_steps": [], "decision_reason": "", "decided_at": decided,
                    "issued_uscc": "", "version": 1, "created_at": decided, "locale": "zh_CN",
                })  # fmt: skip
            ids = conn.execute(insert(Application).returning(Application.id), apps).scalars()
            conn.execute(
                insert(BenefitClaim),
                [
                    {"application_id": i, "policy_id": policy,
                     "amount_requested": Decimal(rng.randrange(5_000, 500_000)),
                     "amount_granted": Decimal(rng.randrange(5_000, 500_000)),
                     "paid_on": (a["decided_at"] + timedelta(days=20)).date()}
                    for i, a in zip(ids, apps, strict=True)
                ],
            )  # fmt: skip


def timings(
    run: Callable[[], object], repeat: int, baseline: Callable[[], object]
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """Median and p95 wall time, and median CPU time of this process, in ms, of `run` and of
    `baseline`, one round of each in turn, after one warm-up of each."""
    run()
    baseline()
    found: tuple[list[tuple[float, float]], ...] = ([], [])
    for _ in range(repeat):
        for times, what in zip(found, (run, baseline), strict=True):
            began, cpu = time.perf_counter(), time.process_time()
            what()
            times.append(((time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000))
    return _spread(found[0]), _spread(found[1])


def _spread(times: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Median and p95 wall time, median CPU time."""
    wall = sorted(t[0] for t in times)
    p95 = wall[min(len(wall) - 1, round(0.95 * (len(wall) - 1)))]
    return statistics.median(wall), p95, statistics.median(t[1] for t in times)


def run(appeals: int, claims: int, repeat: int, database_url: str | None) -> None:
    """Build the city, time the dashboards, print the figures."""
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
            with app.extensions["kiosk.sessionmaker"]() as db:
                seconds = populate(engine, db, appeals, claims)
            report(app, engine, repeat, seconds)
        finally:
            engine.dispose()
            drop()


def report(app: Any, engine: Engine, repeat: int, seconds: float) -> None:
    """Time each dashboard against COUNT(*) and print the table."""
    zone = app.config["KIOSK"].zone
    today = datetime.now(zone).date()
    with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:
        total = db.scalar(select(func.count()).select_from(Appeal)) or 0
        units = {
            "city": root_unit(db),
            "district": db.scalar(select(Unit).where(Unit.code == "d0")),
            "building": db.scalar(select(Unit).where(Unit.code == "d0s0b0")),
        }
        print(f"{engine.dialect.name}: {total:,} appeals and the rest built in {seconds:.0f} s")
        print("  load average " + " ".join(f"{n:.2f}" for n in os.getloadavg()))
        print(
            f"  {'':<26} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7}"
            f" {'COUNT(*) median':>16} {'p95':>6} {'÷ COUNT(*)':>11}"
        )
        count = lambda: db.scalar(text("SELECT COUNT(*) FROM appeal"))  # noqa: E731
        runs: list[tuple[str, Callable[[], object], int]] = []
        for name, unit in units.items():
            assert unit is not None
            for label, period in (("month", month_of(today)), ("year", year_of(today))):
                board = lambda u=unit, p=period: dashboard.build(db, u, p, zone, "zh_CN")  # noqa: E731
                runs.append((f"dashboard {name}, {label}", board, repeat))
        for name, unit in units.items():
            xlsx = lambda u=unit: report_files.as_xlsx(  # noqa: E731
                reports.build(db, u, month_of(today), zone, "zh_CN", datetime.now(UTC)), "zh_CN"
            )
            runs.append((f"XLSX report {name}, month", xlsx, max(3, repeat // 3)))
        for title, what, times in runs:
            (median, p95, cpu), base = timings(what, times, count)
            print(
                f"  {title:<26} {median:10.1f} {p95:8.1f} {cpu:7.1f} {base[0]:16.2f}"
                f" {base[1]:6.2f} {median / base[0]:10.0f}x"
            )
        print("  load average " + " ".join(f"{n:.2f}" for n in os.getloadavg()))


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument(
        "--repeat", type=int, default=21, help="timed runs per dashboard (a third per report)"
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL URL (default: a temporary SQLite file)"
    )
    args = parser.parse_args()
    run(args.appeals, args.claims, args.repeat, args.database_url)


if __name__ == "__main__":
    main()
