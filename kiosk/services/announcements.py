"""Announcements staff put on the lobby's attract screen: create, edit, withdraw, and read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Announcement
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.text import clean_text

TEXT_MAX = 200  # characters per language: read from across a lobby, so short
SHOWN_MAX = 3  # announcements on the attract screen at once; more would not be read
PAST_SHOWN = 50  # ended or withdrawn announcements listed for staff


@dataclass(frozen=True)
class AnnouncementDraft:
    """What staff typed; times are timezone-aware, `starts_at` None means now."""

    text_zh: str
    text_en: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Listing:
    """A building's announcements as staff see them."""

    current: list[Announcement]
    upcoming: list[Announcement]
    past: list[Announcement]


def _showing(now: datetime) -> Any:
    return (
        Announcement.active.is_(True),
        Announcement.starts_at <= now,
        or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
    )


def current(db: Session, building_code: str, now: datetime | None = None) -> list[Announcement]:
    """What the attract screen shows now: active, started, not ended; newest first."""
    now = now or utcnow()
    query = (
        select(Announcement)
        .where(Announcement.building_code == building_code, *_showing(now))
        .order_by(Announcement.starts_at.desc(), Announcement.id.desc())
        .limit(SHOWN_MAX)
    )
    return list(db.scalars(query))


def listing(db: Session, building_code: str, now: datetime | None = None) -> Listing:
    """Current (newest first), upcoming (soonest first) and past (newest written first: a
    withdrawal has no time of its own to sort by)."""
    now = now or utcnow()
    mine = Announcement.building_code == building_code
    showing = db.scalars(
        select(Announcement)
        .where(mine, *_showing(now))
        .order_by(Announcement.starts_at.desc(), Announcement.id.desc())
    )
    upcoming = db.scalars(
        select(Announcement)
        .where(mine, Announcement.active.is_(True), Announcement.starts_at > now)
        .order_by(Announcement.starts_at, Announcement.id)
    )
    past = db.scalars(
        select(Announcement)
        .where(mine, or_(Announcement.active.is_(False), Announcement.ends_at <= now))
        .order_by(Announcement.id.desc())
        .limit(PAST_SHOWN)
    )
    return Listing(list(showing), list(upcoming), list(past))


def get(db: Session, announcement_id: int, building_code: str) -> Announcement:
    """One of the building's announcements, or NotFound."""
    found = db.get(Announcement, announcement_id)
    if found is None or found.building_code != building_code:
        raise NotFound()
    return found


@dataclass(frozen=True)
class _Clean:
    text_zh: str
    text_en: str
    starts_at: datetime
    ends_at: datetime | None


def _cleaned(draft: AnnouncementDraft, now: datetime) -> _Clean:
    """The draft with its text cleaned and its start filled in, or ValidationFailed."""
    text_zh = clean_text(draft.text_zh, multiline=True).text
    text_en = clean_text(draft.text_en, multiline=True).text
    starts_at = draft.starts_at or now
    problems: dict[str, Any] = {}
    if not text_zh:
        problems["text_zh"] = _l("Enter the announcement in Chinese.")
    elif len(text_zh) > TEXT_MAX:
        problems["text_zh"] = _l("Keep it to %(n)s characters or fewer.", n=TEXT_MAX)
    if len(text_en) > TEXT_MAX:
        problems["text_en"] = _l("Keep it to %(n)s characters or fewer.", n=TEXT_MAX)
    if draft.ends_at is not None and draft.ends_at <= starts_at:
        problems["ends_at"] = _l("The end must be after the start.")
    elif draft.ends_at is not None and draft.ends_at <= now:
        problems["ends_at"] = _l("The end must be in the future.")
    if problems:
        raise ValidationFailed(_l("Check the announcement."), fields=problems)
    return _Clean(text_zh, text_en, starts_at, draft.ends_at)


def _describe(item: Announcement) -> dict[str, Any]:
    # In UTC: a time typed in the kiosk's zone and the same time read back from the database
    # must compare equal, or every save would be audited as a change of times.
    return {
        "text_zh": item.text_zh,
        "text_en": item.text_en,
        "starts_at": item.starts_at.astimezone(UTC).isoformat(),
        "ends_at": item.ends_at.astimezone(UTC).isoformat() if item.ends_at else None,
    }


def create(db: Session, building_code: str, draft: AnnouncementDraft, actor: Actor) -> Announcement:
    """Publish an announcement (audited); it shows from its start until its end, if any."""
    clean = _cleaned(draft, utcnow())
    with transaction(db):
        item = Announcement(
            building_code=building_code,
            text_zh=clean.text_zh,
            text_en=clean.text_en,
            starts_at=clean.starts_at,
            ends_at=clean.ends_at,
            active=True,
            staff_id=actor.staff_id,
        )
        db.add(item)
        db.flush()
        audit.record(
            db, actor, "announcement.create", "announcement", str(item.id), **_describe(item)
        )
    return item


def update(
    db: Session, announcement_id: int, building_code: str, draft: AnnouncementDraft, actor: Actor
) -> Announcement:
    """Change an active announcement's text or times (audited with the old and new values)."""
    with transaction(db):
        item = get(db, announcement_id, building_code)
        if not item.active:
            raise Conflict(_l("This announcement has been withdrawn and can no longer be changed."))
        # An edit without a start keeps the original start rather than restarting it now.
        clean = _cleaned(
            AnnouncementDraft(
                draft.text_zh, draft.text_en, draft.starts_at or item.starts_at, draft.ends_at
            ),
            utcnow(),
        )
        before = _describe(item)
        item.text_zh, item.text_en = clean.text_zh, clean.text_en
        item.starts_at = clean.starts_at
        item.ends_at = clean.ends_at
        after = _describe(item)
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        audit.record(db, actor, "announcement.update", "announcement", str(item.id), **changed)
    return item


def deactivate(db: Session, announcement_id: int, building_code: str, actor: Actor) -> Announcement:
    """Take an announcement off the screen for good (audited); doing it twice is harmless."""
    with transaction(db):
        item = get(db, announcement_id, building_code)
        if item.active:
            item.active = False
            audit.record(
                db, actor, "announcement.deactivate", "announcement", str(item.id),
                text_zh=item.text_zh,
            )  # fmt: skip
    return item
