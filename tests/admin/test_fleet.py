"""The fleet pages: every kiosk by building with its state in words, one kiosk in detail,
commands by role with CSRF, central configuration with versions, and screenshots."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from kiosk.db import utcnow
from kiosk.models import (
    AuditLog,
    Building,
    CommandKind,
    ConfigVersion,
    KioskCommand,
    KioskLog,
    KioskState,
    Role,
    Staff,
)
from kiosk.services.fleet import commands, kiosks
from kiosk.services.fleet import settings as central
from kiosk.services.units import unit_for_code
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token

LIST = "/admin/fleet"
LIMITS = kiosks.Limits(stale_seconds=90, offline_seconds=180)  # the test app's settings
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _beat(db: Session, kiosk_id: str, seconds_ago: float, building: str = "a-tower",
          **values: Any) -> None:  # fmt: skip
    now = utcnow()
    values.setdefault("screen_seen_at", now - timedelta(seconds=seconds_ago))
    beat = kiosks.Beat(kiosk_id=kiosk_id, building_code=building, **values)
    kiosks.heartbeat(db, beat, now - timedelta(seconds=seconds_ago))


def _closed_now() -> str:
    """A closed-hours window around the present moment in Shanghai."""
    local = utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    return f"{local - timedelta(hours=1):%H:%M}-{local + timedelta(hours=1):%H:%M}"


@pytest.fixture
def fleet(db: Session) -> dict[str, str]:
    """Five kiosks in two buildings: online, frozen, stale, offline, closed on schedule."""
    db.add(Building(code="a-tower", name_zh="芙蓉国际金融中心A座", name_en="Furong IFC Tower A"))
    db.commit()
    _beat(db, "a-1", 10, name="A座大堂 1号机", version="2.4.0", free_disk_bytes=13_207_024_435,
          printers={"receipt": "paper_out"}, queue_depth=3, last_page="/policies",
          last_page_at=utcnow() - timedelta(minutes=5))  # fmt: skip
    _beat(db, "a-2", 10, screen_seen_at=utcnow() - timedelta(minutes=10))
    _beat(db, "a-3", 120)
    _beat(db, "b-1", 400, building="b-tower")
    _beat(db, "b-2", 400, building="b-tower", closed_hours=_closed_now())
    kiosks.sweep(db, LIMITS, utcnow())
    return {"a-1": "online", "a-2": "online", "a-3": "stale", "b-1": "offline", "b-2": "closed"}


@pytest.fixture
def boss(make_staff: Callable[..., Staff]) -> Staff:
    """An admin, who may replace tokens and change the central configuration."""
    return make_staff("boss", Role.ADMIN, "Zhao Boss")


def _page(admin: Admin, path: str, **query: Any) -> str:
    return html_lib.unescape(admin.text(path, **query))


def _cards(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-kiosk="([^"]+)" data-state="([^"]+)"', html))


def _card(html: str, kiosk_id: str) -> str:
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return html[start : html.index("</li>\n", start)]


def _post(admin: Admin, path: str, page: str, **fields: Any) -> TestResponse:
    """Post a form on `page` as the browser would, with that page's CSRF token."""
    return admin.client.post(path, data={"csrf_token": csrf_token(admin.text(page)), **fields})


def _queued(db: Session) -> list[KioskCommand]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(KioskCommand).order_by(KioskCommand.id)))


def _current(db: Session, scope: str) -> ConfigVersion | None:
    db.rollback()  # a new read transaction sees what the app committed
    return central.current(db, scope)


def _audit(db: Session, action: str) -> list[AuditLog]:
    db.rollback()
    db.expire_all()
    query = select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    return list(db.scalars(query))


def _followed(admin: Admin, response: TestResponse) -> str:
    """Where a 303 leads (through the admin's own redirects), unescaped."""
    assert response.status_code == 303, response.status_code
    page = admin.client.get(response.location, follow_redirects=True)
    assert page.status_code == 200
    return html_lib.unescape(page.get_data(as_text=True))


def test_the_list_needs_a_signed_in_staff_member(admin: Admin) -> None:
    response = admin.get(LIST)
    assert response.status_code == 302 and "/admin/sign-in" in response.location


