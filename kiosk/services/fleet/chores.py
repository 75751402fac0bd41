"""Fleet-wide chores, done once per round by whichever agent comes first, not by every kiosk.

Judging every kiosk, expiring commands, sending alerts and pruning logs concern the whole
fleet. If every agent did them at every heartbeat, 10,000 kiosks would judge the fleet 333
times a second; instead an agent takes its turn with one guarded upsert that moves the chore's
`due_at` on, and the others find it not yet due (an upsert whose WHERE fails writes nothing).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import FleetChore


def take_turn(
    db: Session, chore: str, every_seconds: float, holder: str, now: datetime | None = None
) -> bool:
    """Whether `holder` does `chore` now: yes at most once per `every_seconds` in the fleet."""
    now = now or utcnow()
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(FleetChore).values(
        name=chore, due_at=now + timedelta(seconds=every_seconds), done_by=holder
    )
    # One statement whoever asks: the first ever inserts the row, the first once it is due
    # moves it on, and everyone else matches no row and writes nothing.
    turn = insert.on_conflict_do_update(
        index_elements=[FleetChore.name],
        set_={"due_at": insert.excluded.due_at, "done_by": insert.excluded.done_by},
        where=FleetChore.due_at <= now,
    ).returning(FleetChore.name)
    with transaction(db):
        return db.execute(turn).first() is not None
