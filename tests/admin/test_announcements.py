"""The announcements pages: staff read them, supervisors write, change and withdraw them."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from kiosk.db import utcnow
from kiosk.models import Announcement, AuditLog, Staff
from kiosk.services import announcements
from kiosk.services.announcements import AnnouncementDraft
from kiosk.services.audit import Actor
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token

LIST = "/admin/announcements"
NEW = "/admin/announcements/new"
ZONE = ZoneInfo("Asia/Shanghai")  # the test kiosk's time zone (the default setting)


def _local(value: datetime) -> str:
    """A time as <input type="datetime-local"> sends it, in the kiosk's time zone."""
    return value.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def _publish(
    db: Session,
    staff: Staff,
    text_zh: str = "驿站春节期间正常开放",
    building_code: str = "demo",
    **times: datetime,
) -> Announcement:
    draft = AnnouncementDraft(text_zh, "", times.get("starts_at"), times.get("ends_at"))
    return announcements.create(db, building_code, draft, Actor(staff))


def _section(html: str, kind: str) -> str:
    """The list page's table (or "None.") of current, upcoming or past announcements."""
    start = html.index(f'data-announcements="{kind}"')
    ends = [i for i in (html.find("</table>", start), html.find("</p>", start)) if i != -1]
    return html[start : min(ends)]


def _ids(html: str, kind: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-announcement="(\d+)"', _section(html, kind))]


def _reload(db: Session, item_id: int) -> Announcement:
    db.rollback()
    db.expire_all()
    found = db.get(Announcement, item_id)
    assert found is not None
    return found


def _count(db: Session) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Announcement)) or 0


def _audit(db: Session) -> list[AuditLog]:
    db.rollback()
    db.expire_all()
    query = select(AuditLog).where(AuditLog.action.like("announcement.%")).order_by(AuditLog.id)
    return list(db.scalars(query))


def _after(admin: Admin, response: TestResponse) -> str:
    """Where a redirect leads, unescaped, following the admin's own redirects."""
    assert response.status_code == 303, response.status_code
    page = admin.client.get(response.location, follow_redirects=True)
    assert page.status_code == 200
    return html_lib.unescape(page.get_data(as_text=True))


def _form(admin: Admin, path: str, **fields: str) -> dict[str, str]:
    """The fields of the form on `path`, with its CSRF token, as the browser would send them."""
    return {"csrf_token": csrf_token(admin.text(path)), **fields}


def test_plain_staff_may_read_but_not_write(
    signed_in: Admin, supervisor: Staff, db: Session
) -> None:
    item = _publish(db, supervisor, "电梯维护，请走楼梯")
    html = signed_in.text(LIST)
    assert "电梯维护，请走楼梯" in html and _ids(html, "current") == [item.id]
    assert "Only a supervisor can write or withdraw announcements." in html
    assert f'href="{NEW}"' not in html
    assert f"/admin/announcements/{item.id}/deactivate" not in html
    assert f"/admin/announcements/{item.id}/edit" not in html

    assert signed_in.get(NEW).status_code == 403
    assert signed_in.get(f"/admin/announcements/{item.id}/edit").status_code == 403
    token = csrf_token(html)
    # The pages refuse with 403; a refused POST in the admin is a redirect with the reason
    # flashed (kiosk.errors.render_error), and nothing is saved.
    created = signed_in.client.post(NEW, data={"csrf_token": token, "text_zh": "我也要发通知"})
    assert "You do not have access to this page." in _after(signed_in, created)
    withdrawn = signed_in.client.post(
        f"/admin/announcements/{item.id}/deactivate", data={"csrf_token": token}
    )
    assert "You do not have access to this page." in _after(signed_in, withdrawn)
    assert _count(db) == 1 and _reload(db, item.id).active
    assert [e.action for e in _audit(db)] == ["announcement.create"]


def test_the_list_needs_a_signed_in_staff_member(admin: Admin) -> None:
    response = admin.get(LIST)
    assert response.status_code == 302 and "/admin/sign-in" in response.location


def test_supervisor_publishes_one_from_now(admin: Admin, supervisor: Staff, db: Session) -> None:
    admin.sign_in("chief")
    listed = admin.text(LIST)
    assert f'href="{NEW}"' in listed and "Only a supervisor" not in listed
    form = admin.text(NEW)
    assert 'name="text_zh"' in form and 'type="datetime-local"' in form
    data = _form(
        admin, NEW, text_zh="春节期间驿站正常开放", text_en="Open as usual over the Spring Festival"
    )
    data.update(starts_at="", ends_at="")
    response = admin.client.post(NEW, data=data)
    assert response.status_code == 303 and response.location == LIST
    page = html_lib.unescape(admin.text(LIST))
    assert "The announcement has been saved." in page
    [item] = db.scalars(select(Announcement)).all()
    assert _ids(page, "current") == [item.id]
    assert "春节期间驿站正常开放" in _section(page, "current")
    assert "Open as usual over the Spring Festival" in _section(page, "current")
    assert "Until withdrawn" in _section(page, "current")
    assert item.building_code == "demo" and item.staff_id == supervisor.id and item.active
    [entry] = _audit(db)
    assert entry.action == "announcement.create" and entry.target_id == str(item.id)
    assert entry.staff_id == supervisor.id


