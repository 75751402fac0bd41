"""The organisation's tree: finding units, and what the officer's own unit is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import ValidationFailed
from kiosk.models import Unit, UnitKind, root_unit


def unit_for_code(db: Session, code: str, *, field: str = "unit") -> Unit:
    """The unit with this code ("" is the city at the root). A code no unit has names a building
    set up by its code alone (as `kiosk staff create --building` always has): its unit is made
    under the city."""
    code = code.strip().lower()
    if not code:
        return root_unit(db)
    found = db.scalar(select(Unit).where(Unit.code == code))
    if found is not None:
        return found
    if len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationFailed(fields={field: _l("No unit has that code.")})
    made = Unit(code=code, kind=UnitKind.BUILDING, name_zh=code, name_en=code, parent=root_unit(db))
    db.add(made)
    db.flush()
    return made
