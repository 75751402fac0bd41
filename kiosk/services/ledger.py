"""The ledger (台账) for staff: finding, paging, counting and exporting appeals; the audit log.

Paging is by keyset on the id (newest first), never OFFSET, so the thousandth page costs what
the first does. Names (category, assignee) are looked up once per page from small tables
rather than joined, so every query stays a walk down one index of `appeal`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, selectinload

from kiosk.db import transaction, utcnow
from kiosk.errors import NotFound
from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    AuditLog,
    Rating,
    Staff,
    Tenant,
)
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.figures import links as figures
from kiosk.services.ledger_columns import COLUMNS, Columns, HandoffFilter, UnitNames
from kiosk.text import clean_text

T = TypeVar("T")
AnySelect = Select[*tuple[Any, ...]]
QUERY_MAX = 100  # characters of a search kept; longer text is no help in finding an appeal
EXPORT_BATCH = 1000  # rows fetched per query while exporting
OPEN = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)
_FULL_REFERENCE = re.compile(r"^[A-Z]{2}-\d{8}-\d{4,}$")


@dataclass(frozen=True)
class AppealFilter:
    """What a staff member is looking for in the ledger; empty values filter nothing."""

    status: AppealStatus | None = None
    category: str = ""  # an AppealCategory code
    overdue_on: date | None = None  # owed appeals (see `owed`) due before this (local) day
    assignee_id: int | None = None
    q: str = ""
    follow_up: bool = False  # the follow-up queue: rated 不满意, or reopened
    due_on: date | None = None  # owed appeals due on this (local) day
    # What a figure of the dashboard counts, so that each figure opens as its list:
    figure: figures.Counted | None = None
    # The 台账's columns: source, unit, department, hand-off dates and progress, call, rating.
    handoff: HandoffFilter | None = None

    def describe(self) -> dict[str, Any]:
        """The filter as plain JSON values (for the audit log)."""
        values = asdict(self)
        values["status"] = self.status.value if self.status else None
        values["overdue_on"] = self.overdue_on.isoformat() if self.overdue_on else None
        values["due_on"] = self.due_on.isoformat() if self.due_on else None
        values["follow_up"] = self.follow_up or None
        values["figure"] = self.figure.describe() if self.figure else None
        values["handoff"] = (self.handoff.describe() or None) if self.handoff else None
        return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a newest-first list and the cursors to its neighbours (None: no such page)."""

    items: list[T]
    newer: int | None = None  # pass as `after` to see the page before this one
    older: int | None = None  # pass as `before` to see the page after this one


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One appeal as the ledger's list shows it."""

    id: int
    reference: str
    created_at: datetime
    company_name: str
    category_code: str
    category_zh: str
    category_en: str
    status: AppealStatus
    due_date: date
    assignee_name: str
    dissatisfied: bool  # closed with a 不满意 rating: staff owe the tenant a follow-up
    more: Columns  # source, unit, department, hand-off, follow-up call, closed on, rating

    def category_name(self, locale: str) -> str:
        """The category's name in the given locale."""
        return self.category_en if locale == "en" else self.category_zh

    def is_overdue(self, today: date) -> bool:
        """Whether staff owe an answer (or a follow-up) that was due before `today`."""
        return (self.status in OPEN or self.dissatisfied) and self.due_date < today


@dataclass(frozen=True, slots=True)
class ExportRow(LedgerRow):
    """One appeal with every field the CSV export carries."""

    company_uscc: str
    contact_name: str
    contact_mobile: str
    description: str
    resolved_at: datetime | None
    rating: str
    rating_reason: str


_LIST_COLUMNS = (
    Appeal.id,
    Appeal.reference,
    Appeal.created_at,
    Appeal.company_name,
    Appeal.category_id,
    Appeal.status,
    Appeal.due_date,
    Appeal.assignee_id,
    Appeal.rating,
    *COLUMNS,
)
_EXPORT_COLUMNS = (
    *_LIST_COLUMNS,
    Appeal.company_uscc,
    Appeal.contact_name,
    Appeal.contact_mobile,
    Appeal.description,
    Appeal.resolved_at,
    Appeal.rating_reason,
)
_DISSATISFIED = and_(Appeal.rating == Rating.DISSATISFIED, Appeal.status == AppealStatus.CLOSED)
# The follow-up queue: the tenant said the answer did not solve it (不满意 or 问题没有解决).
FOLLOW_UP = or_(_DISSATISFIED, Appeal.status == AppealStatus.REOPENED)


