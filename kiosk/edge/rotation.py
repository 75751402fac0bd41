"""Sealing every stored resident ID number again under the fleet's current key (a rotation's
second step, after `kiosk edge rotate-keys`; docs/security.md)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.edge.sealing import FleetVault, is_sealed
from kiosk.models import Application
from kiosk.tasks.applying import vault

BATCH = 500


def reseal_all(db: Session) -> int:
    """Seal each application's sealed answers again with the current key; how many changed.
    Run in an application context on a central (it needs the fleet's private keys)."""
    box = vault()
    if not isinstance(box, FleetVault):
        raise RuntimeError("resealing needs the fleet's keys (fleet.keys) on a central server")
    changed, last = 0, 0
    while True:
        with transaction(db):
            rows = db.scalars(
                select(Application)
                .where(Application.id > last)
                .order_by(Application.id)
                .limit(BATCH)
            ).all()
            for row in rows:
                answers = {
                    key: box.rotate(value) if is_sealed(value) else value
                    for key, value in row.answers.items()
                }
                if answers != row.answers:
                    row.answers = answers
                    changed += 1
        if not rows:
            return changed
        last = rows[-1].id
