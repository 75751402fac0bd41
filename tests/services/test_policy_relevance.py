"""Search relevance on the demo catalogue (kiosk/data): what a query must and must not return.

The index is exact for words of two or more characters: a policy is found if and only if every
word of the query is in its title, summary, issuer or text, so each query is also checked
against a plain substring scan of the same 160 policies.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from sqlalchemy.orm import Session

from kiosk.models import Benefit, Window
from kiosk.services.demo_policies import demo_rows
from kiosk.services.policies import catalogue, search

TODAY = date(2026, 11, 25)


@pytest.fixture
def demo(db: Session) -> list[dict[str, object]]:
    rows = demo_rows(TODAY)
    good, errors = catalogue.check_rows(list(enumerate(rows, start=1)))
    assert errors == []
    catalogue.import_policies(db, good, staff_id=None)
    return rows


def found(db: Session, query: str, **filters: object) -> list[str]:
    page = search.find(db, query, today=TODAY, per_page=200, **filters)  # type: ignore[arg-type]
    assert page.total == len(page.policies)
    return [p.code for p in page.policies]


def scan(rows: list[dict[str, object]], query: str) -> set[str]:
    """The policies whose text has every word of `query` (what the index must return)."""
    words = unicodedata.normalize("NFKC", query).lower().split()
    return {
        str(r["code"])
        for r in rows
        if all(
            w
            in unicodedata.normalize("NFKC", f"{r['title']}{r['summary']}{r['issuer']}{r['body']}")
            .lower()
            .replace("\n", "")
            for w in words
        )
    }


@pytest.mark.parametrize(
    "query",
    ["社保", "人工智能", "人工智能 补贴", "楼宇", "跨境电商", "贴息", "研发费用", "高新技术企业",
     "补贴 芙蓉区", "稳岗", "区块链"],
)  # fmt: skip
def test_a_query_returns_exactly_the_policies_that_contain_its_words(
    db: Session, demo: list[dict[str, object]], query: str
) -> None:
    assert set(found(db, query)) == scan(demo, query)


def test_what_tenants_search_for_comes_first(db: Session, demo: list[dict[str, object]]) -> None:
    social = found(db, "社保")
    with_it_in_title_or_summary = {
        "CS-2026-023", "CS-2026-024", "CS-2026-025", "QX-2026-013", "QX-2026-014",
        "QX-2026-026", "GJ-2026-010", "GJ-2026-020", "HN-2026-012", "HN-2026-035",
    }  # fmt: skip
    assert set(social[:10]) == with_it_in_title_or_summary
    # 社会保险 alone is not 社保 (those policies never say 社保).
    assert not {"GJ-2026-021", "HN-2026-014"} & set(social)
    # Both words in the title: those first (人工智能算力券补贴 before 人工智能…奖补, whose
    # text says 补贴).
    ai = found(db, "人工智能 补贴")
    titled = {
        str(r["code"]) for r in demo if "人工智能" in str(r["title"]) and "补贴" in str(r["title"])
    }
    assert len(titled) >= 3 and set(ai[: len(titled)]) == titled
    # 奖补 is another word: those policies come with it, not with 补贴 unless they say it.
    assert {"CS-2026-001", "CS-2026-003", "QX-2026-003"} <= set(found(db, "人工智能 奖补"))


def test_filters_narrow_the_results(db: Session, demo: list[dict[str, object]]) -> None:
    everything = set(found(db, "补贴"))
    open_now = set(found(db, "补贴", window=Window.OPEN))
    subsidies = set(found(db, "补贴", benefit=Benefit.SUBSIDY))
    assert open_now < everything and subsidies < everything
    rows = {str(r["code"]): r for r in demo}
    assert all(rows[code]["benefit"] == "subsidy" for code in subsidies)
