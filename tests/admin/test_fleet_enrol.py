"""The fleet page for edge terminals: a terminal offline with submissions waiting reads
"Offline, queuing N", and an admin makes a one-time enrolment code there — shown once with its
expiry, audited, only for a building in the admin's reach and never for another building's
kiosk."""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from kiosk.db import utcnow
from kiosk.edge.enrol import issue_code, redeem
from kiosk.models import AuditLog, Building, EnrolmentCode, Kiosk, Role, Staff, Unit, UnitKind
from kiosk.services.fleet import kiosks
from kiosk.services.units import root_unit, unit_for_code
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token

LIST, FORM = "/admin/fleet", "/admin/fleet/enrol"
LIMITS = kiosks.Limits(stale_seconds=90, offline_seconds=180)
CODE = re.compile(r"data-enrolment-code><code lang=\"en\">([2-9A-Z]{5}-[2-9A-Z]{5})</code>")


def _beat(db: Session, kiosk_id: str, seconds_ago: float, building: str, **values: Any) -> None:
    when = utcnow() - timedelta(seconds=seconds_ago)
    beat = kiosks.Beat(kiosk_id=kiosk_id, building_code=building, screen_seen_at=when, **values)
    kiosks.heartbeat(db, beat, when)


def _depth(db: Session, kiosk_id: str, depth: int | None) -> None:
    kiosk = db.get(Kiosk, kiosk_id)
    assert kiosk is not None
    kiosk.outbox_depth = depth  # as an edge terminal's heartbeat reports it
    db.commit()


@pytest.fixture
def towers(db: Session) -> None:
    """Two buildings, each with kiosks: a-1 online, a-2 and b-1 offline."""
    db.add(Building(code="a-tower", name_zh="芙蓉国际金融中心A座", name_en="Furong IFC Tower A"))
    db.add(Building(code="b-tower", name_zh="麓谷企业广场B座", name_en="Lugu Plaza Tower B"))
    for code in ("a-tower", "b-tower"):
        unit_for_code(db, code)
    db.commit()
    _beat(db, "a-1", 5, "a-tower", name="A座大堂 1号机")
    _beat(db, "a-2", 600, "a-tower", name="A座大堂 2号机")
    _beat(db, "b-1", 600, "b-tower")
    kiosks.sweep(db, LIMITS, utcnow())


@pytest.fixture
def boss(make_staff: Callable[..., Staff]) -> Staff:
    """The city's administrator: every building."""
    return make_staff("boss", Role.ADMIN, "Zhao Boss")


@pytest.fixture
def tower_admin(make_staff: Callable[..., Staff], db: Session, towers: None) -> Staff:
    """An administrator of Tower A only."""
    staff = make_staff("a-admin", Role.ADMIN, "Qian Admin")
    staff.unit = unit_for_code(db, "a-tower")
    db.commit()
    return staff


def _text(response: TestResponse) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def _make(admin: Admin, **fields: str) -> TestResponse:
    """Post the enrolment form as the browser would, with the form page's CSRF token."""
    return admin.client.post(FORM, data={"csrf_token": csrf_token(admin.text(FORM)), **fields})


def _codes(db: Session) -> list[EnrolmentCode]:
    db.rollback()
    return list(db.scalars(select(EnrolmentCode).order_by(EnrolmentCode.id)))


def _card(html: str, kiosk_id: str) -> str:
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return html[start : html.index("</li>\n", start)]


