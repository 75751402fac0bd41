"""Fixtures for the touchscreen's tests: the building's rooms (registered addresses)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from kiosk.models import Building, Room


@pytest.fixture
def rooms(db: Session, building: Building) -> list[Room]:
    made = [
        Room(building_id=building.id, floor=floor, number=f"{floor}{n:02d}")
        for floor in (12, 15)
        for n in (1, 2, 3)
    ]
    db.add_all(made)
    db.commit()
    return made
