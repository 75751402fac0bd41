"""Where scope used to leak: lists, exports, forms and the API, for a building's officer and a
kiosk's token (the id-taking routes are walked in tests/test_architecture_scope.py)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import (
    Announcement,
    Building,
    ConfigVersion,
    KioskAlert,
    KioskCommand,
    PolicyNotice,
    PrinterState,
    Role,
    Scope,
    Tenant,
)
from kiosk.services import audit, tokens
from kiosk.services.audit import Actor
from kiosk.services.policies import catalogue
from kiosk.services.staff import create_staff
from tests.conftest import STAFF_PASSWORD, AuthActions
from tests.services.test_policies import row
from tests.support.pages import csrf_token
from tests.test_architecture_scope import OURS, THEIRS, _appeal, _event, _job, _kiosk


@pytest.fixture
def app(make_app: Any) -> Flask:
    """The admin in English, so the tests read the msgids."""
    app: Flask = make_app(default_locale="en")
    return app


def _sign_in(db: Session, client: FlaskClient, role: Role, building: str = OURS[0]) -> None:
    create_staff(
        db, f"{building}-{role.value}", "本楼", STAFF_PASSWORD, role, Actor(None, "test"),
        unit_code=building,
    )  # fmt: skip
    assert AuthActions(client).sign_in(f"{building}-{role.value}").status_code in (302, 303)


def _companies(db: Session) -> dict[str, Tenant]:
    made = {}
    for code, uscc in ((OURS[0], "91430102MA4L000011"), (THEIRS[0], "91430102MA4L000022")):
        building = Building(code=code, name_zh=f"{code}大厦", name_en=f"{code} Tower")
        db.add(building)
        db.flush()
        made[code] = Tenant(building_id=building.id, uscc=uscc, name=f"{code}软件有限公司")
        db.add(made[code])
    db.commit()
    return made


def test_the_printers_page_shows_only_the_buildings_kiosks(
    db: Session, client: FlaskClient
) -> None:
    for where in (OURS, THEIRS):
        _job(db, *where)
        db.add(PrinterState(kiosk_id=where[1], printer="receipt", state="offline"))
    db.commit()
    _sign_in(db, client, Role.STAFF)
    html = client.get("/admin/printers").get_data(as_text=True)
    assert "SQ-demo" in html and OURS[1] in html
    assert "SQ-b-tower" not in html and THEIRS[1] not in html


def test_the_audit_log_shows_only_the_buildings_entries(db: Session, client: FlaskClient) -> None:
    ours, theirs = _appeal(db, *OURS)["reference"], _appeal(db, *THEIRS)["reference"]
    for reference in (ours, theirs):
        audit.record(db, Actor(None, "test"), "appeal.note", "appeal", reference)
    db.commit()
    _sign_in(db, client, Role.SUPERVISOR)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert ours in html and theirs not in html


def test_a_supervisor_cannot_publish_for_another_building(db: Session, client: FlaskClient) -> None:
    _sign_in(db, client, Role.SUPERVISOR, building=THEIRS[0])  # this server is "demo"'s
    page = client.get("/admin/announcements/new").get_data(as_text=True)
    answer = client.post(
        "/admin/announcements/new", data={"csrf_token": csrf_token(page), "text_zh": "别楼的通知"}
    )
    assert answer.status_code == 404
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Announcement)) == 0


def test_policy_matches_and_exports_name_only_the_buildings_companies(
    db: Session, client: FlaskClient
) -> None:
    made = _companies(db)
    policy = catalogue.save(db, catalogue.check(row("CS-1", title="普惠补贴")), staff_id=None)
    _sign_in(db, client, Role.STAFF)
    exported = client.get(f"/admin/policies/{policy.id}/export").get_data(as_text=True)
    names = {r[0] for r in csv.reader(io.StringIO(exported.lstrip("\ufeff")))}
    assert made[OURS[0]].name in names and made[THEIRS[0]].name not in names
    shown = client.get(f"/admin/policies/{policy.id}").get_data(as_text=True)
    assert made[OURS[0]].name in shown and made[THEIRS[0]].name not in shown
    theirs = made[THEIRS[0]]
    chosen = client.get("/admin/policies/for-company", query_string={"tenant": theirs.id})
    assert theirs.name not in chosen.get_data(as_text=True)
    searched = client.get("/admin/policies/for-company", query_string={"q": "b-tower软件"})
    assert theirs.name not in searched.get_data(as_text=True)
    told = client.post(
        f"/admin/policies/{policy.id}/notify",
        data={"csrf_token": csrf_token(shown), "tenant_id": str(theirs.id)},
    )
    assert told.status_code in (303, 404)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(PolicyNotice)) == 0


def test_the_ledger_and_its_export_leave_out_other_buildings(
    db: Session, client: FlaskClient
) -> None:
    ours, theirs = _appeal(db, *OURS)["reference"], _appeal(db, *THEIRS)["reference"]
    _sign_in(db, client, Role.STAFF)
    listed = client.get("/admin/appeals").get_data(as_text=True)
    assert ours in listed and theirs not in listed
    exported = client.get("/admin/appeals/export").get_data(as_text=True)
    assert ours in exported and theirs not in exported


def test_the_fleet_page_and_event_list_leave_out_other_buildings(
    db: Session, client: FlaskClient
) -> None:
    _kiosk(db, *OURS)
    _kiosk(db, *THEIRS)
    ours, theirs = _event(db, *OURS)["event_id"], _event(db, *THEIRS)["event_id"]
    _sign_in(db, client, Role.STAFF)
    fleet = client.get("/admin/fleet").get_data(as_text=True)
    assert f"/admin/fleet/{OURS[1]}" in fleet and f"/admin/fleet/{THEIRS[1]}" not in fleet
    events = client.get("/admin/events").get_data(as_text=True)
    assert f"/admin/events/{ours}" in events and f"/admin/events/{theirs}" not in events


@pytest.fixture
def fleet(db: Session) -> dict[str, str]:
    """Two kiosks with a job, a command, an alert and their own configuration each; tokens."""
    for where in (OURS, THEIRS):
        _job(db, *where)
        db.add(KioskCommand(kiosk_id=where[1], kind="reload", issued_by="test"))
        db.add(KioskAlert(kiosk_id=where[1], kind="down", state_from="online", state_to="offline"))
        db.add(ConfigVersion(kiosk_id=where[1], values={"hotline": where[0]}, changed_by="test"))
        db.add(PrinterState(kiosk_id=where[1], printer="receipt"))
    db.commit()
    return {
        "kiosk": tokens.create(db, "kiosk-1", Scope.ADMIN, kiosk_id=OURS[1]).token,
        "operate": tokens.create(db, "on call", Scope.OPERATE).token,
        "admin": tokens.create(db, "vendor", Scope.ADMIN).token,
    }


def _get(app: Flask, token: str, path: str, **query: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    return app.test_client().get(path, headers=headers, query_string=query)


def test_a_kiosks_token_reads_only_its_kiosk(app: Flask, fleet: dict[str, str]) -> None:
    token = fleet["kiosk"]
    kiosks = _get(app, token, "/api/v1/kiosks").get_json()
    assert [k["id"] for k in kiosks["kiosks"]] == [OURS[1]] and sum(kiosks["counts"].values()) == 1
    jobs = _get(app, token, "/api/v1/print-jobs").get_json()["jobs"]
    assert {j["kiosk"] for j in jobs} == {OURS[1]}
    assert _get(app, token, "/api/v1/print-jobs", kiosk=THEIRS[1]).get_json()["jobs"] == []
    printers = _get(app, token, "/api/v1/printers").get_json()["printers"]
    assert {p["kiosk"] for p in printers} == {OURS[1]}
    alerts = _get(app, token, "/api/v1/alerts").get_json()["alerts"]
    assert {a["kiosk"] for a in alerts} == {OURS[1]}
    theirs = _get(app, token, "/api/v1/config", kiosk=THEIRS[1]).get_json()
    assert theirs["values"] == {} and theirs["history"] == []
    assert _get(app, token, "/api/v1/config", kiosk=OURS[1]).get_json()["values"] == {
        "hotline": OURS[0]
    }
    assert _get(app, token, "/api/v1/announcements", building=THEIRS[0]).status_code == 200
    assert _get(app, token, "/metrics").status_code == 403
    assert _get(app, fleet["admin"], "/metrics").status_code == 200


def test_a_kiosks_token_writes_only_for_its_kiosk(
    app: Flask, db: Session, fleet: dict[str, str]
) -> None:
    client, headers = app.test_client(), {"Authorization": f"Bearer {fleet['kiosk']}"}
    for building, expected in ((THEIRS[0], 404), (OURS[0], 201)):
        posted = client.post(
            "/api/v1/announcements", headers=headers,
            json={"building": building, "text_zh": "通知"},
        )  # fmt: skip
        assert posted.status_code == expected, building
    for kiosk, expected in ((THEIRS[1], 404), ("", 404), (OURS[1], 200)):
        changed = client.patch(
            "/api/v1/config", headers=headers, json={"kiosk": kiosk, "values": {"hotline": "12345"}}
        )
        assert changed.status_code == expected, kiosk
    db.rollback()
    assert [a.building_code for a in db.scalars(select(Announcement))] == [OURS[0]]


def test_replacing_a_kiosks_token_needs_an_admin_token(
    app: Flask, db: Session, fleet: dict[str, str]
) -> None:
    _kiosk(db, *THEIRS)
    client, body = app.test_client(), {"kind": "rotate-token"}
    path = f"/api/v1/kiosks/{THEIRS[1]}/commands"
    refused = client.post(path, json=body, headers={"Authorization": f"Bearer {fleet['operate']}"})
    assert refused.status_code == 403
    done = client.post(path, json=body, headers={"Authorization": f"Bearer {fleet['admin']}"})
    assert done.status_code == 202
    reload = client.post(
        path, json={"kind": "reload"}, headers={"Authorization": f"Bearer {fleet['operate']}"}
    )
    assert reload.status_code == 202  # other commands stay an operator's


def test_a_kiosks_token_reports_only_for_its_kiosk(app: Flask, fleet: dict[str, str]) -> None:
    client, headers = app.test_client(), {"Authorization": f"Bearer {fleet['kiosk']}"}
    for kiosk, expected in ((OURS[1], 200), (THEIRS[1], 404), ("kiosk-new", 404)):
        beat = client.post(
            f"/api/v1/kiosks/{kiosk}/heartbeat", headers=headers,
            json={"building": OURS[0], "name": "lobby"},
        )  # fmt: skip
        assert beat.status_code == expected, kiosk
