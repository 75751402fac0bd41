"""The central's side of a terminal's outbox: store each submission once, as the terminal took
it (the same reference, link token, content and sealed numbers), and answer with what it
stored, whether this is the first delivery or a repeat.

The terminal is the least trusted machine: what it sends is checked as the kiosk's own forms
would check it, its reference and token must carry its own short code, and a submission key
already stored by another kiosk is refused rather than answered with that kiosk's record.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.edge.links import short_code_of
from kiosk.edge.outbox import MODELS
from kiosk.errors import Conflict, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    Application,
    ApplicationEventKind,
    ApplicationStatus,
    EventKind,
    EventSignup,
    SignupStatus,
)
from kiosk.services.appeals.checks import (
    check_company_name,
    check_contact_name,
    check_description,
    check_mobile,
)

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _text(data: dict[str, Any], name: str, most: int) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > most:
        raise ValidationFailed(fields={name: _l("This is not a text of the right length.")})
    return value


def _when(data: dict[str, Any], name: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(data.get(name)))
    except ValueError:
        raise ValidationFailed(fields={name: _l("This is not a time.")}) from None
    if value.tzinfo is None:
        raise ValidationFailed(fields={name: _l("This is not a time.")})
    return value


def _id(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise ValidationFailed(fields={name: _l("This is not an id.")})
    return value


def _common(data: dict[str, Any], kiosk_id: str, short_code: str) -> dict[str, Any]:
    reference, token = _text(data, "reference", 24), _text(data, "token", 64)
    if f"-{short_code}-" not in reference or short_code_of(token) != short_code:
        raise ValidationFailed(
            fields={"reference": _l("A terminal's reference and link carry its own short code.")}
        )
    key = _text(data, "submission_key", 64)
    if not _KEY.match(key):
        raise ValidationFailed(fields={"submission_key": _l("This is not a submission key.")})
    return {
        "reference": reference, "token": token, "submission_key": key, "kiosk_id": kiosk_id,
        "locale": "en" if data.get("locale") == "en" else "zh_CN",
        "created_at": _when(data, "created_at"),
    }  # fmt: skip


def _appeal(db: Session, data: dict[str, Any], common: dict[str, Any], building: str) -> Appeal:
    category_id = _id(data, "category_id")
    if category_id is None:
        raise ValidationFailed(fields={"category_id": _l("Choose a category.")})
    appeal = Appeal(
        **common,
        building_code=building,
        tenant_id=_id(data, "tenant_id"),
        company_name=check_company_name(_text(data, "company_name", 100)).value,
        company_uscc=_text(data, "company_uscc", 18),
        category_id=category_id,
        description=check_description(_text(data, "description", 1000)).value,
        contact_name=check_contact_name(_text(data, "contact_name", 50)).value,
        contact_mobile=check_mobile(_text(data, "contact_mobile", 11)).value,
        status=AppealStatus.NEW,
        due_date=date.fromisoformat(_text(data, "due_date", 10)),
    )
    db.add(appeal)
    db.flush()
    db.add(
        AppealEvent(
            appeal_id=appeal.id, kind=EventKind.SUBMITTED, public=True,
            created_at=common["created_at"], data={"taken_offline_at": data.get("created_at")},
        )
    )  # fmt: skip
    return appeal


def _application(
    db: Session, data: dict[str, Any], common: dict[str, Any], building: str
) -> Application:
    from kiosk.services import applications

    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise ValidationFailed(fields={"answers": _l("This is not a set of answers.")})
    approved = data.get("status") == ApplicationStatus.APPROVED.value
    slot_id = _id(data, "slot_id")
    application = Application(
        **common,
        task=_text(data, "task", 30),
        building_code=building,
        tenant_id=_id(data, "tenant_id"),
        company_name=_text(data, "company_name", 100),
        company_uscc=_text(data, "company_uscc", 18),
        answers=answers,
        status=ApplicationStatus.APPROVED if approved else ApplicationStatus.SUBMITTED,
        pickup_code=_text(data, "pickup_code", 6),
        slot_id=slot_id,
        decided_at=common["created_at"] if approved else None,
    )
    if slot_id is not None:
        applications.book_slot(db, slot_id, common["created_at"])
    db.add(application)
    db.flush()
    applications.add_event(
        db, application, ApplicationEventKind.SUBMITTED, now=common["created_at"]
    )
    return application


def _signup(
    db: Session, data: dict[str, Any], common: dict[str, Any], building: str
) -> EventSignup:
    from kiosk.services.events import _locked, _take_seat

    event_id = _id(data, "event_id")
    if event_id is None:
        raise ValidationFailed(fields={"event_id": _l("Choose an event.")})
    _locked(db, event_id, "")
    # A place taken at a terminal while the link was down is confirmed here, on arrival: the
    # first to arrive (each terminal hands its submissions over in the order it took them).
    status = SignupStatus.CONFIRMED if _take_seat(db, event_id) else SignupStatus.WAITING
    signup = EventSignup(
        **common,
        event_id=event_id,
        tenant_id=_id(data, "tenant_id"),
        company_name=check_company_name(_text(data, "company_name", 100)).value,
        contact_name=_text(data, "contact_name", 50),
        mobile=check_mobile(_text(data, "mobile", 20)).value,
        status=status,
    )
    db.add(signup)
    db.flush()
    return signup


BUILDERS = {"appeal": _appeal, "application": _application, "signup": _signup}


def answer(kind: str, row: Any) -> dict[str, Any]:
    """What the central stored, as the terminal is told."""
    status = row.status.value if hasattr(row.status, "value") else str(row.status)
    return {"kind": kind, "reference": row.reference, "token": row.token, "status": status}


def receive(
    db: Session, kind: str, data: dict[str, Any], *, kiosk_id: str, building: str, short_code: str
) -> tuple[dict[str, Any], bool]:
    """Store one submission unless it is here already; (what is stored, whether it is new)."""
    if kind not in BUILDERS:
        raise ValidationFailed(fields={"kind": _l("Unknown kind of submission.")})
    model = MODELS[kind]
    common = _common(data, kiosk_id, short_code)

    def find() -> Any:
        return db.scalar(select(model).where(model.submission_key == common["submission_key"]))

    existing = find()
    if existing is None:
        try:
            with transaction(db):
                existing = find()
                if existing is None:
                    return answer(kind, BUILDERS[kind](db, data, common, building)), True
        except IntegrityError:
            existing = find()
            if existing is None:
                raise Conflict(
                    _l("This reference or link is taken by another submission.")
                ) from None
    if existing.kiosk_id != kiosk_id or existing.reference != common["reference"]:
        raise Conflict(_l("This submission key belongs to another submission."))
    return answer(kind, existing), False