def test_the_list_shows_each_state_in_words_with_counts_and_alerts(
    signed_in: Admin, fleet: dict[str, str], db: Session
) -> None:
    html = _page(signed_in, LIST)
    assert _cards(html) == fleet
    for state, words in (("online", "Online now"), ("stale", "Slow to respond"),
                         ("offline", "Offline"), ("closed", "Closed on schedule")):  # fmt: skip
        assert f'<span class="badge badge--kiosk-{state}">{words}</span>' in html
    counts = kiosks.state_counts(db)
    assert counts == {"online": 2, "stale": 1, "offline": 1, "closed": 1}
    for state, count in counts.items():
        assert f'data-count="{state}:{count}"' in html
    # Grouped by building: the name when it is set up, else the code.
    assert html.index("Furong IFC Tower A") < html.index('data-kiosk="a-1"')
    assert html.index('data-building="b-tower"') < html.index('data-kiosk="b-1"')
    first = _card(html, "a-1")
    assert "A座大堂 1号机" in first and "2.4.0" in first and "12.3 GB" in first
    assert "receipt: Out of paper" in first and "3" in first
    assert re.search(r"\d+ seconds ago", first) and "/policies" in first
    assert "shown for 5 minutes" in first
    assert "Screen not reporting" in _card(html, "a-2") and "Screen not reporting" not in first
    assert "7 minutes ago" in _card(html, "b-1")
    assert 'data-alert="b-1:down"' in html and "Went offline" in html
    assert 'data-alert="b-2' not in html  # closed on schedule raises no alert
    assert '<meta http-equiv="refresh" content="30">' in html
    stopped = _page(signed_in, LIST, refresh="off")
    assert 'http-equiv="refresh"' not in stopped and "Refresh every 30 seconds" in stopped


def test_filters_by_building_and_by_state(signed_in: Admin, fleet: dict[str, str]) -> None:
    assert set(_cards(_page(signed_in, LIST, building="b-tower"))) == {"b-1", "b-2"}
    assert set(_cards(_page(signed_in, LIST, state="online"))) == {"a-1", "a-2"}
    assert set(_cards(_page(signed_in, LIST, building="a-tower", state="stale"))) == {"a-3"}
    assert set(_cards(_page(signed_in, LIST, state="nonsense"))) == set(fleet)
    empty = _page(signed_in, LIST, building="b-tower", state="online")
    assert _cards(empty) == {} and "No kiosk matches these filters." in empty


def test_an_officer_limited_to_a_building_sees_only_its_kiosks(
    admin: Admin, officer: Staff, fleet: dict[str, str], db: Session
) -> None:
    officer.unit = unit_for_code(db, "a-tower")
    db.commit()
    shot = commands.issue(db, "b-1", CommandKind.SCREENSHOT, {}, "tester")
    commands.finish(db, shot.id, ok=True, result={}, attachment=PNG)
    admin.sign_in("officer")
    html = _page(admin, LIST)
    assert set(_cards(html)) == {"a-1", "a-2", "a-3"}
    assert set(_cards(_page(admin, LIST, building="b-tower"))) == {"a-1", "a-2", "a-3"}
    assert 'data-count="offline:0"' in html and 'data-count="online:2"' in html
    assert "b-1" not in html  # nor its alert
    assert admin.get("/admin/fleet/b-1").status_code == 404
    assert admin.get(f"/admin/fleet/commands/{shot.id}/screenshot").status_code == 404
    assert admin.get("/admin/fleet/a-1").status_code == 200


