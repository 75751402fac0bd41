"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of the maintenance API, /metrics and
/healthz, built once per app from the URL map, the views' access rules and docstrings, and the
bodies in kiosk/api/schemas.py. tests/api/test_openapi.py holds the views to it."""

from __future__ import annotations

import inspect
import logging
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from flask import Flask, current_app, jsonify
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.wrappers import Response

from kiosk import __version__
from kiosk.access import ACCESS_ATTR, public
from kiosk.api import schemas
from kiosk.api.common import LIMIT_MAX
from kiosk.api.views import bp
from kiosk.models import Benefit, KioskState, PolicyLevel, PrintStatus, Scope, Window
from kiosk.services.fleet.logs import LEVELS
from kiosk.services.policies.search import MAX_QUERY

log = logging.getLogger(__name__)
_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")  # <int:job_id> → {job_id}
EXTENSION = "kiosk.openapi"
BEARER = "bearerAuth"
JSON = "application/json"
METRICS_TYPE = "text/plain; version=0.0.4"
SCOPES = {
    Scope.READ: "look: the fleet, printers, jobs, logs, units and companies (mobiles masked)",
    Scope.OPERATE: "act: heartbeats, commands, announcements, retry and cancel jobs",
    Scope.ADMIN: "change the central configuration; see companies' contact mobiles in full",
}
TAGS = {
    "health": "Liveness, without a token.",
    "metrics": "Prometheus' scrape.",
    "fleet": "Kiosks, heartbeats, commands, configuration, logs, alerts, printers, announcements.",
    "print-jobs": "The print outbox.",
    "policies": "The public catalogue of business-support policies.",
    "meta": "This description.",
}


@dataclass(frozen=True)
class Operation:
    """What the URL map cannot say of one endpoint: its tag, query, body and answers."""

    tag: str
    responses: dict[str, Any]
    query: tuple[dict[str, Any], ...] = ()
    body: dict[str, Any] | None = None


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(name)}}}


def _common(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _query(name: str, schema: dict[str, Any], about: str, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": about,
    }


def _choice(name: str, kind: type[Enum], about: str) -> dict[str, Any]:
    return _query(name, {"type": "string", "enum": [m.value for m in kind]}, about)


def _whole(name: str, default: int, high: int, about: str) -> dict[str, Any]:
    return _query(
        name, {"type": "integer", "minimum": 1, "maximum": high, "default": default}, about
    )


def _limit(default: int, high: int = LIMIT_MAX) -> dict[str, Any]:
    return _whole("limit", default, high, "How many, newest first.")


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


KIOSK = _query("kiosk", {"type": "string"}, "Only this kiosk's (its id).")
OPERATIONS: dict[str, Operation] = {
    "api.health": Operation("health", {
        "200": _json("Health", "Up, and the database answers."),
        "503": _json("HealthDegraded", "Up, but the database does not answer."),
    }),
    "api.show_metrics": Operation("metrics", {"200": {
        "description": "Prometheus' text exposition format 0.0.4.",
        "content": {METRICS_TYPE: {"schema": {"type": "string"}}},
    }}),
    "api.show_openapi": Operation("meta", {"200": {
        "description": "This document.", "content": {JSON: {"schema": {"type": "object"}}},
    }}),
    "api.list_policies": Operation("policies", {
        "200": _json("PolicyPage", "One page of the policies that match."),
        "400": _common("BadParameter"), "503": _common("Busy"),
    }, query=(
        _query("q", {"type": "string"},
               f"Chinese full text; every word must match (the first {MAX_QUERY} characters)."),
        _choice("level", PolicyLevel, "Who issued it."),
        _choice("benefit", Benefit, "What it gives."),
        _choice("window", Window, "Whether it can be applied for today."),
        _whole("page", 1, 10_000, "The page, from 1."),
        _whole("per_page", 20, 100, "Policies a page."),
    )),
    "api.list_kiosks": Operation("fleet", {
        "200": _json("KioskList", "The kiosks, and how many are in each state."),
        "400": _common("BadParameter"),
    }, query=(
        _query("building", {"type": "string"}, "Only this building's (its code)."),
        _choice("state", KioskState, "Only kiosks in this state."),
    )),
    "api.get_kiosk": Operation("fleet", {
        "200": _json("KioskDetail", "The kiosk."), "404": _common("NotFound"),
    }),
    "api.post_heartbeat": Operation("fleet", {
        "200": _json("HeartbeatAnswer", "Stored; the kiosk is online."),
        "400": _common("BadParameter"), "404": _common("NotFound"),
    }, body=_body(_ref("Heartbeat"))),
    "api.get_logs": Operation("fleet", {
        "200": _json("Logs", "The records, newest first."), "400": _common("BadParameter"),
        "404": _common("NotFound"),
    }, query=(
        _query("level", {"type": "string", "enum": list(LEVELS), "default": "INFO"},
               "This level or above (any case)."),
        _limit(100),
    )),
    "api.list_commands": Operation("fleet", {
        "200": _json("Commands", "The commands, newest first."), "400": _common("BadParameter"),
        "404": _common("NotFound"),
    }, query=(_limit(20),)),
    "api.issue_command": Operation("fleet", {
        "202": {**_json("Command", "Queued."), "headers": {"Location": {
            "description": "Where to follow the command.", "schema": {"type": "string"},
            "required": True,
        }}},
        "400": _common("Refused"), "404": _common("NotFound"),
    }, body=_body(_ref("NewCommand"))),
    "api.get_command": Operation("fleet", {
        "200": _json("Command", "The command."), "404": _common("NotFound"),
    }),
    "api.get_screenshot": Operation("fleet", {
        "200": {"description": "The screen as the command saw it.", "content": {
            "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}},
        }},
        "404": _common("NotFound"),
    }),
    "api.get_config": Operation("fleet", {
        "200": _json("FleetConfig", "The configuration and its history."),
        "400": _common("BadParameter"),
    }, query=(
        _query("kiosk", {"type": "string"}, "A kiosk's own values; empty: the fleet's."),
        _limit(20),
    )),
    "api.change_config": Operation("fleet", {
        "200": _json("ConfigVersion", "The version now in force (unchanged if nothing changed)."),
        "400": _common("Refused"), "404": _common("NotFound"),
    }, body=_body(_ref("ConfigChange"))),
    "api.list_alerts": Operation("fleet", {
        "200": _json("Alerts", "The alerts, newest first."), "400": _common("BadParameter"),
    }, query=(KIOSK, _limit(50))),
    "api.list_printers": Operation("fleet", {"200": _json("Printers", "Every printer.")}),
    "api.list_announcements": Operation("fleet", {
        "200": _json("Announcements", "Shown now."), "400": _common("BadParameter"),
    }, query=(_query("building", {"type": "string", "minLength": 1}, "The building's code.",
                     required=True),)),
    "api.post_announcement": Operation("fleet", {
        "201": _json("Announcement", "Published."), "400": _common("Refused"),
        "404": _common("NotFound"),
    }, body=_body(_ref("NewAnnouncement"))),
    "api.list_print_jobs": Operation("print-jobs", {
        "200": _json("PrintJobs", "The jobs, newest first."), "400": _common("BadParameter"),
    }, query=(KIOSK, _choice("status", PrintStatus, "Only jobs in this state."),
              _limit(50))),
    "api.retry_print_job": Operation("print-jobs", {
        "200": _json("PrintJob", "Waiting to print again."), "404": _common("NotFound"),
        "409": _common("Conflict"),
    }),
    "api.cancel_print_job": Operation("print-jobs", {
        "200": _json("PrintJob", "Cancelled."), "404": _common("NotFound"),
        "409": _common("Conflict"),
    }),
}  # fmt: skip
PATH_PARAMETERS = {  # name: (description, example)
    "kiosk_id": ("The kiosk's id (its setting `id`).", "kiosk-1"),
    "command_id": ("The command's number.", 1),
    "job_id": ("The job's number.", 1),
}


def described(path: str) -> bool:
    """Whether a URL belongs in the description: the API, the scrape, the health check."""
    return path.startswith("/api/v1/") or path in ("/metrics", "/healthz")


def _components() -> dict[str, Any]:
    mode: JsonSchemaMode = "validation"  # a field with a default may be left out
    models = [(model, mode) for model in (*schemas.RESPONSES, *schemas.REQUESTS)]
    _, found = models_json_schema(models, ref_template="#/components/schemas/{model}")
    found["$defs"]["ConfigChange"] = schemas.config_change()
    error = _ref("Error")
    return {
        "schemas": dict(sorted(found["$defs"].items())),
        "responses": {
            "BadParameter": _json("BadParameter", "A parameter cannot be used."),
            "Refused": {"description": "A parameter or value cannot be used.", "content": {
                JSON: {"schema": {"anyOf": [_ref("BadParameter"), error]}},
            }},
            "Unauthorized": {**_json("Error", "No live bearer token."), "headers": {
                "WWW-Authenticate": {"schema": {"type": "string"}, "required": True},
            }},
            "Forbidden": _json("Error", "The token's scope is too low, or it is not the fleet's."),
            "NotFound": _json("Error", "No such thing, or it is out of the token's reach."),
            "Conflict": _json("Error", "Not in this state."),
            "Busy": _json("Error", "The database is busy or unreachable; nothing was changed."),
        },
        "securitySchemes": {BEARER: {
            "type": "http", "scheme": "bearer",
            "description": "An API token (`kiosk token create --scope read|operate|admin`), as "
            "`Authorization: Bearer lk_…`. Scopes: "
            + "; ".join(f"`{s.value}`: {what}" for s, what in SCOPES.items())
            + ". Each includes those before it.",
        }},
    }  # fmt: skip


def _path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """The rule as an OpenAPI path, and its path parameters."""
    parameters = []
    for name, converter in rule._converters.items():  # werkzeug keeps them only here
        whole = isinstance(converter, IntegerConverter)
        schema = (
            {"type": "integer", "format": "int32", "minimum": 0, "maximum": schemas.INT32_MAX}
            if whole
            else {"type": "string", "minLength": 1}
        )
        about, example = PATH_PARAMETERS.get(name, ("", None))
        parameter = {"name": name, "in": "path", "required": True, "schema": schema}
        parameters.append({**parameter, "description": about, "example": example})
    return _VARIABLE.sub(r"{\1}", rule.rule), parameters


def _operation(app: Flask, rule: Rule, spec: Operation, method: str) -> dict[str, Any]:
    view = app.view_functions[rule.endpoint]
    doc = inspect.cleandoc(view.__doc__ or rule.endpoint)
    access = getattr(view, ACCESS_ATTR, None)
    operation: dict[str, Any] = {
        "operationId": rule.endpoint.removeprefix("api."),
        "summary": doc.split("\n")[0],
        "tags": [spec.tag],
        "parameters": [*_path(rule)[1], *spec.query],
        "responses": dict(spec.responses),
    }
    if isinstance(access, Scope):
        operation["description"] = f"{doc}\n\nNeeds a token with scope `{access.value}` or above."
        operation["security"] = [{BEARER: []}]
        operation["x-scope"] = access.value
        operation["responses"].update(
            {"401": _common("Unauthorized"), "403": _common("Forbidden"), "503": _common("Busy")}
        )
    else:
        operation["description"] = f"{doc}\n\nPublic: no token."
        operation["security"] = []
    if spec.body is not None and method in ("POST", "PATCH", "PUT"):
        operation["requestBody"] = spec.body
    operation["responses"] = dict(sorted(operation["responses"].items()))
    return operation


def build(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every described route of `app`."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not described(rule.rule):
            continue
        spec = OPERATIONS.get(rule.endpoint)
        if spec is None:  # tests/api/test_openapi.py fails on this; production carries on
            log.warning("route %s (%s) is not in the OpenAPI description", rule.rule, rule.endpoint)
            continue
        path = _path(rule)[0]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(app, rule, spec, method)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lobby Kiosk maintenance API",
            "version": __version__,
            "description": "The fleet's kiosks, their commands, configuration, logs and alerts; "
            "the print outbox; the public policy catalogue; the organisation's units and company "
            "lists (a kiosk's token: its building's companies, names and codes only); "
            "Prometheus' scrape and the health "
            "check. Errors are JSON `{error, message, fields?}`; a parameter that cannot be used "
            "is `{error: bad_parameter, parameter, expected}`.",
        },
        "tags": [{"name": name, "description": about} for name, about in TAGS.items()],
        "security": [{BEARER: []}],
        "paths": paths,
        "components": _components(),
    }


@bp.get("/api/v1/openapi.json")
@public
def show_openapi() -> Response:
    """This API's OpenAPI 3.1 description (built once per app)."""
    if EXTENSION not in current_app.extensions:
        current_app.extensions[EXTENSION] = build(current_app)
    return jsonify(current_app.extensions[EXTENSION])
