"""Full-text search of the policy catalogue, in Chinese, on SQLite and PostgreSQL alike.

Chinese has no spaces, and most of its words are two characters long (社保, 补贴, 人才). A
trigram index (SQLite FTS5's `trigram` tokenizer, PostgreSQL's pg_trgm) cannot answer a
two-character query from the index, so instead every run of Chinese text is indexed as its
overlapping character pairs, 人工智能 → 人工 工智 智能 (plus its last character, so a
one-character query finds every occurrence), and a query is the same pairs as a phrase. So
`社保` finds 社保补贴 and 企业社保费, `人工智能 补贴` needs both, in any order, and
neither depends on a dictionary of words. Latin letters and digits are whole words (5G, AI).

The database does the rest: an FTS5 table (`ascii` tokenizer: the pairs are ours, it only
splits on spaces) ranked by bm25, or on PostgreSQL a table of weighted `tsvector`s under a GIN
index ranked by ts_rank. Both live beside the `policy` table as `policy_fts`, kept in step by
`index()` whenever a policy is written.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from kiosk.models import Benefit, Policy, PolicyLevel, Window

# Literal statements (the table and columns are fixed; only values are parameters).
_DELETE = "DELETE FROM policy_fts WHERE rowid = :id"
_INSERT_PG = (
    "INSERT INTO policy_fts (rowid, vector, active, level, benefit, published_on, opens_on, "
    "closes_on) VALUES (:id, CAST(:vector AS tsvector), :active, :level, "
    ":benefit, :published_on, :opens_on, :closes_on)"
)
_INSERT_FTS5 = (
    "INSERT INTO policy_fts (rowid, title, summary, issuer, body) "
    "VALUES (:id, :title, :summary, :issuer, :body)"
)
# The fields, most telling first (bm25 weights 10, 4, 2, 1; tsvector weights A-D).
FIELDS = ("title", "summary", "issuer", "body")
_PG_WEIGHTS = ("A", "B", "C", "D")
MAX_TERMS = 8  # a query's words beyond this are ignored
MAX_QUERY = 100  # characters
PAGE_SIZE = 6  # results a page, for a touchscreen
COUNT_MAX = 1000  # matches counted; beyond, "1,000+"

# A run of Han characters (any CJK block, the rare extensions too), or of Latin letters/digits.
_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)|([0-9a-z]+)")


def _runs(value: str) -> Iterator[tuple[bool, str]]:
    """(is_han, run) for each run of searchable text, after width and case folding."""
    folded = unicodedata.normalize("NFKC", value).lower()
    for match in _RUN.finditer(folded):
        han, latin = match.groups()
        yield (True, han) if han else (False, latin)


def grams(value: str) -> list[str]:
    """The tokens a text is indexed as: Han pairs plus each run's last character; Latin words."""
    tokens: list[str] = []
    for han, run in _runs(value):
        if not han:
            tokens.append(run)
            continue
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        tokens.append(run[-1])
    return tokens


def query_terms(query: str) -> list[list[str]]:
    """The query's words, each as the phrase of tokens it must match; one character alone is
    a prefix (every pair starting with it, and the last character of a run)."""
    terms: list[list[str]] = []
    for word in unicodedata.normalize("NFKC", query[:MAX_QUERY]).split():
        tokens: list[str] = []
        for han, run in _runs(word):
            if han and len(run) > 1:
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
            else:
                tokens.append(run)
        if tokens:
            terms.append(tokens)
    return terms[:MAX_TERMS]


def _single_han(token: str) -> bool:
    return len(token) == 1 and not token.isascii()


# ---- keeping the index in step ----------------------------------------------------------------


def index(db: Session, policies: Iterable[Policy]) -> None:
    """Write (or rewrite) the index rows of `policies`; call in the transaction that saved them."""
    rows = list(policies)
    if not rows:
        return
    ids = [{"id": p.id} for p in rows]
    db.execute(text(_DELETE), ids)
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text(_INSERT_PG), [{"vector": _tsvector(p), **_copies(p)} for p in rows])
    else:
        db.execute(
            text(_INSERT_FTS5),
            [{"id": p.id, **{f: " ".join(grams(getattr(p, f))) for f in FIELDS}} for p in rows],
        )


