"""The message outbox: a message is a row written with the change it tells of, once per event.

`tell_tenant` and `notify_staff` add rows in the caller's transaction; the worker sends them
(never in a request). The dedupe key names the event, so a second enqueue of the same event
(a form sent twice, a retried transaction) adds nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Appeal, Channel, MessageState, Notification, Staff
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.text import mask_mobile

MAX_BACKOFF = 3600.0  # seconds
FIRST_BACKOFF = 30.0  # seconds before the second try; doubled for each one after
MOBILE_LENGTH = 11
WAITING = (MessageState.QUEUED, MessageState.SENDING)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 30 s, 1, 2, 4 … minutes, ≤ 1 h."""
    return timedelta(seconds=min(FIRST_BACKOFF * 2.0 ** max(attempts - 1, 0), MAX_BACKOFF))


def enqueue(db: Session, **values: Any) -> bool:
    """Add one message in the caller's transaction; False when its event was queued before."""
    scope.admit(db, Notification, building_code=values["building_code"])
    row = {
        "recipient": "",
        "recipient_masked": "",
        "staff_id": None,
        "subject_type": "",
        "subject_ref": "",
        "state": MessageState.QUEUED,
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "last_error": "",
        "provider": "",
        "provider_message_id": "",
        "claimed_by": "",
        "created_at": utcnow(),
        **values,
    }
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Notification)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    # RETURNING says whether a row went in (rowcount is not reliable for ORM inserts).
    return db.execute(statement.returning(Notification.id)).first() is not None


def tell_tenant(db: Session, appeal: Appeal, template: str, text: str = "") -> bool:
    """Queue an SMS telling the appeal's tenant of `template` (answered, needs information,
    resolved) with the status link; the same event with the same text is told once."""
    mobile = appeal.contact_mobile
    if len(mobile) != MOBILE_LENGTH or not mobile.isdigit():
        return False  # nobody to tell
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return enqueue(
        db,
        channel=Channel.SMS,
        audience="tenant",
        recipient=mobile,
        recipient_masked=mask_mobile(mobile),
        template=template,
        locale=appeal.locale,
        params={"reference": appeal.reference, "token": appeal.token},
        dedupe_key=f"appeal:{appeal.id}:{appeal.reopen_count}:{template}:{digest}",
        subject_type="appeal",
        subject_ref=appeal.reference,
        building_code=appeal.building_code,
    )


def staff_channels(settings: Settings) -> list[Channel]:
    """Where staff news goes: every configured robot, else the log."""
    found = [Channel.WECOM] if settings.wecom_webhook_url else []
    if settings.dingtalk_webhook_url:
        found.append(Channel.DINGTALK)
    return found or [Channel.LOG]


def notify_staff(
    db: Session,
    staff: Staff,
    event: str,
    *,
    settings: Settings,
    key: str,
    building_code: str,
    reference: str,
    subject_type: str = "appeal",
    title: str = "",
    due: str = "",
    link: str = "",
) -> int:
    """Queue news for an officer (`event`: "handed_off", "due_soon", "overdue") on every staff
    channel, in the caller's transaction; `key` names the occasion (e.g. the hand-off's id and
    due date), so the same occasion is told once. Returns how many messages were queued."""
    params = {"name": staff.display_name, "reference": reference, "title": title, "due": due}
    queued = 0
    for channel in staff_channels(settings):
        queued += enqueue(
            db,
            channel=channel,
            audience="staff",
            recipient_masked=staff.display_name,
            staff_id=staff.id,
            template=event,
            locale=settings.default_locale,
            params={**params, "link": link},
            dedupe_key=f"staff:{staff.id}:{event}:{key}:{channel.value}"[:120],
            subject_type=subject_type,
            subject_ref=reference,
            building_code=building_code,
        )
    return queued


# ---- for staff: what was sent, what failed, and trying again --------------------------------


@dataclass(frozen=True)
class Counts:
    """How many messages wait and how many failed, in the reader's reach."""

    waiting: int
    failed: int


def counts(db: Session) -> Counts:
    """Messages waiting and failed (the session's scope applies)."""
    found = db.execute(select(Notification.state, func.count()).group_by(Notification.state))
    rows: dict[MessageState, int] = {row[0]: row[1] for row in found}
    return Counts(sum(rows.get(s, 0) for s in WAITING), rows.get(MessageState.FAILED, 0))


def listing(db: Session, state: MessageState | None, limit: int = 100) -> list[Notification]:
    """The newest messages in one state, or (None) those not sent: failed first, then waiting."""
    failed_first = case((Notification.state == MessageState.FAILED, 0), else_=1)
    query = select(Notification).order_by(failed_first, Notification.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Notification.state == state)
    else:
        query = query.where(Notification.state != MessageState.SENT)
    return list(db.scalars(query))


def for_subject(db: Session, subject_type: str, subject_ref: str) -> list[Notification]:
    """Every message about one record (an appeal's SMS), oldest first."""
    query = (
        select(Notification)
        .where(Notification.subject_type == subject_type, Notification.subject_ref == subject_ref)
        .order_by(Notification.id)
    )
    return list(db.scalars(query))


def retry(db: Session, message_id: int, actor: Actor) -> Notification:
    """Staff send a failed message again (one that may have arrived, only on purpose)."""
    with transaction(db):
        row = db.get(Notification, message_id, with_for_update=True, populate_existing=True)
        if row is None:
            raise NotFound()
        if row.state is not MessageState.FAILED:
            raise Conflict(_l("Only a message that failed can be sent again."))
        row.state, row.attempts, row.last_error = MessageState.QUEUED, 0, ""
        row.next_attempt_at, row.claimed_by, row.claimed_at, row.sending_at = (
            utcnow(), "", None, None,
        )  # fmt: skip
        entry = audit.record(
            db, actor, "message.retry", "message", str(row.id),
            template=row.template, subject=row.subject_ref, channel=row.channel.value,
        )  # fmt: skip
        entry.building_code = row.building_code  # read by the building's staff, as the message
    return row
