"""How fast are policy search and 政策找人 with a city-sized catalogue? Prints figures; asserts
nothing.

    .venv/bin/python bench/policies.py [--policies 10000] [--tenants 2000] [--runs 400]
        [--postgresql postgresql://postgres@127.0.0.1:5432/test]

Builds a fresh database (a temporary SQLite file; with --postgresql, a scratch schema that is
dropped afterwards) through the migrations, imports synthetic policies through the catalogue's
own import (so the full-text index is the real one) and synthetic companies, then times, in one
process:

- search: `find()` for a mix of queries (two-character words, four-character phrases, two words,
  one character, with and without filters), as the kiosk's search page calls it;
- matching: `match()` for random companies (one page of results with reasons), as the
  政策找人 page calls it;
- baseline: the same queries as a plain LIKE '%word%' scan over titles, summaries and texts
  (what one would write without a full-text index), for the ratio.

Figures are median, p95 and max in milliseconds per call.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, or_, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from kiosk.db import upgrade
from kiosk.models import Benefit, Building, Policy, PolicyLevel, Tenant, Window
from kiosk.services.policies import catalogue, matching, search

TODAY = date(2026, 11, 25)
THEMES = (
    "人工智能",
    "集成电路",
    "软件和信息技术服务",
    "数字化转型",
    "专精特新",
    "高新技术企业",
    "科技型中小企业",
    "研发投入",
    "知识产权",
    "首台套",
    "绿色低碳",
    "跨境电商",
    "稳岗返还",
    "社保补贴",
    "高校毕业生就业",
    "创业担保贷款",
    "普惠小微贷款",
    "人才引进",
    "职业技能培训",
    "楼宇经济",
    "总部经济",
    "文化创意",
    "金融机构落户",
    "首店经济",
    "上市挂牌",
)
NOUNS = ("资金补贴", "奖励", "贷款贴息", "房租减免", "税费优惠", "专项扶持", "奖补", "服务支持")
ISSUERS = ("长沙市工业和信息化局", "湖南省科学技术厅", "财政部 税务总局", "芙蓉区人民政府",
           "长沙市人力资源和社会保障局", "长沙市商务局", "岳麓区科技局")  # fmt: skip
DISTRICTS = ("", "", "", "芙蓉区", "岳麓区", "天心区", "开福区", "雨花区")
QUERIES = ("社保", "人工智能", "人工智能 补贴", "贷款贴息", "楼宇", "税", "高新技术企业",
           "跨境电商 奖励", "补贴", "区块链")  # fmt: skip


def synthetic_rows(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Policies that look like a city's compilation: 25 themes, issuers and conditions mixed;
    each text has 3 to 8 articles of about 40 characters."""
    rows = []
    for n in range(count):
        theme, noun = rng.choice(THEMES), rng.choice(NOUNS)
        opens = TODAY + timedelta(days=rng.randint(-300, 90))
        # A policy's text is mostly about its own theme, now and then about another.
        body = "；".join(
            f"第{k}条 对{theme if rng.random() < 0.8 else rng.choice(THEMES)}领域企业给予"
            f"{rng.choice(NOUNS)}，"
            f"按{rng.choice(('年度', '季度', '项目'))}核定，最高{rng.randint(5, 500)}万元"
            for k in range(1, rng.randint(4, 9))
        )
        rows.append(
            {
                "code": f"B-{n:06d}",
                "title": f"关于支持{theme}发展的{noun}政策（第{n}号）",
                "issuer": rng.choice(ISSUERS),
                "level": rng.choice([m.value for m in PolicyLevel]),
                "published_on": (opens - timedelta(days=30)).isoformat(),
                "opens_on": opens.isoformat(),
                "closes_on": (opens + timedelta(days=rng.randint(30, 400))).isoformat(),
                "summary": f"对符合条件的{theme}企业给予{noun}。",
                "body": body,
                "industries": rng.sample("CFIJLMR", rng.choice((0, 0, 1, 2))),
                "size_bands": rng.sample(
                    ["micro", "small", "medium", "large"], rng.choice((0, 1, 2))
                ),
                "district": rng.choice(DISTRICTS),
                "min_years": rng.choice((None, None, 1, 2, 3, 5)),
                "min_employees": rng.choice((None, None, 10, 20, 50, 100)),
                "other_conditions": rng.choice(("", "近两年无重大违法记录")),
                "benefit": rng.choice([m.value for m in Benefit]),
                "max_amount": rng.choice((None, 100000, 500000, 2000000)),
                "materials": ["营业执照复印件", f"{theme}项目说明"],
                "contact": "0731-88000000",
            }
        )
    return rows