def test_a_later_start_is_listed_as_coming_up_in_local_time(
    admin: Admin, supervisor: Staff, db: Session
) -> None:
    admin.sign_in("chief")
    starts = (utcnow() + timedelta(days=2)).astimezone(ZONE).replace(second=0, microsecond=0)
    ends = starts + timedelta(hours=8)
    data = _form(admin, NEW, text_zh="周六消防演练", text_en="")
    data.update(starts_at=_local(starts), ends_at=_local(ends))
    assert admin.client.post(NEW, data=data).status_code == 303
    page = admin.text(LIST)
    [item] = db.scalars(select(Announcement)).all()
    assert item.starts_at == starts and item.ends_at == ends  # read in the kiosk's time zone
    assert _ids(page, "upcoming") == [item.id] and _ids(page, "current") == []
    assert starts.strftime("%Y-%m-%d %H:%M") in _section(page, "upcoming")
    assert ends.strftime("%Y-%m-%d %H:%M") in _section(page, "upcoming")


def test_supervisor_changes_an_announcement(admin: Admin, supervisor: Staff, db: Session) -> None:
    starts = utcnow().replace(second=0, microsecond=0) - timedelta(hours=1)
    ends = starts + timedelta(days=3)
    item = _publish(db, supervisor, "旧的文字", starts_at=starts)
    admin.sign_in("chief")
    path = f"/admin/announcements/{item.id}/edit"
    assert f'href="{path}"' in admin.text(LIST)
    page = admin.text(path)
    assert "旧的文字</textarea>" in page and f'value="{_local(starts)}"' in page
    data = _form(admin, path, text_zh="新的文字", text_en="New words")
    data.update(starts_at=_local(starts), ends_at=_local(ends))  # the start as the form showed it
    response = admin.client.post(path, data=data)
    assert response.status_code == 303 and response.location == LIST
    assert "The announcement has been changed." in html_lib.unescape(admin.text(LIST))
    changed = _reload(db, item.id)
    assert (changed.text_zh, changed.text_en) == ("新的文字", "New words")
    assert (changed.starts_at, changed.ends_at) == (starts, ends)
    _create, update = _audit(db)
    assert update.action == "announcement.update" and update.staff_id == supervisor.id
    assert update.target_id == str(item.id)
    assert update.detail["text_zh"] == ["旧的文字", "新的文字"]
    assert update.detail["text_en"] == ["", "New words"]
    old_end, new_end = update.detail["ends_at"]
    assert old_end is None and datetime.fromisoformat(new_end) == ends


def test_saving_the_start_the_form_showed_is_not_audited_as_a_change(
    admin: Admin, supervisor: Staff, db: Session
) -> None:
    # Seconds the form cannot show (it shows minutes) are kept, not cut off.
    starts = utcnow().replace(second=37, microsecond=0) - timedelta(hours=1)
    item = _publish(db, supervisor, "旧的文字", starts_at=starts)
    admin.sign_in("chief")
    path = f"/admin/announcements/{item.id}/edit"
    data = _form(admin, path, text_zh="新的文字", text_en="", starts_at=_local(starts), ends_at="")
    assert admin.client.post(path, data=data).status_code == 303
    assert _reload(db, item.id).starts_at == starts
    _create, update = _audit(db)
    assert update.detail == {"text_zh": ["旧的文字", "新的文字"]}


