"""Events (营商课堂, training, matchmaking): staff publish them, tenants sign up at the kiosk.

Seats are counted on the event row (`Event.confirmed`). A sign-up takes a seat with one guarded
UPDATE, so two kiosks signing up for the last seat at once give one seat and one waiting place
on SQLite (writers are serialised) and on PostgreSQL (the second UPDATE waits for the first's
row lock, then sees the seat gone). Every other change to an event's seats takes the same row
lock first, so a seat freed by a cancellation always goes to the first sign-up waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Event, EventSignup, EventType, SignupStatus, Tenant
from kiosk.services import audit
from kiosk.services.appeals.checks import check_company_name, check_contact_name, check_mobile
from kiosk.services.audit import Actor
from kiosk.services.once import create_once
from kiosk.services.references import new_token, next_reference
from kiosk.text import clean_text

PREFIX = "HD"  # 活动: HD-20261124-0042
PAGE_SIZE = 5  # events a portrait screen shows without scrolling
TITLE_MAX = 200
PLACE_MAX = 200
URL_MAX = 300
AUDIENCE_MAX = 200
DESCRIPTION_MAX = 2000
CAPACITY_MAX = 10_000
PAST_SHOWN = 50  # past events listed for staff

KINDS = {
    EventType.CLASS: _l("Business class"),
    EventType.TRAINING: _l("Training"),
    EventType.MATCHMAKING: _l("Matchmaking"),
    EventType.OTHER: _l("Other event"),
}
STATUSES = {
    SignupStatus.CONFIRMED: _l("Place confirmed"),
    SignupStatus.WAITING: _l("On the waiting list"),
    SignupStatus.CANCELLED: _l("Cancelled"),
}


# ---- staff: publish, change, cancel ---------------------------------------------------------


@dataclass(frozen=True)
class EventDraft:
    """What staff typed; times are timezone-aware, `capacity` None when it was not a number."""

    title: str
    kind: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    online_url: str
    capacity: int | None
    audience: str = ""
    description: str = ""
    every_building: bool = False


def _text(
    value: str,
    field: str,
    limit: int,
    problems: dict[str, Any],
    *,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """Staff text: control characters are refused (not silently dropped), then the limit."""
    cleaned = clean_text(value, multiline=multiline)
    if cleaned.removed:
        problems[field] = _l("Remove the control or invisible characters from this text.")
    elif required and not cleaned.text:
        problems[field] = _l("This cannot be empty.")
    elif len(cleaned.text) > limit:
        problems[field] = _l("Keep it to %(n)s characters or fewer.", n=f"{limit:,}")
    return cleaned.text


def _url(value: str, problems: dict[str, Any]) -> str:
    url = _text(value, "online_url", URL_MAX, problems)
    if url and "online_url" not in problems:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
            problems["online_url"] = _l("Enter a web address starting with https://.")
    return url


def _checked(draft: EventDraft, now: datetime | None, building_code: str) -> dict[str, Any]:
    """The draft as column values, or ValidationFailed naming each field that is wrong."""
    problems: dict[str, Any] = {}
    values: dict[str, Any] = {
        "title": _text(draft.title, "title", TITLE_MAX, problems, required=True),
        "place": _text(draft.place, "place", PLACE_MAX, problems),
        "online_url": _url(draft.online_url, problems),
        "audience": _text(draft.audience, "audience", AUDIENCE_MAX, problems),
        "description": _text(
            draft.description, "description", DESCRIPTION_MAX, problems, multiline=True
        ),
        "building_code": "" if draft.every_building else building_code,
    }
    if draft.kind not in {kind.value for kind in EventType}:
        problems["kind"] = _l("Choose the kind of event.")
    else:
        values["kind"] = EventType(draft.kind)
    if not values["place"] and not values["online_url"]:
        problems.setdefault("place", _l("Give the place, or a web address for an online event."))
    if draft.starts_at is None:
        problems["starts_at"] = _l("Enter when the event starts.")
    elif now is not None and draft.starts_at <= now:
        problems["starts_at"] = _l("The start must be in the future.")
    if draft.ends_at is None:
        problems["ends_at"] = _l("Enter when the event ends.")
    elif draft.starts_at is not None and draft.ends_at <= draft.starts_at:
        problems["ends_at"] = _l("The end must be after the start.")
    if draft.capacity is None or not 1 <= draft.capacity <= CAPACITY_MAX:
        problems["capacity"] = _l(
            "Enter a number of places from 1 to %(n)s.", n=f"{CAPACITY_MAX:,}"
        )
    if problems:
        raise ValidationFailed(_l("Check the event."), fields=problems)
    values.update(starts_at=draft.starts_at, ends_at=draft.ends_at, capacity=draft.capacity)
    return values


def _describe(event: Event) -> dict[str, Any]:
    described = {
        name: getattr(event, name)
        for name in ("title", "place", "online_url", "capacity", "audience", "building_code")
    }
    described["kind"] = event.kind.value
    for name in ("starts_at", "ends_at"):
        described[name] = getattr(event, name).astimezone(UTC).isoformat()
    return described


def publish(db: Session, building_code: str, draft: EventDraft, actor: Actor) -> Event:
    """Publish an event for the building (or every building); audited."""
    values = _checked(draft, utcnow(), building_code)
    with transaction(db):
        event = Event(**values, published=True, cancelled=False, confirmed=0)
        db.add(event)
        db.flush()
        audit.record(db, actor, "event.create", "event", str(event.id), **_describe(event))
    return event


def change(
    db: Session, event_id: int, building_code: str, draft: EventDraft, actor: Actor
) -> Event:
    """Change an event (audited); more places go to the waiting list first, in order."""
    values = _checked(draft, None, building_code)
    with transaction(db):
        event = _locked(db, event_id, building_code)
        if event.cancelled:
            raise Conflict(_l("This event has been cancelled and can no longer be changed."))
        if values["capacity"] < event.confirmed:
            message = _l(
                "%(n)s people already have a place: the number of places cannot be lower.",
                n=event.confirmed,
            )
            raise ValidationFailed(message, fields={"capacity": message})
        before = _describe(event)
        for name, value in values.items():
            setattr(event, name, value)
        db.flush()
        _fill_seats(db, event)
        after = _describe(event)
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        audit.record(db, actor, "event.update", "event", str(event.id), **changed)
    return event


def cancel_event(db: Session, event_id: int, building_code: str, actor: Actor) -> Event:
    """Call an event off (audited); its sign-ups are kept and their status pages say so."""
    with transaction(db):
        event = _locked(db, event_id, building_code)
        if not event.cancelled:
            event.cancelled = True
            audit.record(db, actor, "event.cancel", "event", str(event.id), title=event.title)
    return event


def _mine(building_code: str) -> Any:
    if not building_code:
        return true()  # "": every building's events
    return or_(Event.building_code == building_code, Event.building_code == "")


def get_event(db: Session, event_id: int, building_code: str = "") -> Event:
    """One event of this building (or for every building), or NotFound."""
    event = db.get(Event, event_id)
    if event is None or (building_code and event.building_code not in ("", building_code)):
        raise NotFound()
    return event


def _locked(db: Session, event_id: int, building_code: str) -> Event:
    """The event with its row locked for the rest of the transaction (PostgreSQL)."""
    get_event(db, event_id, building_code)
    found = db.scalars(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return found


# ---- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventPage:
    """One page of upcoming events for the touchscreen."""

    events: list[Event]
    page: int
    pages: int
    total: int


def _open(now: datetime) -> tuple[Any, ...]:
    return (Event.published.is_(True), Event.cancelled.is_(False), Event.starts_at > now)


def upcoming(
    db: Session, building_code: str, now: datetime | None = None, page: int = 1
) -> EventPage:
    """Published events not yet started, soonest first ("" lists every building's)."""
    condition = (_mine(building_code), *_open(now or utcnow()))
    total = db.scalar(select(func.count()).select_from(Event).where(*condition)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.scalars(
        select(Event)
        .where(*condition)
        .order_by(Event.starts_at, Event.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return EventPage(list(rows), page, pages, total)


def open_event(
    db: Session, building_code: str, event_id: int, now: datetime | None = None
) -> Event:
    """An event a tenant can still sign up for, or NotFound."""
    event = db.scalar(
        select(Event).where(Event.id == event_id, _mine(building_code), *_open(now or utcnow()))
    )
    if event is None:
        raise NotFound(_l("This event is no longer open for sign-up."))
    return event


def waiting_counts(db: Session, event_ids: list[int]) -> dict[int, int]:
    """How many sign-ups wait for a place, per event."""
    rows = db.execute(
        select(EventSignup.event_id, func.count())
        .where(EventSignup.event_id.in_(event_ids), EventSignup.status == SignupStatus.WAITING)
        .group_by(EventSignup.event_id)
    )
    return {int(row[0]): int(row[1]) for row in rows}


def staff_listing(
    db: Session, building_code: str, now: datetime | None = None
) -> tuple[list[Event], list[Event]]:
    """Upcoming and running events (soonest first), then past ones (latest first)."""
    now = now or utcnow()
    coming = db.scalars(
        select(Event).where(_mine(building_code), Event.ends_at > now).order_by(Event.starts_at)
    )
    past = db.scalars(
        select(Event)
        .where(_mine(building_code), Event.ends_at <= now)
        .order_by(Event.starts_at.desc())
        .limit(PAST_SHOWN)
    )
    return list(coming), list(past)


def attendees(db: Session, event_id: int) -> list[EventSignup]:
    """Everyone who signed up: confirmed, then waiting (in order), then cancelled."""
    order = {SignupStatus.CONFIRMED: 0, SignupStatus.WAITING: 1, SignupStatus.CANCELLED: 2}
    rows = db.scalars(select(EventSignup).where(EventSignup.event_id == event_id))
    return sorted(rows, key=lambda signup: (order[signup.status], signup.id))


def record_export(db: Session, actor: Actor, event: Event) -> None:
    """Audit an export of the attendee list (personal data) before any row goes out."""
    with transaction(db):
        audit.record(db, actor, "event.export", "event", str(event.id), title=event.title)


def get_signup(db: Session, token: str) -> EventSignup:
    """A sign-up by its status link's token, or NotFound."""
    signup = db.scalar(select(EventSignup).where(EventSignup.token == token)) if token else None
    if signup is None:
        raise NotFound()
    return signup


def find_by_reference(db: Session, reference: str) -> EventSignup | None:
    """A sign-up by its reference number."""
    return db.scalar(select(EventSignup).where(EventSignup.reference == reference))


def position(db: Session, signup: EventSignup) -> int | None:
    """Where a waiting sign-up is on the list (1 is next), None when it is not waiting."""
    if signup.status is not SignupStatus.WAITING:
        return None
    ahead = db.scalar(
        select(func.count()).where(
            EventSignup.event_id == signup.event_id,
            EventSignup.status == SignupStatus.WAITING,
            EventSignup.id < signup.id,
        )
    )
    return (ahead or 0) + 1


# ---- tenants: sign up, cancel -----------------------------------------------------------------


@dataclass(frozen=True)
class SignupDraft:
    """What the tenant gave at the kiosk."""

    submission_key: str
    event_id: int
    tenant_id: int | None
    company_name: str
    contact_name: str
    mobile: str
    locale: str


SlipBuilder = Callable[[EventSignup, int | None], dict[str, Any]]


def sign_up(
    db: Session,
    settings: Settings,
    draft: SignupDraft,
    *,
    slip: SlipBuilder | None = None,
    now: datetime | None = None,
) -> EventSignup:
    """Sign up: a place if one is left, else the waiting list; the slip goes to the outbox.

    Sending the same draft twice (a double tap, a resubmitted form) returns the first sign-up.
    """
    if len(draft.submission_key) < 16:
        raise ValidationFailed(_l("This form is out of date. Please check your answers again."))
    now = now or utcnow()

    def create() -> EventSignup:
        # Sign-ups for one event take turns on its row (PostgreSQL; SQLite's writers take
        # turns anyway): the same form sent twice finds the first, and two kiosks sending the
        # same mobile at once cannot both pass the check for it.
        _locked(db, draft.event_id, "")
        existing = _by_key(db, draft.submission_key)
        if existing is not None:
            return existing
        signup = _new_signup(db, settings, draft, now)
        if slip is not None:
            from kiosk.services import printing

            printing.enqueue(
                db,
                kiosk_id=settings.id,
                kind="event_slip",
                subject=signup.reference,
                document=slip(signup, position(db, signup)),
            )
        return signup

    return create_once(db, lambda: _by_key(db, draft.submission_key), create)


def _by_key(db: Session, key: str) -> EventSignup | None:
    return db.scalar(select(EventSignup).where(EventSignup.submission_key == key))


def _new_signup(db: Session, settings: Settings, draft: SignupDraft, now: datetime) -> EventSignup:
    event = open_event(db, settings.building, draft.event_id, now)
    tenant = db.get(Tenant, draft.tenant_id) if draft.tenant_id is not None else None
    if draft.tenant_id is not None and (tenant is None or not tenant.active):
        raise ValidationFailed(fields={"tenant_id": _l("Choose your company again.")})
    mobile = check_mobile(draft.mobile).value
    taken = db.scalar(
        select(EventSignup.reference).where(
            EventSignup.event_id == event.id,
            EventSignup.mobile == mobile,
            EventSignup.status != SignupStatus.CANCELLED,
        )
    )
    if taken:
        message = _l(
            "This mobile number is already signed up for this event (reference %(ref)s).",
            ref=taken,
        )
        raise ValidationFailed(message, fields={"contact_mobile": message})
    status = SignupStatus.CONFIRMED if _take_seat(db, event.id) else SignupStatus.WAITING
    if status is SignupStatus.WAITING:
        # Full: wait for the event's row lock, so a cancellation that is freeing a place right
        # now either sees this sign-up waiting or has freed the place before the second try.
        _locked(db, event.id, "")
        if _take_seat(db, event.id):
            status = SignupStatus.CONFIRMED
    signup = EventSignup(
        event_id=event.id,
        reference=next_reference(db, PREFIX, now.astimezone(settings.zone).date()),
        token=new_token(),
        submission_key=draft.submission_key,
        kiosk_id=settings.id,
        tenant_id=tenant.id if tenant else None,
        company_name=tenant.name if tenant else check_company_name(draft.company_name).value,
        contact_name=check_contact_name(draft.contact_name).value,
        mobile=mobile,
        status=status,
        locale=draft.locale,
        created_at=now,
    )
    db.add(signup)
    db.flush()
    return signup


def _take_seat(db: Session, event_id: int) -> bool:
    """One guarded UPDATE: a seat if one is left (rowcount 1), else nothing changes."""
    result: Any = db.execute(
        update(Event)
        .where(Event.id == event_id, Event.confirmed < Event.capacity)
        .values(confirmed=Event.confirmed + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def _fill_seats(db: Session, event: Event) -> list[EventSignup]:
    """Give free places to the waiting list in order (the caller holds the event's lock)."""
    promoted = []
    while event.confirmed < event.capacity:
        waiting = db.scalar(
            select(EventSignup)
            .where(EventSignup.event_id == event.id, EventSignup.status == SignupStatus.WAITING)
            .order_by(EventSignup.id)
            .limit(1)
        )
        if waiting is None:
            break
        waiting.status = SignupStatus.CONFIRMED
        event.confirmed += 1
        promoted.append(waiting)
        db.flush()
    return promoted


def cancel_signup(db: Session, token: str, now: datetime | None = None) -> EventSignup:
    """Cancel by the status link's token; a freed place goes to the first waiting sign-up.

    Cancelling twice is harmless; an event that has started can no longer be cancelled from.
    """
    signup = get_signup(db, token)
    with transaction(db):
        event = _locked(db, signup.event_id, "")
        db.refresh(signup)
        if signup.status is SignupStatus.CANCELLED:
            return signup
        if event.starts_at <= (now or utcnow()) and not event.cancelled:
            raise Conflict(_l("The event has started: the sign-up can no longer be cancelled."))
        had_seat = signup.status is SignupStatus.CONFIRMED
        signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now or utcnow()
        if had_seat:
            event.confirmed -= 1
            db.flush()
            if not event.cancelled:
                _fill_seats(db, event)
    return signup