def load(engine: Engine, policies: int, tenants: int, rng: random.Random) -> list[matching.Facts]:
    """The catalogue and the companies; returns each company's facts, as the page builds them."""
    with Session(engine) as db:
        building = Building(
            code="bench", name_zh="基准大厦", name_en="Bench Tower", district="芙蓉区"
        )
        db.add(building)
        db.flush()
        for start in range(0, policies, 2000):
            good, errors = catalogue.check_rows(
                list(enumerate(synthetic_rows(min(2000, policies - start), rng), start=start))
            )
            assert not errors, errors[:1]
            for row in good:
                row["code"] = f"{row['code']}-{start}"
            catalogue.import_policies(db, good, staff_id=None)
        for n in range(tenants):
            db.add(
                Tenant(
                    building_id=building.id,
                    uscc=f"91430102MA{n:08d}",
                    name=f"长沙基准科技有限公司{n}",
                    industry=rng.choice("CFIJLMR") if rng.random() > 0.1 else "",
                    size_band=rng.choice(["micro", "small", "medium", "large", ""]),
                    founded_on=TODAY - timedelta(days=rng.randint(100, 7000))
                    if rng.random() > 0.2
                    else None,
                    employees=rng.randint(1, 800) if rng.random() > 0.3 else None,
                )
            )
        db.commit()
        people = db.scalars(select(Tenant).join(Building)).all()
        return [matching.facts_of(t, TODAY) for t in people]


def timings(calls: Sequence[Callable[[], object]]) -> list[float]:
    """Milliseconds for each call, after one warm-up pass."""
    for call in calls[: min(len(calls), 20)]:
        call()
    spent = []
    for call in calls:
        start = time.perf_counter()
        call()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def report(name: str, spent: list[float], baseline: list[float] | None = None) -> None:
    ordered = sorted(spent)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    line = (
        f"  {name:<34} median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   "
        f"max {ordered[-1]:7.2f} ms"
    )
    if baseline:
        line += f"   ×{statistics.median(baseline) / statistics.median(ordered):.1f} vs LIKE scan"
    print(line)


def like_scan(db: Session, query: str) -> object:
    """The baseline: every word as LIKE '%word%' over the text columns, counted and paged."""
    where = [Policy.active.is_(True)]
    for word in query.split():
        pattern = f"%{word}%"
        where.append(
            or_(Policy.title.like(pattern), Policy.summary.like(pattern), Policy.body.like(pattern))
        )
    base = select(Policy).where(*where)
    db.scalar(select(func.count()).select_from(base.subquery()))
    return db.scalars(base.order_by(Policy.published_on.desc()).limit(search.PAGE_SIZE)).all()


def bench(label: str, engine: Engine, args: argparse.Namespace, *, analyze: bool = False) -> None:
    rng = random.Random(20261125)
    started = time.perf_counter()
    facts = load(engine, args.policies, args.tenants, rng)
    if analyze:  # what autovacuum does after an import, before anyone searches
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    print(f"{label}: {args.policies} policies, {args.tenants} companies loaded in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    with Session(engine) as db:
        filters: list[dict[str, Any]] = [{}, {"window": Window.OPEN}, {"benefit": Benefit.SUBSIDY}]
        plan = [(QUERIES[i % len(QUERIES)], filters[i % len(filters)]) for i in range(args.runs)]
        searches = [(lambda q=q, f=f: search.find(db, q, today=TODAY, **f)) for q, f in plan]
        baseline = [(lambda q=q: like_scan(db, q)) for q, _f in plan[: max(40, args.runs // 10)]]
        people = [rng.choice(facts) for _ in range(args.runs)]
        matches = [(lambda f=f: matching.match(db, f, TODAY)) for f in people]
        found = search.find(db, "人工智能 补贴", today=TODAY)
        sample = matching.match(db, people[0], TODAY)
        print(f"  (人工智能 补贴: {found.total} results; one company: {sample.total} matches, "
              f"{sample.certain} certain)")  # fmt: skip
        base = timings(baseline)
        spent = timings(searches)
        report("search (find, mixed queries)", spent, base)
        for query in QUERIES:  # where the time goes: the words in most of the catalogue
            own = [t for (q, _f), t in zip(plan, spent, strict=True) if q == query]
            found = search.find(db, query, today=TODAY)
            hits = f"{found.total}+" if found.more else str(found.total)
            median = statistics.median(own)
            print(f"    {query:<10} {hits:>6} matches: median {median:6.2f} ms")
        report("baseline LIKE scan", base)
        report("matching (one company, page 1)", timings(matches))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--tenants", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--postgresql", default="", help="a PostgreSQL URL to measure too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        bench("SQLite (FTS5)", engine, args)
        engine.dispose()
    if args.postgresql:
        url = make_url(args.postgresql).set(drivername="postgresql+psycopg")
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS bench_policies CASCADE"))
            conn.execute(text("CREATE SCHEMA bench_policies"))
        engine = create_engine(url.update_query_dict({"options": "-csearch_path=bench_policies"}))
        try:
            upgrade(engine)
            bench("PostgreSQL (tsvector + GIN)", engine, args, analyze=True)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text("DROP SCHEMA bench_policies CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
