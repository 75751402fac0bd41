"""Scope by construction: what a staff member or an API token may reach, applied by the
request's database session to every query, never view by view.

Access control (kiosk.access) decides who is asking and calls `enter` with their `Reach`. From
then on the session adds, to every ORM statement it runs (select, `Session.get`, relationship
loads, ORM UPDATE and DELETE), the criteria of every scoped model in `RULES`; and before every
flush it refuses a new or changed row the reach does not admit. A record out of reach is
therefore absent: a view asking for it by id gets NotFound (404), a list leaves it out, a write
for another building or kiosk is refused with `OutOfReach` (also a 404).

The one rule for everyone else: in a request, read and write scoped models only through the
request's session (`kiosk.db.get_session()`, or `open_session` for a second one) and with
ORM statements on the model (`select(Model)`, `select(Model.column)`, `db.get`, `update(Model)`).
A Core statement on a model's table, raw SQL, or a fresh session from the sessionmaker bypasses
the scope; a service that must write that way calls `admit(db, Model, column=value, …)` first.

Who reaches what is decided in one function per kind of caller (`for_staff`, `for_token`): the
organisation's tree, when it comes, changes only those two and the `Reach` they return.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol

from sqlalchemy import ColumnElement, event, false, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from kiosk.config import Settings
from kiosk.errors import NotFound
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Announcement,
    ApiToken,
    Appeal,
    AppealEvent,
    Application,
    ApplicationEvent,
    Assignment,
    AuditLog,
    BenefitClaim,
    Building,
    CommonProblem,
    ConfigVersion,
    Event,
    EventSignup,
    InvoiceSlot,
    Kiosk,
    KioskAlert,
    KioskCommand,
    KioskLog,
    Licence,
    LicencePrint,
    Meeting,
    Notification,
    PolicyNotice,
    PrinterState,
    PrintJob,
    ProblemAppeal,
    ProblemEvent,
    Room,
    Staff,
    Tenant,
    TenantMove,
    Unit,
    UnitKind,
    Visit,
    VisitPolicy,
    VisitProblem,
)

_KEY = "kiosk.reach"


Key = Literal["building", "kiosk", "unit"]


@dataclass(frozen=True)
class Reach:
    """The units, buildings and kiosks a caller may see and change; None is every one.

    `units` are the ids of the caller's unit and every unit under it; `buildings` the codes of
    the building units among them (records are filed under a building's code); `kiosks` the
    kiosks standing in those buildings."""

    buildings: frozenset[str] | None = None
    kiosks: frozenset[str] | None = None
    units: frozenset[str] | None = None

    def __post_init__(self) -> None:
        # A reach limited in one way and not another would leave, say, companies unlimited for
        # an officer limited to a building: refuse to make one.
        limits = {self.buildings is None, self.kiosks is None, self.units is None}
        if len(limits) != 1:
            raise ValueError("a reach limits buildings, kiosks and units together, or none")

    @property
    def everything(self) -> bool:
        """Whether nothing is out of reach (the whole city, the whole fleet)."""
        return self.buildings is None and self.kiosks is None and self.units is None

    def allowed(self, key: Key) -> frozenset[str] | None:
        """The buildings, kiosks or units (ids as text) in reach (None: every one)."""
        if key == "building":
            return self.buildings
        return self.kiosks if key == "kiosk" else self.units


EVERYTHING = Reach()


class OutOfReach(NotFound):
    """A write for a building or kiosk the caller may not reach: answered as if it were absent."""

    def default_message(self) -> Any:
        """The message when none is given."""
        return _l("We could not find that.")


class Rule(Protocol):
    """How the rows of one model belong to a building or a kiosk."""

    def criteria(self, model: Any, reach: Reach) -> ColumnElement[bool] | None:
        """The condition a row must meet to be in reach (None: no limit)."""

    def admits(self, db: Session, reach: Reach, row: Any) -> bool:
        """Whether this new or changed row is in reach."""


@dataclass(frozen=True)
class Own:
    """The row names its building or kiosk in `column`; with `shared`, "" is everyone's to read
    (an event for every building, the fleet's configuration) and only the whole reach's to write."""

    column: str
    key: Key
    shared: bool = False

    def criteria(self, model: Any, reach: Reach) -> ColumnElement[bool] | None:
        """The column in the reach's buildings or kiosks (or "", when shared)."""
        allowed = reach.allowed(self.key)
        if allowed is None:
            return None
        column = getattr(model, self.column)
        values: list[Any] = sorted(allowed)
        if self.key == "unit":
            values = [int(v) for v in values]
        condition: ColumnElement[bool] = column.in_(values) if allowed else false()
        return or_(condition, column == "") if self.shared else condition

    def admits(self, db: Session, reach: Reach, row: Any) -> bool:
        """Whether the row's building, kiosk or unit is in reach."""
        allowed = reach.allowed(self.key)
        if allowed is None:
            return True
        value = getattr(row, self.column)
        if self.key == "unit":
            # A unit set as an object (row.unit = …) has its id only after the flush.
            unit = getattr(row, "unit", None) if value is None else None
            value = unit.id if unit is not None else value
            return value is not None and str(value) in allowed
        return value in allowed


@dataclass(frozen=True)
class Logged(Own):
    """A record of what was done (the audit log): read within reach, and always written."""

    def admits(self, db: Session, reach: Reach, row: Any) -> bool:
        """An entry is written whoever acted; who may read it is the criteria's business."""
        return True


@dataclass(frozen=True)
class Through:
    """The row belongs to a parent row (`column` is its key) that `rule` scopes."""

    column: str
    parent: type[Any]
    rule: Rule

    def criteria(self, model: Any, reach: Reach) -> ColumnElement[bool] | None:
        """The row's parent in reach, as a subquery."""
        parent_condition = self.rule.criteria(self.parent, reach)
        if parent_condition is None:
            return None
        parents = select(self.parent.id).where(parent_condition)
        condition: ColumnElement[bool] = getattr(model, self.column).in_(parents)
        return condition

    def admits(self, db: Session, reach: Reach, row: Any) -> bool:
        """Whether the row's parent is in reach (one query, only for a limited reach)."""
        condition = self.rule.criteria(self.parent, reach)
        key = getattr(row, self.column)
        if condition is None or key is None:
            return True
        with db.no_autoflush:
            found = db.scalar(select(self.parent.id).where(self.parent.id == key, condition))
        return found is not None


@dataclass(frozen=True)
class Either:
    """The row is in reach if any of `rules` admits it."""

    rules: tuple[Rule, ...]

    def criteria(self, model: Any, reach: Reach) -> ColumnElement[bool] | None:
        """Any of the rules' conditions."""
        conditions = [rule.criteria(model, reach) for rule in self.rules]
        if any(c is None for c in conditions):
            return None
        return or_(*(c for c in conditions if c is not None))

    def admits(self, db: Session, reach: Reach, row: Any) -> bool:
        """Whether any rule admits the row."""
        return any(rule.admits(db, reach, row) for rule in self.rules)


@dataclass(frozen=True)
class Handed:
    """The row (an appeal) was handed to a department in the reach: a row of `link` names the
    row in `key` and the department in `unit` (a department's staff reach no building)."""

    link: type[Any]
    key: str
    unit: str

    def _handed(self, reach: Reach) -> Any:
        units = sorted(int(value) for value in reach.units or ())
        link = self.link
        return select(getattr(link, self.key)).where(getattr(link, self.unit).in_(units))

    def criteria(self, model: Any, reach: Reach) -> ColumnElement[bool] | None:
        """The row's id among those handed to the reach's units."""
        if reach.units is None:
            return None
        if not reach.units:
            return false()
        condition: ColumnElement[bool] = model.id.in_(self._handed(reach))
        return condition

    def admits(self, db: Session, reach: Reach, row: Any) -> bool:
        """Whether the row was handed to one of the reach's units (one query)."""
        if reach.units is None:
            return True
        if row.id is None or not reach.units:
            return False
        with db.no_autoflush:
            handed = self._handed(reach).where(getattr(self.link, self.key) == row.id)
            return db.scalar(handed.limit(1)) is not None


@dataclass(frozen=True)
class Holding:
    """The row (a common problem) is in reach when it holds a row of `link`, naming it in
    `key`, that `rule` admits: a building's officer sees the problem their appeal is in."""

    link: type[Any]
    key: str
    rule: Rule

    def criteria(self, model: Any, reach: Reach) -> ColumnElement[bool] | None:
        """The row's id among those its reachable links name."""
        inner = self.rule.criteria(self.link, reach)
        if inner is None:
            return None
        condition: ColumnElement[bool] = model.id.in_(
            select(getattr(self.link, self.key)).where(inner)
        )
        return condition

    def admits(self, db: Session, reach: Reach, row: Any) -> bool:
        """Whether a reachable link names the row (one query; a new row has none yet)."""
        inner = self.rule.criteria(self.link, reach)
        if inner is None:
            return True
        if row.id is None:
            return False
        with db.no_autoflush:
            key = getattr(self.link, self.key)
            return db.scalar(select(key).where(key == row.id, inner).limit(1)) is not None


BUILDING = Own("building_code", "building")
# An appeal is its building's, and also each department's it was handed to (交办).
APPEAL = Either((BUILDING, Handed(Assignment, "appeal_id", "department_id")))
KIOSK = Own("kiosk_id", "kiosk")
TENANT = Through("building_id", Building, Own("code", "building"))
# A company is on one unit's list (its building's, or a street's, park's or district's).
COMPANY = Own("unit_id", "unit")
VISIT = Own("unit_id", "unit")
# A common problem is its owner unit's (a district's or the city's); an appeal in it is scoped as
# appeals are, and shows the problem to those who reach the appeal.
IN_PROBLEM = Through("appeal_id", Appeal, APPEAL)
PROBLEM = Either((Own("unit_id", "unit"), Holding(ProblemAppeal, "problem_id", IN_PROBLEM)))
# Every scoped model, and how its rows belong to a building or a kiosk. A model left out is
# visible to everyone who may open the view (staff accounts, the policy catalogue, categories).
RULES: dict[type[Any], Rule] = {
    Appeal: APPEAL,
    AppealEvent: Through("appeal_id", Appeal, APPEAL),
    # A hand-off: its appeal's building's, and the department's it was handed to.
    Assignment: Either((BUILDING, Own("department_id", "unit"))),
    Application: BUILDING,
    ApplicationEvent: Through("application_id", Application, BUILDING),
    BenefitClaim: Through("application_id", Application, BUILDING),
    Announcement: BUILDING,
    AuditLog: Logged("building_code", "building"),  # "": fleet-wide, the whole reach's only
    InvoiceSlot: BUILDING,
    Event: Own("building_code", "building", shared=True),
    # A sign-up for an event of every building: seen by the building whose kiosk took it.
    EventSignup: Either((Through("event_id", Event, Own("building_code", "building")), KIOSK)),
    Tenant: COMPANY,
    TenantMove: Through("tenant_id", Tenant, COMPANY),
    Room: TENANT,
    Licence: Through("tenant_id", Tenant, COMPANY),
    LicencePrint: KIOSK,
    PolicyNotice: Through("tenant_id", Tenant, COMPANY),
    Kiosk: Own("id", "kiosk"),
    KioskAlert: KIOSK,
    KioskCommand: KIOSK,
    KioskLog: KIOSK,
    ConfigVersion: Own("kiosk_id", "kiosk", shared=True),
    PrintJob: KIOSK,
    PrinterState: KIOSK,
    Notification: BUILDING,
    # A visit is filed under the company's unit, like the company: a district reaches its
    # buildings' visits, a building's officer theirs, a department's none.
    Visit: VISIT,
    VisitProblem: Through("visit_id", Visit, VISIT),
    VisitPolicy: Through("visit_id", Visit, VISIT),
    CommonProblem: PROBLEM,
    ProblemAppeal: IN_PROBLEM,
    Meeting: Through("problem_id", CommonProblem, PROBLEM),
    ProblemEvent: Through("problem_id", CommonProblem, PROBLEM),
}


NOTHING = Reach(frozenset(), frozenset(), frozenset())


def for_staff(db: Session, staff: Staff, settings: Settings) -> Reach:
    """What a staff member reaches: their unit and every unit under it — the whole city for
    the city's officers; a district's buildings for its 专班; their building for a building's
    officer; for a department's, the department (what was handed to it), no building."""
    unit = db.get(Unit, staff.unit_id) if staff.unit_id is not None else None
    if unit is None:
        return NOTHING
    if unit.parent_id is None:
        return EVERYTHING
    rows = db.execute(
        select(Unit.id, Unit.code, Unit.kind).where(Unit.path.startswith(unit.path))
    ).all()
    buildings = frozenset(code for _, code, kind in rows if kind == UnitKind.BUILDING)
    units = frozenset(str(unit_id) for unit_id, _, _ in rows)
    return Reach(buildings, _kiosks_of(db, buildings, settings), units)


def for_token(db: Session, token: ApiToken, settings: Settings) -> Reach:
    """What an API token reaches: a maintainer's, everything; a kiosk's, that kiosk and the
    building it stands in (its announcements), nothing else."""
    if not token.kiosk_id:
        return EVERYTHING
    building = db.scalar(select(Kiosk.building_code).where(Kiosk.id == token.kiosk_id))
    if building is None and token.kiosk_id == settings.id:
        building = settings.building
    unit = db.scalar(select(Unit.id).where(Unit.code == building)) if building else None
    return Reach(
        frozenset({building} if building else ()),
        frozenset({token.kiosk_id}),
        frozenset({str(unit)} if unit is not None else ()),
    )


def _kiosks_of(db: Session, buildings: frozenset[str], settings: Settings) -> frozenset[str]:
    """The kiosks standing in these buildings, as they last reported (and this server's own)."""
    found = set(db.scalars(select(Kiosk.id).where(Kiosk.building_code.in_(sorted(buildings)))))
    if settings.building in buildings:
        found.add(settings.id)
    return frozenset(found)


def enter(db: Session, reach: Reach) -> None:
    """Limit the session to `reach` from now on (a request's scope is set once, at access)."""
    db.info[_KEY] = reach
    if reach.everything:
        return
    # Rows loaded before the scope was set would be found by Session.get without a query.
    for row in list(db.identity_map.values()):
        if type(row) in RULES:
            db.expunge(row)


def reach_of(db: Session) -> Reach:
    """The reach the session is limited to (everything outside a staff or token request)."""
    reach: Reach = db.info.get(_KEY, EVERYTHING)
    return reach


def open_session(factory: sessionmaker[Session], reach: Reach) -> Session:
    """A new session from `factory` limited to `reach` (e.g. to stream a CSV after the
    request's own session has closed: take `reach_of(get_session())` in the view)."""
    other = factory()
    other.info[_KEY] = reach
    return other


def admit(db: Session, model: type[Any], **values: Any) -> None:
    """Refuse (OutOfReach) a row of `model` with these values that the session may not reach:
    for writes made with Core statements, which the session cannot see."""
    reach, rule = reach_of(db), RULES.get(model)
    if rule is None or reach.everything:
        return
    if not rule.admits(db, reach, _Values(values)):
        raise OutOfReach()


class _Values:
    """Column values standing in for a row, for `admit`."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def reaches(db: Session, model: type[Any], **values: Any) -> bool:
    """Whether the session's reach admits a row of `model` with these values (e.g. to offer
    only reachable choices in a form)."""
    try:
        admit(db, model, **values)
    except OutOfReach:
        return False
    return True


# What an audit entry's target names, and where its building is written.
_TARGETS: dict[str, tuple[Any, Any]] = {
    "appeal": (Appeal.reference, Appeal.building_code),
    "application": (Application.reference, Application.building_code),
    "announcement": (Announcement.id, Announcement.building_code),
    "event": (Event.id, Event.building_code),
    "kiosk": (Kiosk.id, Kiosk.building_code),
    "visit": (Visit.reference, Visit.building_code),
}


def building_of(db: Session, target_type: str, target_id: str) -> str:
    """The building a record named as the audit log names it belongs to ("" if none or many)."""
    if target_type == "print_job":
        target_type, target_id = "kiosk", _job_kiosk(db, target_id)
    if target_type == "staff":
        return home_building(
            db, db.scalar(select(Staff.unit_id).where(Staff.username == target_id))
        )
    if target_type == "unit":  # a building unit's changes (its rooms too) are the building's
        return home_building(db, db.scalar(select(Unit.id).where(Unit.code == target_id)))
    if target_type not in _TARGETS or not target_id:
        return ""
    key, building = _TARGETS[target_type]
    if key.type.python_type is int:
        if not target_id.isascii() or not target_id.isdigit() or len(target_id) > 18:
            return ""
        found = db.scalar(select(building).where(key == int(target_id)))
    else:
        found = db.scalar(select(building).where(key == target_id))
    return str(found or "")


def home_building(db: Session, unit_id: int | None) -> str:
    """The building code of this unit when it is a building ("" for any other unit)."""
    if unit_id is None:
        return ""
    found = db.scalar(select(Unit.code).where(Unit.id == unit_id, Unit.kind == UnitKind.BUILDING))
    return found or ""


def _job_kiosk(db: Session, job_id: str) -> str:
    if not job_id.isascii() or not job_id.isdigit() or len(job_id) > 18:
        return ""
    return str(db.scalar(select(PrintJob.kiosk_id).where(PrintJob.id == int(job_id))) or "")


@lru_cache(maxsize=256)
def _options(reach: Reach) -> tuple[Any, ...]:
    options = []
    for model, rule in RULES.items():
        condition = rule.criteria(model, reach)
        if condition is not None:
            options.append(with_loader_criteria(model, condition, include_aliases=True))
    return tuple(options)


def _add_criteria(state: ORMExecuteState) -> None:
    """Every ORM statement of a limited session carries the criteria of every scoped model."""
    reach = state.session.info.get(_KEY)
    if reach is None or reach.everything:
        return
    if state.is_column_load or not (state.is_select or state.is_update or state.is_delete):
        return  # a refresh of a row already admitted; inserts are checked at flush
    state.statement = state.statement.options(*_options(reach))


def _check_writes(db: Session, _context: object, _instances: object) -> None:
    """Before a flush: every new or changed scoped row must be in reach."""
    reach = db.info.get(_KEY)
    if reach is None or reach.everything:
        return
    for row in _scoped(db.new, db.dirty):
        if not RULES[type(row)].admits(db, reach, row):
            raise OutOfReach()


def _scoped(*groups: Iterable[Any]) -> list[Any]:
    return [row for group in groups for row in group if type(row) in RULES]


def init_app(factory: sessionmaker[Session]) -> None:
    """Make the app's sessions apply the reach `enter` sets (inert until it is set)."""
    event.listen(factory, "do_orm_execute", _add_criteria)
    event.listen(factory, "before_flush", _check_writes)
