"""The maintenance API's organisation: the units of the programme's tree a token reaches, read
with a read token. A maintainer's token reaches the whole tree; a kiosk's token its building."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from kiosk.access import requires_token
from kiosk.api.common import when
from kiosk.api.openapi import OPERATIONS, PATH_PARAMETERS, TAGS, Operation, _common, _json
from kiosk.api.views import bp
from kiosk.db import get_session
from kiosk.errors import NotFound
from kiosk.models import Scope, Unit
from kiosk.services import company_feed
from kiosk.services.units import units_in_reach

CODE_MAX = 40  # characters of a unit's code (the column's length)


def unit_json(unit: Unit, parents: dict[int, str]) -> dict[str, Any]:
    """A unit as the API shows it: its parent by code (None at the top)."""
    return {
        "code": unit.code, "kind": unit.kind.value, "name_zh": unit.name_zh,
        "name_en": unit.name_en,
        "parent": parents.get(unit.parent_id) if unit.parent_id is not None else None,
        "sort_order": unit.sort_order, "closed_at": when(unit.closed_at),
    }  # fmt: skip


def _parents(units: list[Unit]) -> dict[int, str]:
    """The codes of the units' parents, even of a parent outside the reach (a code only)."""
    known = {unit.id: unit.code for unit in units}
    for unit in units:
        if unit.parent_id is not None and unit.parent_id not in known and unit.parent is not None:
            known[unit.parent_id] = unit.parent.code
    return known


@bp.get("/api/v1/units")
@requires_token(Scope.READ)
def list_units() -> Response:
    """The units the token reaches, as a flat list in the tree's order, each naming its parent."""
    units = units_in_reach(get_session())
    parents = _parents(units)
    return jsonify(units=[unit_json(unit, parents) for unit in units])


@bp.get("/api/v1/units/<unit_code>")
@requires_token(Scope.READ)
def get_unit(unit_code: str) -> Response:
    """One unit the token reaches, by its code."""
    usable = len(unit_code) <= CODE_MAX and "\x00" not in unit_code
    unit = company_feed.unit_by_code(get_session(), unit_code) if usable else None
    if unit is None:
        raise NotFound()
    return jsonify(unit_json(unit, _parents([unit])))


TAGS["organisation"] = "The programme's units and their company lists (联系企业清单)."
PATH_PARAMETERS["unit_code"] = ("The unit's code (a building unit's is its building's).", "city")
OPERATIONS.update(
    {
        "api.list_units": Operation("organisation", {"200": _json("Units", "The units.")}),
        "api.get_unit": Operation(
            "organisation", {"200": _json("Unit", "The unit."), "404": _common("NotFound")}
        ),
    }
)