def test_an_offline_terminal_with_a_queue_reads_offline_queuing(
    signed_in: Admin, towers: None, db: Session
) -> None:
    _depth(db, "a-1", 3)
    _depth(db, "a-2", 12)
    _depth(db, "b-1", 0)
    html = html_lib.unescape(signed_in.text(LIST))
    offline = _card(html, "a-2")
    assert 'data-state="offline"' in offline and 'data-queuing="12"' in offline
    assert "Offline, queuing 12" in offline
    assert 'data-outbox="12"' in offline and "To hand over" in offline
    online = _card(html, "a-1")  # online: handing over as it goes, its state as usual
    assert "Online now" in online and "queuing" not in online and 'data-outbox="3"' in online
    empty = _card(html, "b-1")  # offline with nothing waiting: just offline
    assert "Offline" in empty and "queuing" not in empty and 'data-outbox="0"' in empty
    _depth(db, "b-1", None)  # a kiosk that is no edge terminal reports no outbox at all
    html = html_lib.unescape(signed_in.text(LIST))
    assert "To hand over" not in _card(html, "b-1")


def test_an_admin_makes_a_code_shown_once_with_its_expiry_and_audited(
    admin: Admin, boss: Staff, towers: None, db: Session
) -> None:
    admin.sign_in("boss")
    listing = admin.text(LIST)
    assert f'href="{FORM}" data-enrol-link' in listing
    form = _text(admin.get(FORM))
    assert '<option value="a-tower">Furong IFC Tower A</option>' in form
    assert '<option value="b-tower">Lugu Plaza Tower B</option>' in form
    started = utcnow()
    made = _make(admin, kiosk_id=" B-2 ", building="b-tower", name="B座大堂 2号机")
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    page = _text(made)
    match = CODE.search(page)
    assert match, page
    code = match.group(1)
    assert "For the kiosk B座大堂 2号机 (b-2) in Lugu Plaza Tower B." in page
    assert f"lobby-kiosk enrol http://kiosk.test {code}" in re.sub(r"<[^>]+>", "", page)
    [row] = _codes(db)
    assert row.code_sha256 == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert code not in repr(row.__dict__)  # only its digest is kept
    assert (row.kiosk_id, row.building_code, row.created_by) == ("b-2", "b-tower", "staff boss")
    expires = row.expires_at
    assert timedelta(minutes=14) < expires - started <= timedelta(minutes=15, seconds=5)
    assert f'data-expires="{expires.isoformat()}"' in page and "Valid until" in page
    # Shown only now: neither the fleet page nor the form shows it again.
    assert code not in admin.text(LIST) and code not in admin.text(FORM)
    [entry] = db.scalars(select(AuditLog).where(AuditLog.action == "fleet.enrol_code"))
    assert (entry.target_type, entry.target_id) == ("unit", "b-tower")
    assert entry.building_code == "b-tower"  # the building's officers read it
    assert entry.detail["kiosk"] == "b-2" and code not in str(entry.detail)
    log = html_lib.unescape(admin.text("/admin/audit", action="fleet.enrol_code"))
    assert "Made a code to enrol a terminal" in log and "Valid until" in log
    # The code enrols the terminal, once.
    assert redeem(db, code).kiosk_id == "b-2"


def test_only_an_admin_makes_a_code(
    admin: Admin, supervisor: Staff, towers: None, db: Session
) -> None:
    admin.sign_in("chief")
    assert FORM not in admin.text(LIST)
    token = csrf_token(admin.text(LIST))
    refused = admin.client.post(FORM, data={"csrf_token": token, "kiosk_id": "a-9",
                                            "building": "a-tower"})  # fmt: skip
    assert refused.status_code == 303
    back = admin.client.get(refused.location, follow_redirects=True)
    assert "You do not have access to this page." in _text(back)
    assert admin.get(FORM).status_code == 403
    assert _codes(db) == []


def test_a_post_without_the_csrf_token_makes_no_code(
    admin: Admin, boss: Staff, towers: None, db: Session
) -> None:
    admin.sign_in("boss")
    response = admin.client.post(FORM, data={"kiosk_id": "a-9", "building": "a-tower"})
    assert response.status_code == 400 and "This page had expired" in _text(response)
    assert _codes(db) == []


