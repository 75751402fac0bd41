"""Events for staff: publishing with checks, the list, attendees, calling off, the CSV, access."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import AuditLog, Building, Event, EventSignup, SignupStatus
from kiosk.services import events
from kiosk.services.events import SignupDraft
from tests.admin.conftest import Admin
from tests.admin.test_export import rows_of
from tests.support.pages import csrf_token

# The pages behave alike on either database; their services' tests run on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _local(app: Flask, days: int, hour: int) -> str:
    zone = app.config["KIOSK"].zone
    day = (datetime.now(zone) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def _fields(app: Flask, **values: Any) -> dict[str, Any]:
    fields = {
        "title": "营商课堂：新办企业财税合规",
        "kind": "class",
        "starts_at": _local(app, 3, 14),
        "ends_at": _local(app, 3, 16),
        "place": "3F 多功能厅",
        "online_url": "",
        "capacity": "2",
        "audience": "成立三年内的企业",
        "description": "税务专管员现场讲解。",
    }
    fields.update(values)
    return fields


def _post(admin: Admin, path: str, form_page: str, **fields: Any) -> Any:
    html = admin.text(form_page)
    return admin.client.post(path, data={"csrf_token": csrf_token(html), **fields})


@pytest.fixture
def published(signed_in: Admin, app: Flask, db: Session, building: Building) -> Event:
    response = _post(signed_in, "/admin/events/new", "/admin/events/new", **_fields(app))
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    event = db.scalar(select(Event))
    assert event is not None
    return event


def _sign_up(app: Flask, db: Session, event: Event, mobile: str, **values: str) -> EventSignup:
    draft = SignupDraft(
        uuid.uuid4().hex, event.id, None, values.get("company", "长沙星辰软件科技有限公司"),
        values.get("name", "张三"), mobile, "zh_CN",
    )  # fmt: skip
    return events.sign_up(db, app.config["KIOSK"], draft)


def test_staff_publish_an_event_and_it_is_audited(
    published: Event, signed_in: Admin, db: Session
) -> None:
    assert published.capacity == 2 and published.place == "3F 多功能厅"
    assert published.starts_at.hour == 6  # 14:00 in Changsha is 06:00 UTC
    page = signed_in.text("/admin/events")
    assert "营商课堂：新办企业财税合规" in page and 'data-confirmed="0"' in page
    assert 'href="/admin/events"' in page and 'aria-current="page"' in page
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "event.create"))
    assert entry is not None and entry.detail["title"] == published.title


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"ends_at": "START"}, "ends_at", "The end must be after the start."),
        ({"capacity": "0"}, "capacity", "Enter a number of places from 1 to 10,000."),
        ({"capacity": "10001"}, "capacity", "Enter a number of places from 1 to 10,000."),
        ({"capacity": "many"}, "capacity", "Enter a number of places from 1 to 10,000."),
        ({"place": ""}, "place", "Give the place, or a web address for an online event."),
        ({"title": "课\x07堂"}, "title", "Remove the control or invisible characters"),
        ({"title": "长" * 201}, "title", "Keep it to 200 characters or fewer."),
        ({"online_url": "javascript:alert(1)"}, "online_url", "Enter a web address starting"),
    ],
)
def test_what_staff_type_is_checked(
    signed_in: Admin, app: Flask, db: Session, building: Building,
    values: dict[str, str], field: str, message: str,
) -> None:  # fmt: skip
    fields = _fields(app, **values)
    if fields["ends_at"] == "START":
        fields["ends_at"] = fields["starts_at"]
    response = _post(signed_in, "/admin/events/new", "/admin/events/new", **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and f'href="#{field}"' in page
    assert db.scalar(select(Event)) is None


def test_attendees_in_order_and_the_csv_export(
    published: Event, signed_in: Admin, app: Flask, db: Session
) -> None:
    _sign_up(app, db, published, "13800000001", company='=HYPERLINK("http://x")')
    _sign_up(app, db, published, "13800000002", name="李𠀀😀")
    _sign_up(app, db, published, "13800000003", company="候补公司")
    page = signed_in.text(f"/admin/events/{published.id}")
    assert 'data-confirmed="2"' in page and 'data-waiting="1"' in page
    assert "李𠀀😀" in page and "13800000002" in page  # staff see the full number
    response = signed_in.get(f"/admin/events/{published.id}/export")
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = rows_of(response.data)
    assert header[:4] == ["Sign-up reference", "Status", "Waiting list number", "Company"]
    table = [dict(zip(header, row, strict=True)) for row in rows]
    assert table[0]["Company"] == '\'=HYPERLINK("http://x")'  # never run as a formula
    assert table[1]["Contact name"] == "李𠀀😀" and table[1]["Contact mobile"] == "13800000002"
    assert (table[2]["Company"], table[2]["Waiting list number"]) == ("候补公司", "1")
    db.rollback()
    assert db.scalar(select(AuditLog).where(AuditLog.action == "event.export")) is not None


def test_more_places_promote_the_waiting_list_and_calling_off_is_kept(
    published: Event, signed_in: Admin, app: Flask, db: Session
) -> None:
    for n in range(3):
        _sign_up(app, db, published, f"1380000000{n}")
    edit = f"/admin/events/{published.id}/edit"
    assert 'value="2"' in signed_in.text(edit)
    too_few = _post(signed_in, edit, edit, **_fields(app, capacity="1"))
    assert too_few.status_code == 400 and "2 people already have a place" in too_few.get_data(
        as_text=True
    )
    assert _post(signed_in, edit, edit, **_fields(app, capacity="3")).status_code == 303
    db.rollback()
    db.expire_all()
    assert [s.status for s in events.attendees(db, published.id)] == [SignupStatus.CONFIRMED] * 3
    show = f"/admin/events/{published.id}"
    cancelled = _post(signed_in, f"{show}/cancel", show)
    assert "The event has been cancelled." in signed_in.flash(cancelled)
    db.rollback()
    db.expire_all()
    assert db.get(Event, published.id).cancelled  # type: ignore[union-attr]
    assert events.upcoming(db, "demo").total == 0
    actions = set(db.scalars(select(AuditLog.action)))
    assert {"event.create", "event.update", "event.cancel"} <= actions


def test_only_signed_in_staff_see_events(
    client: FlaskClient, published: Event, signed_in: Admin
) -> None:
    signed_in.sign_out()
    show = f"/admin/events/{published.id}"
    paths = ("/admin/events", show, "/admin/events/new", f"{show}/export", f"{show}/edit")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/admin/sign-in" in response.location, path
    assert client.post(f"/admin/events/{published.id}/cancel").status_code in (302, 400)


def test_an_event_of_another_building_is_not_found(
    signed_in: Admin, db: Session, building: Building
) -> None:
    from kiosk.services.audit import Actor

    other = events.publish(
        db, "other-tower", events.EventDraft(
            "别的楼的活动", "class",
            datetime.fromisoformat("2099-01-01T10:00+08:00"),
            datetime.fromisoformat("2099-01-01T12:00+08:00"), "1F", "", 10,
        ), Actor(None, "test"),
    )  # fmt: skip
    assert signed_in.get(f"/admin/events/{other.id}").status_code == 404
    assert signed_in.get(f"/admin/events/{other.id}/export").status_code == 404


def test_event_pages_speak_of_events_not_prints_appeals_or_notices(
    published: Event, signed_in: Admin, app: Flask, db: Session
) -> None:
    """Each heading has its own words: 候补 is not 等待打印, a sign-up is not an appeal."""
    _sign_up(app, db, published, "13800000001")
    with signed_in.client.session_transaction() as session:
        session["locale"] = "zh_CN"
    listing = signed_in.text("/admin/events")
    shown = signed_in.text(f"/admin/events/{published.id}")
    form = signed_in.text(f"/admin/events/{published.id}/edit")
    assert "候补人数" in listing and "即将举行的活动" in listing
    assert "报名编号" in shown and "候补人数" in shown and "面向楼宇" in shown
    assert "活动介绍" in form
    for page in (listing, shown, form):
        for wrong in ("等待打印", "诉求编号", "即将展示", "展示范围", "问题描述"):
            assert wrong not in page, wrong