def _copies(policy: Policy) -> dict[str, Any]:
    """What PostgreSQL's search table keeps of a policy besides its words."""
    return {
        "id": policy.id,
        "active": policy.active,
        "level": policy.level.value,
        "benefit": policy.benefit.value,
        "published_on": policy.published_on,
        "opens_on": policy.opens_on,
        "closes_on": policy.closes_on,
    }


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(policy: Policy) -> str:
    """The policy as a tsvector literal: each token with its positions and its field's weight.

    Positions run on across fields (with a gap between them, so no phrase spans two fields);
    PostgreSQL keeps at most 256 positions per token and none past 16383, which is plenty to
    rank by and never loses a token."""
    positions: dict[str, list[str]] = {}
    at = 1
    for field, weight in zip(FIELDS, _PG_WEIGHTS, strict=True):
        for token in grams(getattr(policy, field)):
            seen = positions.setdefault(token, [])
            if len(seen) < 256 and at <= 16383:
                seen.append(f"{at}{weight}")
            at += 1
        at += 2
    return " ".join(
        f"{_quote(token)}:{','.join(where)}" if where else _quote(token)
        for token, where in positions.items()
    )


# ---- searching --------------------------------------------------------------------------------


FTS5 = table("policy_fts", column("rowid", Integer))  # SQLite's, joined to the policies
# PostgreSQL's: the words as `vector`, and copies of what search filters and sorts on.
SEARCH = table(
    "policy_fts",
    column("rowid", Integer),
    column("vector"),
    column("active", Boolean),
    column("level", String),
    column("benefit", String),
    column("published_on", Date),
    column("opens_on", Date),
    column("closes_on", Date),
)


def match_clause(
    db: Session, query: str
) -> tuple[ColumnElement[bool], ColumnElement[float]] | None:
    """(condition, score) over the policy_fts table for the policies matching `query`, where
    a lower score is a better match; None if the query has nothing to search for.

    The caller joins policy_fts to policy on rowid, so the index drives the query (a match
    in a subquery would be run once per policy by SQLite's planner)."""
    terms = query_terms(query)
    if not terms:
        return None
    if db.get_bind().dialect.name == "postgresql":
        wanted = cast(literal(_tsquery(terms)), TSQUERY)
        return SEARCH.c.vector.op("@@")(wanted), -func.ts_rank(SEARCH.c.vector, wanted)
    fts: ColumnElement[Any] = literal_column("policy_fts")
    return (
        fts.op("MATCH")(literal(_fts5_query(terms))),
        func.bm25(fts, 10.0, 4.0, 2.0, 1.0),
    )


def _fts5_query(terms: Sequence[Sequence[str]]) -> str:
    parts = []
    for tokens in terms:
        if len(tokens) == 1 and _single_han(tokens[0]):
            parts.append(f'"{tokens[0]}" *')
        else:
            parts.append('"' + " ".join(t.replace('"', '""') for t in tokens) + '"')
    return " AND ".join(parts)


def _tsquery(terms: Sequence[Sequence[str]]) -> str:
    parts = []
    for tokens in terms:
        if len(tokens) == 1 and _single_han(tokens[0]):
            parts.append(f"{_quote(tokens[0])}:*")
        else:
            parts.append("(" + " <-> ".join(_quote(t) for t in tokens) + ")")
    return " & ".join(parts)


def filters_from(args: Mapping[str, str]) -> dict[str, Any]:
    """The level, benefit and window a page's query string asks for (a value that is not one
    of them is ignored: a page never fails on a mistyped link)."""

    def chosen(name: str, kind: type[enum.StrEnum]) -> Any:
        value = args.get(name, "")
        return kind(value) if value in {m.value for m in kind} else None

    return {
        "level": chosen("level", PolicyLevel),
        "benefit": chosen("benefit", Benefit),
        "window": chosen("window", Window),
    }


@dataclass(frozen=True)
class PolicyPage:
    """One page of search results."""

    policies: list[Policy]
    page: int
    pages: int
    total: int  # at most COUNT_MAX
    more: bool = False  # more than COUNT_MAX match


