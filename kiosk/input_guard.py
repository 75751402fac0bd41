"""Requests no form of ours could have sent are refused before any view runs, once for every
face: a NUL anywhere (PostgreSQL's text cannot hold one), a multipart part without a name, a
Host header that is no host name, JSON nested past reason or holding half a surrogate pair.

Views and services never see such input, so none of them can turn it into a server error.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadHost
from werkzeug.wrappers import Response

from kiosk.errors import BadInput
from kiosk.i18n import lazy_gettext as _l
from kiosk.text import strict_json_loads

NUL = "\x00"
NOT_ACCEPTED = _l(
    "What was sent holds a character that cannot be accepted (a NUL). Nothing was saved."
)
NAMELESS = _l("What was sent could not be read: a part of the form has no name. Nothing was saved.")
# A bad Host has no URL adapter, so no page template can be built: both languages, plain text.
BAD_HOST = (
    "请求中的主机名无效，未做任何处理。\n"
    "The host name in the request is not valid; nothing was done.\n"
)


def _where_nul() -> str | None:
    """The part of the request that holds a NUL, if any ("url" or "form")."""
    if NUL in request.path or any(NUL in k or NUL in v for k, v in request.args.items(multi=True)):
        return "url"
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = request.form.items(multi=True)
        if any(NUL in k or NUL in v for k, v in fields) or any(NUL in k for k in request.files):
            return "form"
    return None


def _nameless_part() -> bool:
    """A multipart part without a name (werkzeug keeps it under None, and CSRF checks fail)."""
    if request.mimetype != "multipart/form-data":
        return False
    return any(not isinstance(key, str) or not key for key in (*request.form, *request.files))


def refuse_malformed() -> Response | None:
    """Before every request: refuse a NUL or a nameless form part, with nothing stored."""
    if _nameless_part():
        return _refuse("form", "named form fields", NAMELESS)
    where = _where_nul()
    if where is not None:
        return _refuse(where, "no NUL characters", NOT_ACCEPTED)
    return None


def _refuse(parameter: str, expected: str, message: Any) -> Response:
    if request.path.startswith("/api/") or request.path == "/metrics":
        body = {"error": "bad_parameter", "parameter": parameter, "expected": expected}
        response = jsonify(body)
        response.status_code = 400
        return response
    raise BadInput(message)


def _bad_host(_exc: BadHost) -> Response:
    return Response(BAD_HOST, status=400, mimetype="text/plain")


class StrictJSONProvider(DefaultJSONProvider):
    """JSON for requests is parsed with limits: a ValueError (a 400) instead of a crash."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse `s`, refusing deep nesting and lone surrogates."""
        return strict_json_loads(s)


def init_app(app: Flask) -> None:
    """Check every request before access control, CSRF and the views."""
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_malformed)
    app.register_error_handler(BadHost, _bad_host)
