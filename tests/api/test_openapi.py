"""GET /api/v1/openapi.json: valid OpenAPI 3.1, describing every route under /api/v1 (and
/metrics, /healthz), and true: schemathesis calls every operation on the live app and holds
each answer to it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from kiosk.access import ACCESS_ATTR, PUBLIC
from kiosk.api import openapi
from kiosk.api.views import bp
from kiosk.db import utcnow
from kiosk.models import (
    Building,
    CommandKind,
    KioskLog,
    PrintJob,
    PrintStatus,
    Room,
    Scope,
    Tenant,
)
from kiosk.services import announcements, tokens
from kiosk.services.announcements import AnnouncementDraft
from kiosk.services.audit import Actor
from kiosk.services.fleet import commands, kiosks
from kiosk.services.fleet import settings as central
from kiosk.services.policies import catalogue
from kiosk.services.printing import state as printer_state
from kiosk.validators import uscc_check_char
from tests.services.test_policies import row

# The description is the same whichever database is behind it; the views' own tests run on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
URL = "/api/v1/openapi.json"
AUTOMATIC = {"HEAD", "OPTIONS"}  # Flask adds these to every route; they are not described
VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def document(app: Flask) -> dict[str, Any]:
    response = app.test_client().get(URL)
    assert response.status_code == 200 and response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    return body


def rules(app: Flask) -> Iterator[tuple[str, str, str]]:
    """(OpenAPI path, method, endpoint) of every route under /api/v1/, /metrics and /healthz."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") or rule.rule in ("/metrics", "/healthz"):
            for method in (rule.methods or set()) - AUTOMATIC:
                yield VARIABLE.sub(r"{\1}", rule.rule), method, rule.endpoint


