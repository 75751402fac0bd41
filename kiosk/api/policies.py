"""GET /api/v1/policies: the public catalogue as JSON, searched and filtered like the kiosk."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, jsonify, request
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.api.views import bp
from kiosk.caching import kept
from kiosk.db import get_session
from kiosk.models import Benefit, PolicyLevel, Window
from kiosk.services.policies import search
from kiosk.services.policies.catalogue import as_row, today_in
from kiosk.text import is_whole
from kiosk.web import public_link

MAX_PER_PAGE = 100


def _choice(name: str, kind: type[Any]) -> Any:
    value = request.args.get(name, "")
    if value == "":
        return None
    allowed = [m.value for m in kind]
    if value not in allowed:
        raise _BadParameter(name, f"one of {', '.join(allowed)}")
    return kind(value)


def _whole(name: str, default: int, high: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not is_whole(raw) or not 1 <= int(raw) <= high:
        raise _BadParameter(name, f"a whole number from 1 to {high}")
    return int(raw)


class _BadParameter(Exception):
    def __init__(self, name: str, expected: str) -> None:
        super().__init__(name)
        self.name, self.expected = name, expected


@bp.get("/api/v1/policies")
@public
def list_policies() -> Response | tuple[Response, int]:
    """Policies matching `q` (Chinese full text) and the filters `level`, `benefit`, `window`;
    paged with `page` and `per_page` (at most 100)."""
    try:
        filters = {
            "level": _choice("level", PolicyLevel),
            "benefit": _choice("benefit", Benefit),
            "window": _choice("window", Window),
        }
        page = _whole("page", 1, 10_000)
        per_page = _whole("per_page", 20, MAX_PER_PAGE)
    except _BadParameter as exc:
        body = {"error": "bad_parameter", "parameter": exc.name, "expected": exc.expected}
        return jsonify(body), 400
    query = request.args.get("q", "")[: search.MAX_QUERY]
    today = today_in(current_app.config["KIOSK"].zone)
    # The same search for everyone: kept a few seconds, dropped when anything is committed.
    key = (query, today, page, per_page, *(filters[name] for name in sorted(filters)))
    return kept(key, lambda: _found(query, today, page, per_page, filters))


def _found(query: str, today: date, page: int, per_page: int, filters: dict[str, Any]) -> Response:
    found = search.find(get_session(), query, today=today, page=page, per_page=per_page, **filters)
    return jsonify(
        {
            "query": query,
            "page": found.page,
            "pages": found.pages,
            "total": found.total,
            "total_is_lower_bound": found.more,  # more than 1,000 match: counting stopped
            "policies": [
                {
                    **as_row(policy),
                    "window": policy.window(today).value,
                    "url": public_link("public.policy_text", code=policy.code),
                }
                for policy in found.policies
            ],
        }
    )