def window_condition(
    window: Window, today: date, opens: Any = Policy.opens_on, closes: Any = Policy.closes_on
) -> ColumnElement[bool]:
    """SQL for "the policy's application window is `window` on `today`" (on the policy's
    dates, or on the copies in PostgreSQL's search table)."""
    not_closed = or_(closes.is_(None), closes >= today)
    if window is Window.CLOSED:
        return closes < today  # type: ignore[no-any-return]
    if window is Window.UPCOMING:
        return and_(opens > today, not_closed)
    return and_(or_(opens.is_(None), opens <= today), not_closed)


def find(
    db: Session,
    query: str = "",
    *,
    today: date,
    level: PolicyLevel | None = None,
    benefit: Benefit | None = None,
    window: Window | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> PolicyPage:
    """The catalogue's active policies matching `query` and the filters, one page of them.

    With words to search for, the best match comes first; without, the open ones, newest first.
    """
    matched = match_clause(db, query)
    if matched is not None and db.get_bind().dialect.name == "postgresql":
        return _find_words(db, matched, today, level, benefit, window, page, per_page)
    if matched is None and query.strip():
        return PolicyPage([], 1, 1, 0)  # only punctuation or symbols: nothing can match
    where: list[ColumnElement[bool]] = [Policy.active.is_(True)]
    if level is not None:
        where.append(Policy.level == level)
    if benefit is not None:
        where.append(Policy.benefit == benefit)
    if window is not None:
        where.append(window_condition(window, today))
    listed = select(Policy.id).where(*where)
    counted = listed
    order: tuple[Any, ...]
    if matched is not None:  # SQLite: the FTS5 table joined to the policies
        condition, score = matched
        # Counting, the matches are one set the policies are checked against (joined, SQLite
        # would run the MATCH once per policy), and stops past COUNT_MAX.
        counted = listed.where(Policy.id.in_(select(FTS5.c.rowid).where(condition)))
        counted = counted.limit(COUNT_MAX + 1)
        listed = listed.join(FTS5, FTS5.c.rowid == Policy.id).where(condition)
        order = (score, Policy.published_on.desc(), Policy.id)
    else:
        opened = case((window_condition(Window.OPEN, today), 0), else_=1)
        order = (opened, Policy.published_on.desc(), Policy.id)
    total = db.scalar(select(func.count()).select_from(counted.subquery())) or 0
    pages = max(1, -(-min(total, COUNT_MAX) // per_page))
    page = min(max(page, 1), pages)
    ids = db.scalars(listed.order_by(*order).offset((page - 1) * per_page).limit(per_page)).all()
    return PolicyPage(_policies(db, ids), page, pages, min(total, COUNT_MAX), total > COUNT_MAX)


def _policies(db: Session, ids: Sequence[int]) -> list[Policy]:
    """The policies with these ids, in this order (a page is sorted by id first, then read:
    the sort carries ids, not whole policies)."""
    rows = {p.id: p for p in db.scalars(select(Policy).where(Policy.id.in_(ids)))}
    return [rows[i] for i in ids]


def _find_words(
    db: Session,
    matched: tuple[ColumnElement[bool], ColumnElement[float]],
    today: date,
    level: PolicyLevel | None,
    benefit: Benefit | None,
    window: Window | None,
    page: int,
    per_page: int,
) -> PolicyPage:
    """find() with words on PostgreSQL: matched, filtered, counted and sorted in the search table
    alone; only the page's policies are read from the policy table (whose texts make its rows
    wide)."""
    condition, score = matched
    where: list[ColumnElement[bool]] = [condition, SEARCH.c.active.is_(True)]
    if level is not None:
        where.append(SEARCH.c.level == level.value)
    if benefit is not None:
        where.append(SEARCH.c.benefit == benefit.value)
    if window is not None:
        where.append(window_condition(window, today, SEARCH.c.opens_on, SEARCH.c.closes_on))
    # Counting stops past COUNT_MAX: a word in most of the catalogue is "1,000+".
    matching = select(SEARCH.c.rowid).where(*where).limit(COUNT_MAX + 1).subquery()
    total = db.scalar(select(func.count()).select_from(matching)) or 0
    pages = max(1, -(-min(total, COUNT_MAX) // per_page))
    page = min(max(page, 1), pages)
    ids = db.scalars(
        select(SEARCH.c.rowid)
        .where(*where)
        .order_by(score, SEARCH.c.published_on.desc(), SEARCH.c.rowid)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return PolicyPage(_policies(db, ids), page, pages, min(total, COUNT_MAX), total > COUNT_MAX)
