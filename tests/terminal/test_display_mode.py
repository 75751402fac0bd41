"""Large text (适老化) at the touchscreen, and the attract screen an idle kiosk shows."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from kiosk.db import utcnow
from kiosk.models import Announcement, Building, Role, Staff, Tenant, WebSession
from kiosk.services import announcements
from kiosk.services.announcements import SHOWN_MAX, AnnouncementDraft
from kiosk.services.audit import Actor
from kiosk.tasks import TASKS
from tests.support.pages import csrf_token
from tests.support.terminal import Terminal


@pytest.fixture
def terminal(client: FlaskClient) -> Terminal:
    return Terminal(client)


def _display(html: str) -> str:
    """The body's display mode: "large" or "standard"."""
    match = re.search(r'<body [^>]*data-display="([a-z]+)"', html)
    assert match, "no data-display on the body"
    return match.group(1)


def _toggle(html: str) -> str:
    """The large-text toggle button as rendered."""
    match = re.search(r"<button[^>]*data-display-toggle[^>]*>", html)
    assert match, "no large-text toggle on the page"
    return match.group(0)


def _switch(terminal: Terminal, mode: str, next_page: str = "/", page: str = "/") -> TestResponse:
    """Tap the toggle on `page` (its CSRF token), asking for `mode` and to come back to `next`."""
    html = terminal.page(page).get_data(as_text=True)
    return terminal.client.post(
        "/display-mode", data={"mode": mode, "next": next_page, "csrf_token": csrf_token(html)}
    )


def test_the_toggle_starts_off_and_comes_back_to_the_page(
    terminal: Terminal, building: Building
) -> None:
    html = terminal.page("/appeal/company").get_data(as_text=True)
    assert _display(html) == "standard"
    toggle = _toggle(html)
    assert 'value="large"' in toggle and 'aria-pressed="false"' in toggle
    form = html[html.index('action="/display-mode"') : html.index("data-display-toggle")]
    assert 'name="next" value="/appeal/company"' in form  # back to this page, not home


def test_large_text_is_kept_for_the_session_until_switched_off(
    terminal: Terminal, building: Building
) -> None:
    response = _switch(terminal, "large", "/")
    assert response.status_code == 303 and response.location == "/"
    for path in ("/", "/appeal/company"):
        html = terminal.page(path).get_data(as_text=True)
        assert _display(html) == "large", path
        toggle = _toggle(html)
        assert 'aria-pressed="true"' in toggle and 'value="standard"' in toggle
    assert 'data-session="active"' in terminal.page("/").get_data(as_text=True)

    response = _switch(terminal, "standard", "/appeal/company")
    assert response.status_code == 303 and response.location == "/appeal/company"
    html = terminal.page("/").get_data(as_text=True)
    assert _display(html) == "standard" and 'aria-pressed="false"' in _toggle(html)


def test_an_unknown_mode_changes_nothing(terminal: Terminal, building: Building) -> None:
    _switch(terminal, "large")
    assert _switch(terminal, "huge").status_code == 303
    assert _display(terminal.page("/").get_data(as_text=True)) == "large"
    _switch(terminal, "standard")
    assert _switch(terminal, "").status_code == 303
    assert _display(terminal.page("/").get_data(as_text=True)) == "standard"


def test_switching_keeps_the_answers_given_so_far(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    terminal.fill_appeal(tenant=make_tenant().id, contact_name="王小明")
    response = _switch(terminal, "large", "/appeal/check", page="/appeal/check")
    assert response.location == "/appeal/check"
    html = terminal.page("/appeal/check").get_data(as_text=True)
    assert _display(html) == "large" and "王小明" in html


def test_the_toggle_needs_the_csrf_token(terminal: Terminal, building: Building) -> None:
    terminal.page("/")
    response = terminal.client.post("/display-mode", data={"mode": "large", "next": "/"})
    assert response.status_code == 400
    assert _display(terminal.page("/").get_data(as_text=True)) == "standard"
    html = terminal.page("/").get_data(as_text=True)
    forged = terminal.client.post(
        "/display-mode", data={"mode": "large", "next": "/", "csrf_token": "x" + csrf_token(html)}
    )
    assert forged.status_code == 400
    assert _display(terminal.page("/").get_data(as_text=True)) == "standard"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/appeal\r\nSet-Cookie: x=1",
        "/appeal\tx",
        "evil.example",
        "",
    ],
)
def test_next_never_leaves_the_site(terminal: Terminal, building: Building, target: str) -> None:
    response = _switch(terminal, "large", target)
    assert response.status_code == 303 and response.location == "/"
    assert not any("x=1" in cookie for cookie in response.headers.getlist("Set-Cookie"))
    assert _display(terminal.page("/").get_data(as_text=True)) == "large"  # still switched


def test_next_on_this_site_is_kept(terminal: Terminal, building: Building) -> None:
    response = _switch(terminal, "large", "/appeal/category")
    assert response.status_code == 303 and response.location == "/appeal/category"


def test_the_wipe_forgets_large_text(terminal: Terminal, building: Building) -> None:
    _switch(terminal, "large")
    assert _display(terminal.page("/").get_data(as_text=True)) == "large"
    wiped = terminal.client.post("/reset")
    assert wiped.status_code == 303 and wiped.location == "/"
    html = terminal.page("/").get_data(as_text=True)
    assert _display(html) == "standard" and 'data-session="empty"' in html


# ---- The attract screen -------------------------------------------------------------------


@pytest.fixture
def chief(make_staff: Callable[..., Staff]) -> Actor:
    return Actor(make_staff("chief", Role.SUPERVISOR))