def test_the_drill_down_shows_state_commands_alerts_and_logs(
    signed_in: Admin, fleet: dict[str, str], db: Session
) -> None:
    sent = commands.issue(db, "b-1", CommandKind.ANNOUNCE, {"text": "电梯检修", "minutes": 30}, "x")
    commands.finish(db, sent.id, ok=False, result={"error": "the screen did not answer"})
    now = utcnow()
    db.add_all([
        KioskLog(kiosk_id="b-1", at=now, level="INFO", logger="kiosk.fleet", message="beat ok"),
        KioskLog(kiosk_id="b-1", at=now, level="ERROR", logger="kiosk.print", message="jam",
                 fields={"printer": "receipt"}),
    ])  # fmt: skip
    db.commit()
    html = _page(signed_in, "/admin/fleet/b-1")
    assert 'data-state="offline"' in html and "Offline" in html
    assert (
        f'data-command="{sent.id}" data-command-kind="announce" data-command-status="failed"'
        in html
    )
    assert "电梯检修" in html and "the screen did not answer" in html
    assert 'data-alert="b-1:down"' in html
    assert "jam" in html and "printer=receipt" in html and "beat ok" not in html
    everything = _page(signed_in, "/admin/fleet/b-1", level="INFO")
    assert "jam" in everything and "beat ok" in everything
    assert "Only a supervisor can send commands to a kiosk." in html
    assert "/admin/fleet/b-1/commands/" not in html and "/config" not in html
    assert signed_in.get("/admin/fleet/nobody").status_code == 404


def test_staff_cannot_send_commands_and_a_supervisor_can(
    admin: Admin, officer: Staff, supervisor: Staff, fleet: dict[str, str], db: Session
) -> None:
    admin.sign_in("officer")
    page = "/admin/fleet/a-1"
    refused = _post(admin, "/admin/fleet/a-1/commands/reload", page)
    # A refused POST in the admin is the 403 message, flashed on the way back.
    assert "You do not have access to this page." in _followed(admin, refused)
    assert _queued(db) == []
    admin.sign_out()
    admin.sign_in("chief")
    html = _page(admin, page)
    assert "/admin/fleet/a-1/commands/reload" in html and "/rotate-token" not in html
    done = _followed(admin, _post(admin, "/admin/fleet/a-1/commands/reload", page))
    assert "Command sent: Reload the screen; the kiosk picks it up within a few seconds." in done
    [command] = _queued(db)
    assert command.kind is CommandKind.RELOAD and command.issued_by == "staff chief"
    token = _post(admin, "/admin/fleet/a-1/rotate-token", page, confirm="y")
    assert "You do not have access to this page." in _followed(admin, token)
    assert len(_queued(db)) == 1


def test_replacing_a_token_needs_an_admin_and_a_tick(
    admin: Admin, boss: Staff, fleet: dict[str, str], db: Session
) -> None:
    admin.sign_in("boss")
    page = "/admin/fleet/a-1"
    unticked = _post(admin, "/admin/fleet/a-1/rotate-token", page)
    assert unticked.status_code == 400
    text = html_lib.unescape(unticked.get_data(as_text=True))
    assert "There is a problem" in text and "Tick the box to confirm" in text
    assert _queued(db) == []
    _followed(admin, _post(admin, "/admin/fleet/a-1/rotate-token", page, confirm="y"))
    [command] = _queued(db)
    assert command.kind is CommandKind.ROTATE_TOKEN and command.issued_by == "staff boss"


def test_a_post_without_the_csrf_token_is_refused(
    admin: Admin, boss: Staff, fleet: dict[str, str], db: Session
) -> None:
    admin.sign_in("boss")
    for path, data in (
        ("/admin/fleet/a-1/commands/reload", {}),
        ("/admin/fleet/a-1/commands/announce", {"text": "没有令牌", "minutes": "5"}),
        ("/admin/fleet/a-1/rotate-token", {"confirm": "y"}),
        ("/admin/fleet/a-1/config", {"hotline": "0731-1234"}),
        ("/admin/fleet-config", {"hotline": "0731-1234"}),
    ):
        response = admin.client.post(path, data=data)
        assert response.status_code == 400, path
        assert "This page had expired" in html_lib.unescape(response.get_data(as_text=True))
    assert _queued(db) == [] and central.history(db) == []