def test_bad_input_is_shown_on_its_field_and_makes_no_code(
    admin: Admin, boss: Staff, towers: None, db: Session
) -> None:
    admin.sign_in("boss")
    for kiosk_id, building, name, message in (
        ("", "a-tower", "", "Enter the kiosk's id."),
        ("Lobby 1!", "a-tower", "", "A kiosk id is a-z, 0-9 and -"),
        ("a-9", "", "", "Choose the building."),
        ("a-9", "nowhere", "", "Choose one of the buildings you look after."),
        ("a-9", "a-tower", "长" * 61, "Use at most 60 characters."),
        ("kiosk-1", "a-tower", "", "Another kiosk has this id"),  # this server's own id
    ):
        fields = {"kiosk_id": kiosk_id, "building": building, "name": name}
        response = _make(admin, **fields)
        text = _text(response)
        assert response.status_code == 400, fields
        assert "There is a problem" in text and message in text, (fields, text[-2000:])
        assert not CODE.search(text)
    assert _codes(db) == []


def test_a_building_admin_reaches_only_their_building_and_its_kiosks(
    admin: Admin, tower_admin: Staff, db: Session
) -> None:
    issue_code(db, "b-9", "b-tower", "", "cli")  # another building's code, not yet used
    admin.sign_in("a-admin")
    form = _text(admin.get(FORM))
    assert 'value="a-tower"' in form and "b-tower" not in form and "Tower B" not in form
    other = _make(admin, kiosk_id="a-9", building="b-tower")
    assert other.status_code == 400
    assert "Choose one of the buildings you look after." in _text(other)
    for taken in ("b-1", "b-9"):  # a kiosk of Tower B, and the id Tower B's unused code names
        refused = _make(admin, kiosk_id=taken, building="a-tower")
        assert refused.status_code == 400
        assert "Another kiosk has this id: choose another." in _text(refused)
    assert [c.kiosk_id for c in _codes(db)] == ["b-9"]
    again = _make(admin, kiosk_id="a-2", building="a-tower")  # its own kiosk, a new disk
    assert again.status_code == 201 and CODE.search(_text(again))
    assert [c.kiosk_id for c in _codes(db)] == ["b-9", "a-2"]
    db.rollback()
    [entry] = db.scalars(select(AuditLog).where(AuditLog.action == "fleet.enrol_code"))
    assert entry.building_code == "a-tower"


def test_an_admin_of_no_building_is_told_so_and_makes_no_code(
    admin: Admin, make_staff: Callable[..., Staff], db: Session, towers: None
) -> None:
    department = Unit(code="dept-tax", kind=UnitKind.DEPARTMENT, name_zh="税务局",
                      name_en="Tax bureau", parent=root_unit(db))  # fmt: skip
    staff = make_staff("dept-admin", Role.ADMIN)
    staff.unit = department
    db.commit()
    admin.sign_in("dept-admin")
    assert "You look after no building, so you cannot enrol a terminal." in _text(admin.get(FORM))
    token = csrf_token(admin.text(LIST))
    refused = admin.client.post(FORM, data={"csrf_token": token, "kiosk_id": "a-9",
                                            "building": "a-tower"})  # fmt: skip
    assert refused.status_code == 400
    assert "Choose one of the buildings you look after." in _text(refused)
    assert _codes(db) == []


def test_the_pages_render_in_chinese(
    make_app: Callable[..., Any], towers: None, make_staff: Callable[..., Staff], db: Session
) -> None:
    app = make_app()  # zh_CN, the admin's default
    make_staff("boss", Role.ADMIN)
    _depth(db, "a-2", 7)
    admin = Admin(app.test_client())
    admin.sign_in("boss")
    listing = html_lib.unescape(admin.text(LIST))
    assert '<html lang="zh-Hans">' in listing and "离线，7 件待上传" in listing
    refused = _make(admin, kiosk_id="", building="a-tower")
    assert refused.status_code == 400 and "请填写终端编号。" in _text(refused)
    made = _make(admin, kiosk_id="a-9", building="a-tower")
    assert made.status_code == 201 and "有效期至" in _text(made)
