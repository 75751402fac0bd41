"""What keeps the index of open appeals' words (`appeal_word`) in step with their status: an
appeal that is resolved or closed leaves it and one that is reopened comes back, in the flush
that changes its status, whichever session or service changes it.

A Core or bulk UPDATE of `appeal.status` passes this by (kiosk makes none): the look-up still
takes only open appeals, so nothing closed is offered, but one reopened that way is missed."""

from __future__ import annotations

from sqlalchemy import Connection, delete, event, insert, inspect, select

from kiosk.models.appeal import Appeal, AppealStatus
from kiosk.models.common_problem import AppealWord, AppealWords, word_rows


def follow_status(_mapper: object, connection: Connection, appeal: Appeal) -> None:
    """After an appeal is updated: when it became open or stopped being open, its words join or
    leave the index (an appeal not cut yet has none: it is indexed when it is cut)."""
    history = inspect(appeal).attrs.status.history
    if not history.has_changes():
        return
    now_open = AppealStatus(appeal.status).is_open
    if history.deleted and AppealStatus(history.deleted[0]).is_open == now_open:
        return  # new → accepted, resolved → closed: in the index, or not, as before
    connection.execute(delete(AppealWord).where(AppealWord.appeal_id == appeal.id))
    if not now_open:
        return
    kept = connection.scalar(select(AppealWords.words).where(AppealWords.appeal_id == appeal.id))
    rows = word_rows(appeal.id, kept or "")
    if rows:
        connection.execute(insert(AppealWord), rows)


# On every session, wherever it was made, as the tree's hooks are (kiosk/models/unit_hooks.py).
event.listen(Appeal, "after_update", follow_status)
