"""Liaison officers (联企干部): who may look after a company of the list."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Staff, Unit, UnitKind
from kiosk.services.units import reachable
from kiosk.text import is_whole

NOT_AN_OFFICER = _l("Choose a liaison officer from the list: an active officer of your unit.")


def _eligible(db: Session) -> Select[Staff]:
    """Active accounts of a unit in reach that is not a department (a department's staff take
    what is handed to them; they do not look after companies)."""
    query = (
        select(Staff)
        .join(Unit, Staff.unit_id == Unit.id)
        .where(Staff.active, Unit.kind != UnitKind.DEPARTMENT)
    )
    return query.where(Staff.unit_id.in_(reachable(db, select(Unit.id))))


def officer_choices(db: Session) -> list[Staff]:
    """The officers a company in reach may be given, by name."""
    return list(db.scalars(_eligible(db).order_by(Staff.display_name, Staff.id)))


def find_officer(db: Session, value: str, *, field: str = "officer") -> Staff | None:
    """The officer a form or a sheet names, by account id or username ("" is none);
    ValidationFailed on `field` when it is not an eligible officer."""
    text = value.strip()
    if not text:
        return None
    if is_whole(text) and len(text) < 10:
        found = db.scalar(_eligible(db).where(Staff.id == int(text)))
    else:
        found = db.scalar(_eligible(db).where(Staff.username == text.lower()))
    if found is None:
        raise ValidationFailed(fields={field: NOT_AN_OFFICER})
    return found