def routes(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route the description must cover."""
    return {(path, method) for path, method, _ in rules(app)}


def test_the_description_is_valid_openapi_3_1(app: Flask) -> None:
    body = document(app)
    assert body["openapi"] == "3.1.0"
    validate(body, cls=OpenAPIV31SpecValidator)
    built = app.extensions[openapi.EXTENSION]
    assert document(app) == body and app.extensions[openapi.EXTENSION] is built  # built once


def test_every_route_is_described_with_its_methods_and_access(app: Flask) -> None:
    body = document(app)
    described = {(path, method.upper()) for path, item in body["paths"].items() for method in item}
    assert routes(app) - described == set(), "routes missing from the description"
    assert described - routes(app) == set(), "described but not in the app"
    for path, method, endpoint in rules(app):
        operation = body["paths"][path][method.lower()]
        access = getattr(app.view_functions[endpoint], ACCESS_ATTR, None)
        if access == PUBLIC:
            assert operation["security"] == [], endpoint
            continue
        assert isinstance(access, Scope), endpoint
        assert operation["security"] == [{openapi.BEARER: []}], endpoint
        assert operation["x-scope"] == access.value, endpoint
        assert {"401", "403"} <= set(operation["responses"]), endpoint


def test_a_route_left_out_of_the_description_is_noticed(app: Flask) -> None:
    forgotten = ("/api/v1/forgotten", "GET")
    app.add_url_rule(forgotten[0], "api.forgotten", lambda: "nothing")
    assert forgotten in routes(app)
    assert forgotten[0] not in openapi.build(app)["paths"]


# ---- the description holds: schemathesis against the live app ----------------------------------


@pytest.fixture
def fleet(app: Flask, db: Session) -> None:
    """A kiosk that has reported, went down and came back, with commands, a log, a screenshot,
    central configuration, a printer, print jobs, an announcement, policies, a building and its
    companies, so that reads answer with something to check."""
    settings_ = app.config["KIOSK"]
    beat = kiosks.Beat(
        kiosk_id=settings_.id, building_code="demo", name="大堂一号", version="0.1.0",
        started_at=utcnow(), uptime_seconds=30, last_page="/", printers={"receipt": "ready"},
        free_disk_bytes=10**9, closed_hours="23:00-06:00",
    )  # fmt: skip
    kiosks.heartbeat(db, beat, utcnow() - timedelta(hours=1))
    kiosks.sweep(db, kiosks.Limits(60, 120))  # silent for an hour: offline, a "down" alert
    kiosks.heartbeat(db, beat)  # and back: an "up" alert
    shot = commands.issue(db, settings_.id, CommandKind.SCREENSHOT, {}, "test")
    commands.finish(db, shot.id, ok=True, result={"bytes": len(PNG)}, attachment=PNG)
    commands.issue(db, settings_.id, CommandKind.ANNOUNCE, {"text": "午间维护"}, "test")
    with app.test_request_context():
        central.change(db, settings_, "", {"hotline": "0731-12345"}, "test")
        announcements.create(db, "demo", AnnouncementDraft("电梯检修"), Actor(None, "test"))
    db.add_all([
        KioskLog(kiosk_id=settings_.id, at=utcnow(), level="WARNING", logger="kiosk.print",
                 message="paper low", fields={"printer": "receipt"}),
        PrintJob(kiosk_id=settings_.id, kind="appeal_slip", subject="SQ-20261125-0001",
                 document={}, status=PrintStatus.FAILED, last_error="paper out"),
        PrintJob(kiosk_id=settings_.id, kind="appeal_slip", subject="SQ-20261125-0002",
                 document={}, status=PrintStatus.SENT, sent_at=utcnow()),
    ])  # fmt: skip
    printer_state.record(
        db, kiosk_id=settings_.id, printer="receipt", url="dummy://", state="ready",
        error="paper out",
    )  # fmt: skip
    db.commit()
    catalogue.save(db, catalogue.check(row("P-1", max_amount=500000)), staff_id=None)
    building = Building(code="demo", name_zh="芙蓉国际金融中心", name_en="Furong IFC")
    db.add(building)
    db.flush()
    room = Room(building_id=building.id, floor=23, number="2308")
    db.add(room)
    db.flush()
    for n, (mobile, capital) in enumerate((("13812345678", Decimal("500.00")), ("", None))):
        first17 = f"91430102MA4L{n:05d}"
        db.add(Tenant(
            building_id=building.id, uscc=first17 + uscc_check_char(first17),
            name=f"长沙测试科技有限公司{n}", floor_room="23F-2308", industry="I",
            size_band="small", founded_on=date(2020, 5, 1), employees=40,
            legal_representative="王五", registered_capital=capital, contact_name="李四",
            contact_mobile=mobile, room_id=room.id if n == 0 else None,
        ))  # fmt: skip
    db.commit()


@dataclass(frozen=True)
class Live:
    """The app with data in its database, and the headers of an admin (every scope)."""

    app: Flask
    headers: dict[str, str]


@pytest.fixture
def live(app: Flask, fleet: None, db: Session) -> Live:
    """Refusals for want of a token or of scope are checked in test_tokens.py."""
    token = tokens.create(db, "schemathesis", Scope.ADMIN).token
    return Live(app, {"Authorization": f"Bearer {token}"})


def collected() -> dict[str, Any]:
    """The description built from the api blueprint alone, so tests can be collected without a
    database (test_the_description_fuzzed_is_the_one_served checks it is the same)."""
    bare = Flask("kiosk")
    bare.register_blueprint(bp)
    return openapi.build(bare)


schema = schemathesis.openapi.from_dict(
    collected(),
    # The bearer token is added to every call: generating tokens would only test refusals.
    config=schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}}),
)


def test_the_description_fuzzed_is_the_one_served(app: Flask) -> None:
    assert document(app) == json.loads(json.dumps(collected()))


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def routed(app: Flask, case: Case) -> bool:
    """Whether the case's URL reaches a view at all (a path parameter the route's converter
    refuses, such as -1 for an <int:…>, never does)."""
    try:
        app.url_map.bind("localhost").match(unquote(case.formatted_path), case.method.upper())
    except (NotFound, RequestRedirect):  # a RequestRedirect: "//" from an empty kiosk id
        return False
    except MethodNotAllowed:  # schemathesis tries other methods on purpose: that is routed
        return True
    return True


# ---- requests the fuzz found answered with a 500 once, kept as regressions ---------------------

INT64_MAX = 2**63 - 1  # SQLite's INTEGER
HEARTBEAT = "/api/v1/kiosks/kiosk-1/heartbeat"


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same cases on every run, so CI is repeatable
    database=None,
    # One app and database per operation, shared by its examples on purpose: writes pile up.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_described(case: Case, live: Live) -> None:
    if not routed(live.app, case):
        # Routing refuses the URL before any view runs (-1 for an <int:…>, a "/" in a kiosk id):
        # a JSON 404 (or the router's redirect), never a view's answer to check against the schema.
        response = case.call(app=live.app, headers=live.headers)
        assert response.status_code in (308, 404), case.as_curl_command()
        if response.status_code == 404:
            headers = {name.lower(): value for name, value in response.headers.items()}
            assert "application/json" in str(headers["content-type"]), case.as_curl_command()
        return
    case.call_and_validate(app=live.app, headers=live.headers, checks=CHECKS)


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        # A kind that is an object or a list (was: TypeError, unhashable).
        ("POST", "/api/v1/kiosks/kiosk-1/commands", {"kind": {}, "payload": {}}, 400),
        ("POST", "/api/v1/kiosks/kiosk-1/commands", {"kind": ["reload"]}, 400),
        # Ids past what the database holds (was: OverflowError, NumericValueOutOfRange).
        ("POST", f"/api/v1/print-jobs/{INT64_MAX + 1}/cancel", None, 404),
        ("GET", f"/api/v1/commands/{2**31}", None, 404),
        # Numbers past their columns (was: OverflowError; integer out of range on PostgreSQL).
        ("POST", HEARTBEAT, {"building": "demo", "uptime_seconds": 2**64}, 400),
        ("POST", HEARTBEAT, {"building": "demo", "queue_depth": 2**31}, 400),
        ("POST", "/api/v1/kiosks/kiosk-1/heartbeat", {"building": "x" * 41}, 400),
        # A time past the year 9999 in UTC (was: OverflowError when stored).
        ("POST", "/api/v1/announcements",
         {"building": "demo", "text_zh": "停电通知", "ends_at": "9999-12-31T23:59:59-14:00"}, 400),
        ("POST", "/api/v1/announcements", {"building": "b" * 41, "text_zh": "停电通知"}, 400),
        # A digit that is no number (was: ValueError from int("²")).
        ("GET", "/api/v1/print-jobs?limit=²", None, 400),
        ("GET", "/api/v1/kiosks/kiosk-1/logs?limit=²", None, 400),
        ("GET", "/api/v1/policies?page=²", None, 400),
        # NUL, which PostgreSQL's text cannot hold.
        ("GET", "/api/v1/kiosks?building=a%00b", None, 400),
        ("GET", "/api/v1/kiosks/a%00b", None, 400),
        # Nowhere under /api/v1: a JSON 404, not the public face's page.
        ("GET", "/api/v1/commands/-1", None, 404),
        ("GET", "/api/v1/kiosks/a%2Fb/logs", None, 404),
        # The organisation's reads: a cursor, time or unit that cannot be used, NUL, far too long.
        ("GET", "/api/v1/companies?cursor=not-ours", None, 400),
        ("GET", "/api/v1/companies?updated_since=yesterday", None, 400),
        ("GET", "/api/v1/companies?updated_since=2026-12-01T00:00:00", None, 400),
        ("GET", "/api/v1/companies?unit=nowhere", None, 400),
        ("GET", "/api/v1/companies?q=a%00b", None, 400),
        ("GET", "/api/v1/companies?q=" + "长" * 101, None, 400),
        ("GET", "/api/v1/companies/a%00b", None, 400),
        ("GET", "/api/v1/units/" + "u" * 41, None, 404),
        ("GET", "/api/v1/units/a%00b", None, 400),
        ("GET", "/api/v1/companies/91430102MA4L0000X", None, 404),
    ],
)  # fmt: skip
def test_bad_requests_get_a_json_error(
    live: Live, method: str, url: str, body: Any, status: int
) -> None:
    client = live.app.test_client()
    response = client.open(url, method=method, json=body, headers=live.headers)
    assert (response.status_code, response.mimetype) == (status, "application/json")
    assert "error" in response.get_json()
