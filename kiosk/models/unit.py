"""The programme's organisation: units in a tree, from the city down to a building's station."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, Timestamped


class UnitKind(enum.StrEnum):
    """What a unit is; a building is the only kind with rooms and kiosks."""

    CITY = "city"  # 市优化营商环境办
    DISTRICT = "district"  # 区专班
    STREET = "street"  # 街道
    PARK = "park"  # 园区
    BUILDING = "building"  # 楼宇 (its 服务站)
    DEPARTMENT = "department"  # 职能部门: 市场监管, 税务, 人社 …

    @property
    def holds_companies(self) -> bool:
        """Whether companies may be listed directly under a unit of this kind."""
        return self is not UnitKind.DEPARTMENT


# Which kinds may stand directly under which (a department under the city or a district).
CHILD_KINDS: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.CITY: frozenset(
        {UnitKind.DISTRICT, UnitKind.PARK, UnitKind.DEPARTMENT, UnitKind.STREET}
    ),
    UnitKind.DISTRICT: frozenset(
        {UnitKind.STREET, UnitKind.PARK, UnitKind.BUILDING, UnitKind.DEPARTMENT}
    ),
    UnitKind.STREET: frozenset({UnitKind.BUILDING}),
    UnitKind.PARK: frozenset({UnitKind.BUILDING}),
    UnitKind.BUILDING: frozenset(),
    UnitKind.DEPARTMENT: frozenset(),
}


class Unit(Timestamped, Base):
    """One unit of the programme. A building unit's code is its building's code, which is how
    every record filed under a building (appeals, kiosks, events …) belongs to the tree."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[UnitKind] = mapped_column(
        Enum(UnitKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # The ids from the root down to this unit, "/1/4/9/": a subtree is one prefix match.
    path: Mapped[str] = mapped_column(String(400), index=True, default="/")
    sort_order: Mapped[int] = mapped_column(default=0)
    # A closed unit keeps its records and its place in the tree; nothing new is filed under it.
    closed_at: Mapped[datetime | None]

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def name(self, locale: str) -> str:
        """The unit's name in the given locale (Chinese when it has no English name)."""
        return self.name_en if locale == "en" and self.name_en else self.name_zh

    @property
    def depth(self) -> int:
        """How far below the root (the city is 0)."""
        return self.path.count("/") - 2
