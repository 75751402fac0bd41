"""Configuration pushed centrally: a few settings set for the whole fleet or for one kiosk,
checked by the same rules as the kiosk's own settings, kept as versions with who changed what.

A kiosk's settings are its own (file, environment), then the fleet's central values, then its
own central values. Each change is a new `ConfigVersion` row; its id is the version number.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import ConfigVersion

log = logging.getLogger("kiosk.fleet")
# What may be set centrally: what a lobby shows, and where its printers are.
CENTRAL = (
    "idle_seconds",
    "idle_countdown_seconds",
    "hotline",
    "complaint_qr_url",
    "announcement_banner",
    "receipt_printer",
    "licence_printer",
)


def current(db: Session, kiosk_id: str = "") -> ConfigVersion | None:
    """The newest version for the fleet (`kiosk_id` "") or for one kiosk, if any."""
    query = (
        select(ConfigVersion)
        .where(ConfigVersion.kiosk_id == kiosk_id)
        .order_by(ConfigVersion.id.desc())
        .limit(1)
    )
    return db.scalar(query)


def latest_version(db: Session, kiosk_id: str) -> int:
    """The number of the newest version that applies to a kiosk (0: none)."""
    query = select(func.max(ConfigVersion.id)).where(ConfigVersion.kiosk_id.in_(("", kiosk_id)))
    return db.scalar(query) or 0


def _values(version: ConfigVersion | None) -> dict[str, Any]:
    return dict(version.values) if version is not None else {}


def _merged(base: Settings, *layers: dict[str, Any]) -> Settings:
    values = base.model_dump()
    for layer in layers:
        values.update({k: v for k, v in layer.items() if k in CENTRAL})
    return Settings.model_validate(values)


def effective(db: Session, base: Settings) -> tuple[Settings, int]:
    """The kiosk's settings with the central values applied, and the version they come from."""
    fleet, own = current(db, ""), current(db, base.id)
    version = max((v.id for v in (fleet, own) if v is not None), default=0)
    return _merged(base, _values(fleet), _values(own)), version


def history(db: Session, kiosk_id: str | None = None, limit: int = 50) -> list[ConfigVersion]:
    """The newest versions (of one scope, or all), for "who changed what"."""
    query = select(ConfigVersion).order_by(ConfigVersion.id.desc()).limit(limit)
    if kiosk_id is not None:
        query = query.where(ConfigVersion.kiosk_id == kiosk_id)
    return list(db.scalars(query))


def change(
    db: Session, base: Settings, kiosk_id: str, values: dict[str, Any], changed_by: str
) -> ConfigVersion:
    """Set (or, with None, clear) central values for the fleet or a kiosk: a new version.

    Every value is checked by the kiosk's own rules before anything is stored; a change that
    changes nothing stores nothing and returns the current version."""
    unknown = sorted(set(values) - set(CENTRAL))
    if unknown:
        raise ValidationFailed(
            _l("These settings cannot be set centrally: %(names)s", names=", ".join(unknown)),
            fields={name: _l("Not a central setting.") for name in unknown},
        )
    with transaction(db):
        before = current(db, kiosk_id)
        old = _values(before)
        new = {k: v for k, v in (old | values).items() if v is not None}
        try:
            _merged(base, new)
        except ValidationError as exc:
            fields = {str(e["loc"][0]) if e["loc"] else "values": e["msg"] for e in exc.errors()}
            raise ValidationFailed(_l("Some values cannot be used."), fields=fields) from None
        changes = {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new))}
        changes = {k: pair for k, pair in changes.items() if pair[0] != pair[1]}
        if not changes and before is not None:
            return before
        version = ConfigVersion(
            kiosk_id=kiosk_id, values=new, changes=changes,
            changed_by=changed_by[:80], changed_at=utcnow(),
        )  # fmt: skip
        db.add(version)
        db.flush()
    log.info(
        "central configuration changed",
        extra={"version": version.id, "scope": kiosk_id or "fleet", "by": changed_by,
               "changed": sorted(changes)},
    )  # fmt: skip
    return version