def test_supervisor_withdraws_an_announcement(admin: Admin, supervisor: Staff, db: Session) -> None:
    item = _publish(db, supervisor, "临时停水通知")
    admin.sign_in("chief")
    listed = admin.text(LIST)
    path = f"/admin/announcements/{item.id}/deactivate"
    assert f'action="{path}"' in listed
    response = admin.client.post(path, data={"csrf_token": csrf_token(listed)})
    assert response.status_code == 303 and response.location == LIST
    page = html_lib.unescape(admin.text(LIST))
    assert "The announcement has been withdrawn from the screen." in page
    assert _ids(page, "current") == [] and _ids(page, "past") == [item.id]
    assert "Withdrawn" in _section(page, "past") and path not in page
    assert not _reload(db, item.id).active
    assert [e.action for e in _audit(db)] == ["announcement.create", "announcement.deactivate"]
    # A withdrawn one can no longer be opened for editing.
    reopened = admin.get(f"/admin/announcements/{item.id}/edit")
    assert reopened.status_code == 303 and reopened.location == LIST
    assert "can no longer be changed" in html_lib.unescape(admin.text(LIST))


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "message"),
    [
        ("明天上午九点", "", "Enter a date and time, for example 2026-12-01 09:00."),
        ("", "2026-13-45T25:00", "Enter a date and time, for example 2026-12-01 09:00."),
        ("2099-12-02T09:00", "2099-12-01T09:00", "The end must be after the start."),
        ("2000-01-01T09:00", "2000-01-02T09:00", "The end must be in the future."),
    ],
)
def test_bad_times_are_refused_and_what_was_typed_is_kept(
    admin: Admin, supervisor: Staff, db: Session, starts_at: str, ends_at: str, message: str
) -> None:
    admin.sign_in("chief")
    data = _form(admin, NEW, text_zh="请勿丢失这段文字", text_en="Keep this text")
    data.update(starts_at=starts_at, ends_at=ends_at)
    response = admin.client.post(NEW, data=data)
    assert response.status_code == 400
    page = html_lib.unescape(response.get_data(as_text=True))
    assert message in page and "There is a problem" in page
    assert "请勿丢失这段文字</textarea>" in page and "Keep this text</textarea>" in page
    for typed in (starts_at, ends_at):
        if typed:
            assert f'value="{typed}"' in page
    assert csrf_token(page)  # it can be corrected and sent again
    assert _count(db) == 0 and _audit(db) == []


def test_a_change_with_a_bad_time_keeps_the_old_announcement(
    admin: Admin, supervisor: Staff, db: Session
) -> None:
    item = _publish(db, supervisor, "原来的通知")
    admin.sign_in("chief")
    path = f"/admin/announcements/{item.id}/edit"
    data = _form(admin, path, text_zh="", text_en="", starts_at="", ends_at="yesterday")
    response = admin.client.post(path, data=data)
    assert response.status_code == 400
    assert "Enter a date and time" in html_lib.unescape(response.get_data(as_text=True))
    data["ends_at"] = ""
    response = admin.client.post(path, data=data)
    assert response.status_code == 400
    assert "Enter the announcement in Chinese." in response.get_data(as_text=True)
    assert _reload(db, item.id).text_zh == "原来的通知"
    assert [e.action for e in _audit(db)] == ["announcement.create"]


def test_posts_without_the_csrf_token_are_refused(
    admin: Admin, supervisor: Staff, db: Session
) -> None:
    item = _publish(db, supervisor, "不要撤下我")
    admin.sign_in("chief")
    for path, data in (
        (NEW, {"text_zh": "没有令牌的通知"}),
        (f"/admin/announcements/{item.id}/edit", {"text_zh": "没有令牌的修改"}),
        (f"/admin/announcements/{item.id}/deactivate", {}),
    ):
        response = admin.client.post(path, data=data)
        assert response.status_code == 400, path
        assert "This page had expired, so nothing was saved." in html_lib.unescape(
            response.get_data(as_text=True)
        )
    assert _count(db) == 1
    kept = _reload(db, item.id)
    assert kept.active and kept.text_zh == "不要撤下我"
    assert [e.action for e in _audit(db)] == ["announcement.create"]


def test_another_buildings_announcement_is_not_found(
    admin: Admin, supervisor: Staff, db: Session
) -> None:
    theirs = _publish(db, supervisor, "别的楼宇的通知", building_code="other-tower")
    admin.sign_in("chief")
    listed = admin.text(LIST)
    assert "别的楼宇的通知" not in listed
    edit = f"/admin/announcements/{theirs.id}/edit"
    assert admin.get(edit).status_code == 404
    assert admin.get("/admin/announcements/999999/edit").status_code == 404
    token = csrf_token(listed)
    # A POST for it is a 404 too: absent, as for a GET (never a bounce back with a flash).
    changed = admin.client.post(edit, data={"csrf_token": token, "text_zh": "改掉它"})
    assert changed.status_code == 404
    assert "We could not find that." in changed.get_data(as_text=True)
    withdrawn = admin.client.post(
        f"/admin/announcements/{theirs.id}/deactivate", data={"csrf_token": token}
    )
    assert withdrawn.status_code == 404
    assert "We could not find that." in withdrawn.get_data(as_text=True)
    kept = _reload(db, theirs.id)
    assert kept.active and kept.text_zh == "别的楼宇的通知"
    assert [e.action for e in _audit(db)] == ["announcement.create"]