def test_a_command_is_queued_with_its_payload_and_audited(
    admin: Admin, supervisor: Staff, fleet: dict[str, str], db: Session
) -> None:
    admin.sign_in("chief")
    page = "/admin/fleet/b-1"
    sent = _post(admin, "/admin/fleet/b-1/commands/announce", page,
                 text="电梯检修\x07 至 18:00", minutes="30")  # fmt: skip
    done = _followed(admin, sent)
    assert "Command sent: Announcement banner" in done
    assert "The kiosk is not online" in done  # b-1 is offline: the command may expire
    _followed(admin, _post(admin, "/admin/fleet/b-1/commands/pause", page, message=""))
    announce, pause = _queued(db)
    assert announce.kind is CommandKind.ANNOUNCE and announce.kiosk_id == "b-1"
    assert announce.payload == {"text": "电梯检修 至 18:00", "minutes": 30}
    assert pause.kind is CommandKind.PAUSE and pause.payload == {"message": ""}
    assert {announce.issued_by, pause.issued_by} == {"staff chief"}
    first, second = _audit(db, "fleet.command")
    assert first.staff_id == supervisor.id and first.target_type == "kiosk"
    assert first.target_id == "b-1" and first.detail["command"] == announce.id
    assert first.detail["kind"] == "announce" and first.detail["payload"]["minutes"] == 30
    assert second.detail["kind"] == "pause"
    html = _page(admin, page)
    assert f'data-command="{announce.id}" data-command-kind="announce"' in html


@pytest.mark.parametrize(
    ("text", "minutes", "field", "error"),
    [
        ("", "60", "text", "Enter the text to show."),
        ("\x07\x1b", "60", "text", "Enter the text to show."),  # nothing left once cleaned
        ("x" * 201, "60", "text", "Use at most 200 characters."),
        ("电梯检修", "0", "minutes", "A whole number of minutes from 1 to 1440."),
        ("电梯检修", "ten", "minutes", "A whole number of minutes from 1 to 1440."),
    ],
)
def test_a_bad_announcement_is_shown_on_its_field_and_nothing_is_queued(
    admin: Admin, supervisor: Staff, fleet: dict[str, str], db: Session,
    text: str, minutes: str, field: str, error: str,
) -> None:  # fmt: skip
    admin.sign_in("chief")
    response = _post(admin, "/admin/fleet/a-1/commands/announce", "/admin/fleet/a-1",
                     text=text, minutes=minutes)  # fmt: skip
    assert response.status_code == 400
    html = html_lib.unescape(response.get_data(as_text=True))
    assert "There is a problem" in html and error in html
    assert f'<p class="field__error" id="{field}-error">' in html
    assert f'<a href="#{field}">{error}</a>' in html
    assert _queued(db) == [] and _audit(db, "fleet.command") == []


def test_central_configuration_refuses_bad_values_per_field_and_stores_nothing(
    admin: Admin, boss: Staff, fleet: dict[str, str], db: Session
) -> None:
    admin.sign_in("boss")
    page = "/admin/fleet/a-1"
    good = {"idle_seconds": "120", "hotline": "0731-12345"}
    for bad, message in (
        ({"hotline": "12a"}, "Use digits and hyphens only"),
        ({"idle_seconds": "2"}, "A whole number of seconds from 5 to 3600."),
        ({"idle_seconds": "5.0"}, "A whole number of seconds from 5 to 3600."),
        ({"receipt_printer": "carrier-pigeon://loft"}, "This printer address cannot be used"),
    ):
        response = _post(admin, "/admin/fleet/a-1/config", page, **{**good, **bad})
        assert response.status_code == 400, bad
        html = html_lib.unescape(response.get_data(as_text=True))
        [name] = bad
        assert "There is a problem" in html and message in html
        assert f'<p class="field__error" id="{name}-error">' in html
        assert 'value="0731-12345"' in html or name == "hotline"  # what was typed is kept
    assert central.history(db) == [] and _audit(db, "fleet.config") == []