def _publish(
    db: Session,
    actor: Actor,
    text_zh: str,
    text_en: str = "",
    *,
    starts_in: int | None = None,
    building: str = "demo",
) -> int:
    """Publish an announcement through the service; `starts_in` hours from now, else now."""
    starts = utcnow() + timedelta(hours=starts_in) if starts_in is not None else None
    return announcements.create(db, building, AnnouncementDraft(text_zh, text_en, starts), actor).id


def _shown(html: str) -> list[str]:
    """The announcements on the attract screen, each as its texts joined by " | "."""
    items = re.findall(r"<li [^>]*data-announcement>(.*?)</li>", html, re.S)
    return [
        " | ".join(html_lib.unescape(t) for t in re.findall(r">([^<]*)</span>", item))
        for item in items
    ]


def test_attract_screen_stores_nothing_and_is_never_cached(app: Flask, building: Building) -> None:
    response = app.test_client().get("/welcome")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert "<form" not in html and "csrf_token" not in html


def test_attract_screen_shows_the_building_tasks_and_complaint_code(
    app: Flask, client: FlaskClient, building: Building
) -> None:
    html = html_lib.unescape(client.get("/welcome").get_data(as_text=True))
    assert '<html lang="zh-Hans">' in html
    assert 'lang="zh-Hans">芙蓉国际金融中心<' in html
    assert 'lang="en">Furong International Finance Centre<' in html
    assert "我要反映诉求" in html
    for task in (t for t in TASKS.values() if t.tile):  # a claim starts from a policy
        for locale, lang in (("zh_CN", "zh-Hans"), ("en", "en")):
            with app.test_request_context(), force_locale(locale):
                title, summary = str(task.title), str(task.summary)
            assert f'lang="{lang}">{title}<' in html, (locale, title)
            assert f'lang="{lang}">{summary}<' in html, (locale, summary)
    assert 'href="/"' in html and "data-attract-start" in html
    assert '<svg class="qr"' in html
    assert re.search(r'class="footer__hotline-number">\s*12345\s*<', html)
    assert 'lang="en">Government service hotline<' in html
    assert "data-announcement" not in html  # no announcements: no empty section


def test_attract_screen_puts_the_chosen_language_first(
    terminal: Terminal, building: Building
) -> None:
    terminal.language("en")
    html = terminal.page("/welcome").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert html.index(">Furong International Finance Centre<") < html.index(">芙蓉国际金融中心<")


def test_attract_screen_shows_current_announcements_only(
    client: FlaskClient, building: Building, db: Session, chief: Actor
) -> None:
    _publish(db, chief, "驿站春节期间正常开放", "Open as usual over the Spring Festival")
    _publish(db, chief, "<b>只有中文</b>")
    _publish(db, chief, "明天才开始", "Starts tomorrow", starts_in=24)
    withdrawn = _publish(db, chief, "已经撤下", "Withdrawn")
    announcements.deactivate(db, withdrawn, "demo", chief)
    ended = _publish(db, chief, "已经结束", "Over")
    _publish(db, chief, "别的楼宇", "Another building", building="other-tower")
    item = db.get(Announcement, ended)
    assert item is not None
    item.starts_at, item.ends_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    db.commit()

    html = client.get("/welcome").get_data(as_text=True)
    assert _shown(html) == [
        "<b>只有中文</b>",
        "驿站春节期间正常开放 | Open as usual over the Spring Festival",
    ]
    assert "&lt;b&gt;只有中文&lt;/b&gt;" in html  # escaped, never markup
    for hidden in ("明天才开始", "已经撤下", "已经结束", "别的楼宇"):
        assert hidden not in html


def test_attract_screen_shows_the_newest_few(
    client: FlaskClient, building: Building, db: Session, chief: Actor
) -> None:
    for hours_ago in range(SHOWN_MAX + 2, 0, -1):
        _publish(db, chief, f"{hours_ago}小时前的通知", starts_in=-hours_ago)
    shown = _shown(client.get("/welcome").get_data(as_text=True))
    assert shown == [f"{n}小时前的通知" for n in range(1, SHOWN_MAX + 1)]


def test_attract_screen_never_shows_what_someone_typed(
    terminal: Terminal, building: Building, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("长沙星辰软件科技有限公司")
    terminal.fill_appeal(
        company_name="湖南保密咨询有限公司",
        description="我们公司的机密问题描述",
        contact_name="王小明",
        contact_mobile="13912345678",
    )
    assert "王小明" in terminal.page("/appeal/check").get_data(as_text=True)
    response = terminal.client.get("/welcome")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # nothing was written to the session
    html = html_lib.unescape(response.get_data(as_text=True))
    for private in (
        "王小明",
        "13912345678",
        "139****5678",
        "湖南保密咨询有限公司",
        "机密问题",
        tenant.name,
    ):
        assert private not in html, private
    # Looking at it did not wipe the session either: the answers are still there.
    assert "王小明" in terminal.page("/appeal/check").get_data(as_text=True)


def test_attract_screen_keeps_no_session_alive(terminal: Terminal, db: Session) -> None:
    terminal.fill_appeal(company_name="湖南测试有限公司", contact_name="王小明")
    expires = utcnow() + timedelta(seconds=30)  # as if the last tap was a minute ago
    db.execute(update(WebSession).values(expires_at=expires))
    db.commit()
    response = terminal.client.get("/welcome")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    db.expire_all()
    assert db.scalars(select(WebSession.expires_at)).all() == [expires]  # not extended
