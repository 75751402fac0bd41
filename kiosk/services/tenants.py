"""The building's companies: finding one at the kiosk by name or code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from kiosk.models import Building, Tenant
from kiosk.text import clean_text
from kiosk.validators import normalize_uscc

PAGE_SIZE = 8  # results a portrait screen shows without scrolling


@dataclass(frozen=True)
class TenantPage:
    """One page of companies matching a search."""

    tenants: list[Tenant]
    page: int
    pages: int
    total: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(db: Session, building_code: str, query: str, page: int = 1) -> TenantPage:
    """Companies in the building whose name contains `query` or whose USCC starts with it.

    An empty query lists every company, by floor and room, so nobody has to type.
    """
    text = clean_text(query).text[:100]
    condition = [Building.code == building_code, Tenant.active]
    if text:
        pattern = f"%{_escape_like(text)}%"
        code = normalize_uscc(text)
        condition.append(
            or_(
                Tenant.name.like(pattern, escape="\\"),
                Tenant.uscc.like(f"{_escape_like(code)}%", escape="\\") if code else false(),
            )
        )
    base = select(Tenant).join(Building).where(*condition)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.scalars(
        # "9F-905" before "58F-5801": shorter floor/room labels are lower floors.
        base.order_by(func.length(Tenant.floor_room), Tenant.floor_room, Tenant.name)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return TenantPage(list(rows), page, pages, total)


def get_tenant(db: Session, building_code: str, tenant_id: str | int) -> Tenant | None:
    """An active company of this building by id (as the terminal posts it), else None."""
    try:
        key = int(tenant_id)
    except (TypeError, ValueError):
        return None
    tenant = db.get(Tenant, key)
    if tenant is None or not tenant.active or tenant.building.code != building_code:
        return None
    return tenant


def get_building(db: Session, code: str) -> Building | None:
    """The building with this code, if it is set up."""
    return db.scalar(select(Building).where(Building.code == code))
