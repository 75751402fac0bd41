"""Caching: a page with nothing personal is revalidated (ETag, 304); a personal one never kept."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from kiosk import caching
from kiosk.models import Appeal, Building, Role, Staff
from kiosk.services import announcements
from kiosk.services.announcements import AnnouncementDraft
from kiosk.services.audit import Actor
from kiosk.services.policies import catalogue
from tests.services.test_policies import row
from tests.support.statements import selects
from tests.support.terminal import Terminal


def test_a_policy_page_answers_304_when_the_phone_has_it(client: FlaskClient, db: Session) -> None:
    catalogue.save(db, catalogue.check(row("P-1", body="第一条 对象\n第二条 标准")), staff_id=None)
    first = client.get("/policy/P-1")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    assert "Pragma" not in first.headers and "Set-Cookie" not in first.headers
    etag = first.headers["ETag"]
    again = client.get("/policy/P-1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    english = client.get("/policy/P-1?lang=en", headers={"If-None-Match": etag})
    assert english.status_code == 200  # another language is another page
    assert english.headers["ETag"] != etag


def test_a_personal_page_is_never_cacheable(
    client: FlaskClient, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    first = client.get(f"/status/{appeal.token}")
    assert first.headers["Cache-Control"] == "no-store" and "ETag" not in first.headers
    again = client.get(f"/status/{appeal.token}", headers={"If-None-Match": '"*"'})
    assert again.status_code == 200 and again.headers["Cache-Control"] == "no-store"
    home = client.get("/", headers={"If-None-Match": "*"})
    assert home.status_code == 200 and home.headers["Cache-Control"] == "no-store"


# ---- Pages the server keeps for a few seconds (kiosk.caching.kept) --------------------------


def _titles(client: FlaskClient) -> list[str]:
    body = client.get("/api/v1/policies?q=补贴").get_json()
    return sorted(policy["title"] for policy in body["policies"])


def test_the_policy_search_is_kept_until_something_is_committed(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    catalogue.save(db, catalogue.check(row("P-1", title="创业补贴")), staff_id=None)
    assert _titles(client) == ["创业补贴"]
    with selects(app.extensions["kiosk.engine"]) as statements:
        assert _titles(client) == ["创业补贴"]
        assert statements == []  # answered without the database
    catalogue.save(db, catalogue.check(row("P-2", title="稳岗补贴")), staff_id=None)
    assert _titles(client) == ["创业补贴", "稳岗补贴"]  # the commit dropped it at once
    assert _titles(client.application.test_client()) == ["创业补贴", "稳岗补贴"]


def test_another_process_change_shows_within_page_seconds(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue.save(db, catalogue.check(row("P-1", title="创业补贴")), staff_id=None)
    assert _titles(client) == ["创业补贴"]
    # Another server process commits: this one hears nothing of it.
    other = create_engine(app.config["KIOSK"].database_url)
    try:
        with Session(other) as elsewhere:
            catalogue.save(elsewhere, catalogue.check(row("P-2", title="稳岗补贴")), staff_id=None)
    finally:
        other.dispose()
    assert _titles(client) == ["创业补贴"]  # still the kept answer
    now = time.monotonic()
    monkeypatch.setattr(caching.time, "monotonic", lambda: now + caching_seconds(app) + 0.01)
    assert _titles(client) == ["创业补贴", "稳岗补贴"]


def caching_seconds(app: Flask) -> float:
    seconds: float = app.config["KIOSK"].page_seconds
    assert seconds > 0
    return seconds


def test_the_attract_screen_is_kept_per_language_and_dropped_on_a_commit(
    app: Flask, client: FlaskClient, building: Building, db: Session,
    make_staff: Callable[..., Staff],
) -> None:  # fmt: skip
    first = client.get("/welcome").get_data(as_text=True)
    with selects(app.extensions["kiosk.engine"]) as statements:
        again = client.get("/welcome")
        assert statements == [] and again.get_data(as_text=True) == first
        assert again.headers["Cache-Control"] == "no-store"  # kept by the server only
        assert "Set-Cookie" not in again.headers
    english = Terminal(app.test_client())
    english.language("en")
    assert '<html lang="en">' in english.page("/welcome").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in client.get("/welcome").get_data(as_text=True)
    chief = Actor(make_staff("chief", Role.SUPERVISOR))
    announcements.create(db, "demo", AnnouncementDraft("驿站今晚维护", "Maintenance", None), chief)
    assert "驿站今晚维护" in client.get("/welcome").get_data(as_text=True)


def test_a_page_rendered_while_something_was_committed_is_not_kept() -> None:
    cache = caching.PageCache(seconds=60)
    renders: list[int] = []

    def render(during: Callable[[], None] = lambda: None) -> Response:
        renders.append(1)
        during()  # another thread commits while this page is being made
        return Response(f"page {len(renders)}")

    app = Flask(__name__)
    with app.test_request_context("/"):
        assert cache.answer("k", lambda: render(cache.forget)).get_data() == b"page 1"
        assert cache.answer("k", render).get_data() == b"page 2"  # the first was not kept
        assert cache.answer("k", render).get_data() == b"page 2"
        failed = cache.answer("x", lambda: Response("busy", 503))
        assert failed.status_code == 503 and cache.answer("x", render).status_code == 200
    assert len(renders) == 3
