"""Fleet-wide chores, done once per round by whichever agent comes first, not by every kiosk.

Judging every kiosk, expiring commands, sending alerts and pruning logs concern the whole
fleet. If every agent did them at every heartbeat, 10,000 kiosks would judge the fleet 333
times a second; instead an agent takes its turn with one guarded UPDATE that moves the chore's
`due_at` on, and the others find it not yet due (an UPDATE that matches no row writes nothing).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import FleetChore


def take_turn(
    db: Session, chore: str, every_seconds: float, holder: str, now: datetime | None = None
) -> bool:
    """Whether `holder` does `chore` now: yes at most once per `every_seconds` in the fleet."""
    now = now or utcnow()
    due = now + timedelta(seconds=every_seconds)
    with transaction(db):
        taken = db.execute(
            update(FleetChore)
            .where(FleetChore.name == chore, FleetChore.due_at <= now)
            .values(due_at=due, done_by=holder)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if taken:
            return True
        dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
        first = (
            dialect.insert(FleetChore)
            .values(name=chore, due_at=due, done_by=holder)
            .on_conflict_do_nothing(index_elements=["name"])
            .returning(FleetChore.name)
        )  # RETURNING, not rowcount: an ORM INSERT through a Session counted 1 on conflict
        return db.execute(first).first() is not None