def _owed(due: ColumnElement[bool]) -> ColumnElement[bool]:
    """What staff owe (an answer to an open appeal, a follow-up to a 不满意) with a due date
    condition inside each branch, so that each is a range of an index, not a scan."""
    return or_(and_(Appeal.status.in_(OPEN), due), and_(_DISSATISFIED, due))


@dataclass(frozen=True)
class FollowUpCounts:
    """The ledger's to-do figures: each is a link to the list it counts."""

    follow_up: int  # rated 不满意 or reopened
    overdue: int  # owed and due before today
    due_today: int  # owed and due today


def today_in(zone: ZoneInfo) -> date:
    """Today's date in the kiosk's time zone (what "overdue" is measured against)."""
    return utcnow().astimezone(zone).date()


def categories(db: Session) -> list[AppealCategory]:
    """Every category, withdrawn ones too (old appeals keep theirs), in display order."""
    return list(
        db.scalars(select(AppealCategory).order_by(AppealCategory.sort_order, AppealCategory.id))
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_match(db: Session, query: str) -> ColumnElement[bool]:
    """Reference (exact, or as a prefix), company, contact or description containing `query`."""
    reference = query.upper()
    if _FULL_REFERENCE.match(reference):
        return Appeal.reference == reference  # the unique index answers at once
    # SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE for the same behaviour.
    insensitive = db.get_bind().dialect.name == "postgresql"
    pattern = f"%{_escape_like(query)}%"
    columns = (Appeal.company_name, Appeal.contact_name, Appeal.description)
    contains = [
        column.ilike(pattern, escape="\\") if insensitive else column.like(pattern, escape="\\")
        for column in columns
    ]
    return or_(Appeal.reference.like(f"{_escape_like(reference)}%", escape="\\"), *contains)


def _conditions(db: Session, wanted: AppealFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.status is not None:
        conditions.append(Appeal.status == wanted.status)
    if wanted.category:
        code = select(AppealCategory.id).where(AppealCategory.code == wanted.category)
        category_id = db.scalar(code)
        conditions.append(Appeal.category_id == category_id if category_id else false())
    if wanted.overdue_on is not None:
        conditions.append(_owed(Appeal.due_date < wanted.overdue_on))
    if wanted.due_on is not None:
        conditions.append(_owed(Appeal.due_date == wanted.due_on))
    if wanted.follow_up:
        conditions.append(FOLLOW_UP)
    if wanted.handoff is not None:
        conditions.extend(wanted.handoff.conditions())
    if wanted.assignee_id is not None:
        conditions.append(Appeal.assignee_id == wanted.assignee_id)
    query = clean_text(wanted.q).text[:QUERY_MAX]
    if query:
        conditions.append(_text_match(db, query))
    if wanted.figure is not None:
        conditions.extend(wanted.figure.conditions())
    return conditions


def _keyset(
    run: Callable[[AnySelect], Sequence[T]],
    stmt: AnySelect,
    key: InstrumentedAttribute[int],
    ident: Callable[[T], int],
    before: int | None,
    after: int | None,
    limit: int,
) -> Page[T]:
    """Page `stmt` newest first by `key`: `before` an id goes older, `after` an id goes newer."""
    if after is not None:
        rows = list(run(stmt.where(key > after).order_by(key.asc()).limit(limit + 1)))
        if len(rows) > limit:
            items = rows[:limit][::-1]
            return Page(items, newer=ident(items[0]), older=ident(items[-1]))
        before = None  # reached the newest: show the first page, full, rather than a stub
    paged = stmt if before is None else stmt.where(key < before)
    rows = list(run(paged.order_by(key.desc()).limit(limit + 1)))
    if not rows and before is not None:
        return _keyset(run, stmt, key, ident, None, None, limit)  # past the oldest: start over
    items = rows[:limit]
    return Page(
        items,
        newer=ident(items[0]) if before is not None and items else None,
        older=ident(items[-1]) if len(rows) > limit else None,
    )


def _names(db: Session, rows: Sequence[Any]) -> tuple[dict[int, AppealCategory], dict[int, str]]:
    """Categories and assignee names for a batch of rows (two small, indexed queries)."""
    by_id = {category.id: category for category in categories(db)}
    staff_ids = {row.assignee_id for row in rows if row.assignee_id is not None}
    names: dict[int, str] = {}
    if staff_ids:
        query = select(Staff.id, Staff.display_name).where(Staff.id.in_(staff_ids))
        names = {row.id: row.display_name for row in db.execute(query)}
    return by_id, names


_Common = tuple[int, str, datetime, str, str, str, str, AppealStatus, date, str, bool, Columns]


def _common(
    row: Any, by_id: dict[int, AppealCategory], names: dict[int, str], units: UnitNames
) -> _Common:
    """The values every ledger row has, in LedgerRow's field order."""
    category = by_id[row.category_id]
    return (
        row.id,
        row.reference,
        row.created_at,
        row.company_name,
        category.code,
        category.name_zh,
        category.name_en,
        row.status,
        row.due_date,
        names.get(row.assignee_id, ""),
        row.status is AppealStatus.CLOSED and row.rating is Rating.DISSATISFIED,
        units.columns(row),
    )


def _list_rows(db: Session, rows: Sequence[Any]) -> list[LedgerRow]:
    by_id, names = _names(db, rows)
    units = UnitNames.of(db, rows)
    return [LedgerRow(*_common(row, by_id, names, units)) for row in rows]


def _export_rows(db: Session, rows: Sequence[Any]) -> list[ExportRow]:
    by_id, names = _names(db, rows)
    units = UnitNames.of(db, rows)
    return [
        ExportRow(
            *_common(row, by_id, names, units),
            company_uscc=row.company_uscc,
            contact_name=row.contact_name,
            contact_mobile=row.contact_mobile,
            description=row.description,
            resolved_at=row.resolved_at,
            rating=row.rating.value if row.rating else "",
            rating_reason=row.rating_reason,
        )
        for row in rows
    ]


def list_appeals(
    db: Session,
    wanted: AppealFilter,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> Page[LedgerRow]:
    """One page of the appeals matching `wanted`, newest first."""
    stmt = select(*_LIST_COLUMNS).where(*_conditions(db, wanted))
    page = _keyset(
        lambda s: db.execute(s).all(),
        stmt,
        Appeal.id,
        lambda row: int(row.id),
        before,
        after,
        limit,
    )
    return Page(_list_rows(db, page.items), newer=page.newer, older=page.older)


def count_appeals(db: Session, wanted: AppealFilter) -> int:
    """How many appeals match `wanted`."""
    stmt = select(func.count()).select_from(Appeal).where(*_conditions(db, wanted))
    return db.scalar(stmt) or 0


def follow_up_counts(db: Session, today: date) -> FollowUpCounts:
    """How many appeals are in the follow-up queue, overdue and due today (three index counts)."""
    return FollowUpCounts(
        follow_up=count_appeals(db, AppealFilter(follow_up=True)),
        overdue=count_appeals(db, AppealFilter(overdue_on=today)),
        due_today=count_appeals(db, AppealFilter(due_on=today)),
    )


def iter_appeals(
    db: Session, wanted: AppealFilter, *, batch: int = EXPORT_BATCH
) -> Iterator[ExportRow]:
    """Every appeal matching `wanted`, newest first, fetched in keyset batches (for export)."""
    stmt = select(*_EXPORT_COLUMNS).where(*_conditions(db, wanted)).order_by(Appeal.id.desc())
    last: int | None = None
    while True:
        batch_stmt = stmt if last is None else stmt.where(Appeal.id < last)
        rows = db.execute(batch_stmt.limit(batch)).all()
        yield from _export_rows(db, rows)
        if len(rows) < batch:
            return
        last = int(rows[-1].id)


def record_export(db: Session, actor: Actor, wanted: AppealFilter) -> None:
    """Write the audit entry for an export of the ledger, before any row goes out."""
    with transaction(db):
        audit.record(db, actor, "appeal.export", "appeal", "*", **wanted.describe())


def get_appeal(db: Session, reference: str) -> Appeal:
    """An appeal with its whole timeline (internal notes too), tenant and assignee loaded."""
    query = (
        select(Appeal)
        .where(Appeal.reference == reference.strip().upper())
        .options(
            selectinload(Appeal.events).joinedload(AppealEvent.staff),
            joinedload(Appeal.tenant).joinedload(Tenant.building),
            joinedload(Appeal.assignee),
            joinedload(Appeal.category),
        )
    )
    appeal = db.scalar(query) if len(reference) <= 40 else None
    if appeal is None:
        raise NotFound()
    return appeal


def audit_page(
    db: Session,
    wanted: audit.AuditFilter | None = None,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> Page[AuditLog]:
    """One page of the audit log, newest first, with each entry's staff member loaded."""
    stmt = select(AuditLog).options(joinedload(AuditLog.staff))
    if wanted is not None:
        stmt = stmt.where(*wanted.conditions())
    return _keyset(
        lambda s: db.scalars(s).all(),
        stmt,
        AuditLog.id,
        lambda entry: entry.id,
        before,
        after,
        limit,
    )