def test_a_good_change_makes_a_version_shown_in_the_history(
    admin: Admin, boss: Staff, fleet: dict[str, str], db: Session
) -> None:
    admin.sign_in("boss")
    page = "/admin/fleet/a-1"
    saved = _post(admin, "/admin/fleet/a-1/config", page, idle_seconds="120",
                  hotline="0731-12345", announcement_banner="")  # fmt: skip
    html = _followed(admin, saved)
    version = _current(db, "a-1")
    assert version is not None and version.changed_by == "staff boss"
    assert version.values == {"idle_seconds": 120, "hotline": "0731-12345"}
    assert f"Saved as version {version.id}." in html
    assert f'data-version="{version.id}"' in html and "0731-12345" in html
    [entry] = _audit(db, "fleet.config")
    assert entry.target_type == "kiosk" and entry.target_id == "a-1"
    assert entry.detail == {"version": version.id, "changed": ["hotline", "idle_seconds"]}
    # The whole fleet's values, from the list page's link; the kiosk shows where each comes from.
    assert "/admin/fleet-config" in _page(admin, LIST)
    form = _page(admin, "/admin/fleet-config")
    assert "Change the values for every kiosk" in form
    fleet_saved = _post(admin, "/admin/fleet-config", "/admin/fleet-config",
                        announcement_banner="春节期间正常开放", hotline="12345")  # fmt: skip
    assert f"Saved as version {version.id + 1}." in _followed(admin, fleet_saved)
    drill = _page(admin, page)
    row = drill[drill.index('data-setting="announcement_banner"') :]
    assert "春节期间正常开放" in row[: row.index("</tr>")]
    assert "set for the whole fleet" in row[: row.index("</tr>")]
    # Clearing a kiosk's value: empty means not set centrally.
    cleared = _post(admin, "/admin/fleet/a-1/config", page, idle_seconds="120", hotline="")
    _followed(admin, cleared)
    latest = _current(db, "a-1")
    assert latest is not None and latest.values == {"idle_seconds": 120}
    assert latest.changes == {"hotline": ["0731-12345", None]}


def test_only_an_admin_changes_the_central_configuration(
    admin: Admin, supervisor: Staff, fleet: dict[str, str], db: Session
) -> None:
    admin.sign_in("chief")
    assert "Change the values" not in _page(admin, "/admin/fleet/a-1")
    assert admin.get("/admin/fleet-config").status_code == 403
    refused = _post(admin, "/admin/fleet/a-1/config", "/admin/fleet/a-1", hotline="0731-1")
    assert "You do not have access to this page." in _followed(admin, refused)
    assert central.history(db) == []


def test_a_screenshot_is_shown_and_never_cached(
    signed_in: Admin, fleet: dict[str, str], db: Session
) -> None:
    shot = commands.issue(db, "a-1", CommandKind.SCREENSHOT, {}, "tester")
    commands.finish(db, shot.id, ok=True, result={"page": "/"}, attachment=PNG)
    plain = commands.issue(db, "a-1", CommandKind.RELOAD, {}, "tester")
    html = _page(signed_in, "/admin/fleet/a-1")
    path = f"/admin/fleet/commands/{shot.id}/screenshot"
    assert re.search(
        rf'<img class="fleet-shot__img" src="{path}" loading="lazy"\s+alt="[^"]+"', html
    )
    picture = signed_in.get(path)
    assert picture.status_code == 200 and picture.mimetype == "image/png"
    assert picture.get_data() == PNG and picture.headers["Cache-Control"] == "no-store"
    assert signed_in.get(f"/admin/fleet/commands/{plain.id}/screenshot").status_code == 404
    assert signed_in.get("/admin/fleet/commands/999999/screenshot").status_code == 404
    assert signed_in.get(f"/admin/fleet/commands/{2**63}/screenshot").status_code == 404


def test_the_state_labels_cover_every_state() -> None:
    from kiosk.admin.fleet_forms import COMMAND, COMMAND_STATUS, STATE
    from kiosk.models import CommandStatus

    assert set(STATE) == {s.value for s in KioskState}
    assert set(COMMAND) == {k.value for k in CommandKind}
    assert set(COMMAND_STATUS) == {s.value for s in CommandStatus}


def test_the_pages_render_in_chinese(
    make_app: Callable[..., Any], fleet: dict[str, str], make_staff: Callable[..., Staff]
) -> None:
    app = make_app()  # zh_CN, the admin's default
    make_staff("boss", Role.ADMIN)
    admin = Admin(app.test_client())
    admin.sign_in("boss")
    for path in (LIST, "/admin/fleet/a-1", "/admin/fleet/b-2", "/admin/fleet-config"):
        assert '<html lang="zh-Hans">' in admin.text(path)
