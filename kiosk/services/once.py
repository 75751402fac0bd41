"""Doing a submit once, however many times the button is tapped or the form is sent again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.db import transaction

T = TypeVar("T")


def create_once(db: Session, find: Callable[[], T | None], create: Callable[[], T]) -> T:
    """What `find` returns if the row exists already, else `create` it in one transaction.

    Two requests racing with the same key both pass the first look; the unique key makes the
    loser's insert fail, and the loser returns the winner's row.
    """
    existing = find()
    if existing is not None:
        return existing
    try:
        with transaction(db):
            existing = find()
            if existing is not None:
                return existing
            return create()
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing
