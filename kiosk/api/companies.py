"""The maintenance API's company lists (联系企业清单), read with a read token, a page at a time.

Who sees what:
- a kiosk's token (tied to a kiosk, whatever its scope) sees its building's companies, and of
  each only what a lobby screen needs to find it: credit code, name, unit, building, whether
  it is active, when it changed. No people, no mobiles.
- a maintainer's read or operate token sees every company with its profile, the contact's
  mobile masked (138****5678).
- a maintainer's admin token sees the contact's mobile in full.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from flask import abort, jsonify, request
from werkzeug.wrappers import Response

from kiosk.access import current_token, requires_token
from kiosk.api.common import LIMIT_MAX, bad, limit, when
from kiosk.api.openapi import (
    OPERATIONS,
    PATH_PARAMETERS,
    Operation,
    _common,
    _json,
    _query,
    _whole,
)
from kiosk.api.views import bp
from kiosk.db import get_session
from kiosk.errors import NotFound
from kiosk.models import Scope, Tenant
from kiosk.services import company_feed
from kiosk.services.company_feed import Filters
from kiosk.text import mask_mobile

Q_MAX = 100  # characters of a search


def brief_json(tenant: Tenant) -> dict[str, Any]:
    """What a kiosk's token sees of a company: names and codes."""
    return {
        "uscc": tenant.uscc, "name": tenant.name,
        "unit": tenant.unit.code if tenant.unit is not None else None,
        "building": tenant.building.code if tenant.building is not None else None,
        "active": tenant.active, "updated_at": when(tenant.updated_at),
    }  # fmt: skip


def company_json(tenant: Tenant, mobile_in_full: bool) -> dict[str, Any]:
    """A company's profile as a maintainer's token sees it."""
    mobile = tenant.contact_mobile
    capital = tenant.registered_capital
    return {
        **brief_json(tenant),
        "floor_room": tenant.floor_room,
        "room": tenant.room.number if tenant.room is not None else None,
        "industry": tenant.industry, "size_band": tenant.size_band,
        "founded_on": tenant.founded_on.isoformat() if tenant.founded_on else None,
        "employees": tenant.employees, "legal_representative": tenant.legal_representative,
        "registered_capital": str(capital) if capital is not None else None,
        "contact_name": tenant.contact_name,
        "contact_mobile": mobile if mobile_in_full or not mobile else mask_mobile(mobile),
        "officer": tenant.officer.username if tenant.officer is not None else None,
        "moved_out_at": when(tenant.moved_out_at),
    }  # fmt: skip


def _shown(tenant: Tenant) -> dict[str, Any]:
    """The company as this request's token may see it."""
    token = current_token()
    if token.kiosk_id:
        return brief_json(tenant)
    return company_json(tenant, token.scope is Scope.ADMIN)


def _cursor(raw: str) -> int:
    """The id a cursor stands for (a 400 for anything that is not one of ours)."""
    try:
        text = base64.urlsafe_b64decode(raw.encode("ascii") + b"==").decode("ascii")
    except (UnicodeError, binascii.Error, ValueError):
        text = ""
    if not text.startswith("t") or not text[1:].isdigit() or len(text) > 20:
        abort(bad("cursor", "the next_cursor of the page before"))
    return int(text[1:])


def _next(after: int | None) -> str | None:
    if after is None:
        return None
    return base64.urlsafe_b64encode(f"t{after}".encode("ascii")).decode("ascii").rstrip("=")


def _filters() -> Filters:
    args = request.args
    since = None
    if args.get("updated_since"):
        try:
            since = datetime.fromisoformat(args["updated_since"])
        except ValueError:
            since = None
        if since is None or since.tzinfo is None:
            abort(bad("updated_since", "an ISO 8601 time with its offset"))
    q, unit = args.get("q", "").strip(), args.get("unit", "")
    if "\x00" in q + unit or len(q) > Q_MAX:
        abort(bad("q" if "\x00" in q or len(q) > Q_MAX else "unit", "text without NUL"))
    after = _cursor(args["cursor"]) if args.get("cursor") else 0
    return Filters(unit=unit, updated_since=since, q=q, after=after)


@bp.get("/api/v1/companies")
@requires_token(Scope.READ)
def list_companies() -> Response:
    """The companies the token reaches, a page at a time (by `cursor`), filtered by `unit` (and
    the units under it), `updated_since` and `q` (part of the name, or the start of the credit
    code). A kiosk's token sees names and codes only; the contact's mobile is masked unless the
    token's scope is admin."""
    filters, size = _filters(), limit(100)
    found = company_feed.page(get_session(), filters, size)
    if found is None:
        abort(bad("unit", "the code of a unit the token reaches"))
    return jsonify(
        companies=[_shown(tenant) for tenant in found.companies],
        next_cursor=_next(found.next_after),
    )


@bp.get("/api/v1/companies/<uscc>")
@requires_token(Scope.READ)
def get_company(uscc: str) -> Response:
    """One company the token reaches, by its unified social credit code."""
    tenant = None
    if len(uscc) == 18 and uscc.isascii() and uscc.isalnum():
        tenant = company_feed.company(get_session(), uscc.upper())
    if tenant is None:
        raise NotFound()
    return jsonify(_shown(tenant))


PATH_PARAMETERS["uscc"] = ("The company's unified social credit code.", "91430102MA4L0000X1")
OPERATIONS.update(
    {
        "api.list_companies": Operation(
            "organisation",
            {
                "200": _json("CompanyPage", "One page of companies, by when they were added."),
                "400": _common("BadParameter"),
            },
            query=(
                _query("unit", {"type": "string"}, "Only this unit's and its subtree's (a code)."),
                _query(
                    "updated_since",
                    {"type": "string", "format": "date-time"},
                    "Only companies changed at or after this time (ISO 8601 with its offset).",
                ),
                _query(
                    "q",
                    {"type": "string", "maxLength": Q_MAX},
                    "Part of the name, or the start of the credit code.",
                ),
                _query("cursor", {"type": "string"}, "The `next_cursor` of the page before."),
                _whole("limit", 100, LIMIT_MAX, "Companies a page."),
            ),
        ),
        "api.get_company": Operation(
            "organisation",
            {"200": _json("CompanyAny", "The company."), "404": _common("NotFound")},
        ),
    }
)
