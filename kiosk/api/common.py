"""What the maintenance API's views share: JSON errors for bad parameters, the request body,
limits, times, and who a token is."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import abort, jsonify, request
from werkzeug.wrappers import Response

from kiosk.access import current_token
from kiosk.services.audit import Actor
from kiosk.text import is_whole

LIMIT_MAX = 500
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")  # a kiosk id or building code, as in settings
INT, BIG = 2**31 - 1, 2**63 - 1  # what the database's integer columns hold


def when(value: datetime | None) -> str | None:
    """A time as ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def bad(parameter: str, expected: str) -> Response:
    """A 400 naming the parameter and what it expects."""
    response = jsonify(error="bad_parameter", parameter=parameter, expected=expected)
    response.status_code = 400
    return response


def limit(default: int = 50) -> int:
    """The `limit` parameter, 1 to LIMIT_MAX (a 400 otherwise)."""
    raw = request.args.get("limit", str(default))
    if not is_whole(raw) or not 1 <= int(raw) <= LIMIT_MAX:
        abort(bad("limit", f"a whole number from 1 to {LIMIT_MAX}"))
    return int(raw)


def body() -> dict[str, Any]:
    """The request's JSON object (a 400 otherwise)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(bad("body", "a JSON object"))
    return data


def who() -> str:
    """The request's token, as the audit log and the command queue name it."""
    token = current_token()
    return f"token {token.key} ({token.name})"


def actor() -> Actor:
    """The request's token and address, as the audit log records a change made with it."""
    return Actor(None, f"{who()} {request.remote_addr or ''}"[:64])
