"""The status page a phone opens from the QR: status, timeline, rating; nothing private."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, Role, Staff
from kiosk.services import appeals
from kiosk.services.audit import Actor
from tests.support.pages import csrf_token
from tests.support.statements import selects


@pytest.fixture
def officer(make_staff: Callable[..., Staff]) -> Actor:
    return Actor(make_staff("officer", Role.STAFF), "127.0.0.1")


def _page(client: FlaskClient, appeal: Appeal) -> str:
    response = client.get(f"/status/{appeal.token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return html_lib.unescape(response.get_data(as_text=True))


def test_status_shows_progress_but_nothing_private(
    client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal(
        description="我们公司的内部情况……", contact_name="张三", company_name="长沙保密科技有限公司"
    )
    appeals.add_note(db, appeal.id, "内部备注：此企业曾多次反映", officer)
    appeals.reply(db, appeal.id, "已转交市交通运输局协调。", officer)
    page = _page(client, appeal)
    assert appeal.reference in page and "办理中" in page
    assert "已转交市交通运输局协调。" in page
    assert "内部备注" not in page and "此企业曾多次反映" not in page
    assert "138****5678" in page and "13812345678" not in page
    for private in ("张三", "我们公司的内部情况", "长沙保密科技有限公司"):
        assert private not in page


def test_unknown_or_guessed_tokens_are_not_found(
    client: FlaskClient, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    for token in ("1", str(appeal.id), appeal.reference, appeal.token[:-1], "x" * 500):
        assert client.get(f"/status/{token}").status_code == 404


def _rate(client: FlaskClient, appeal: Appeal, **data: str) -> object:
    html = client.get(f"/status/{appeal.token}").get_data(as_text=True)
    return client.post(
        f"/status/{appeal.token}/rate", data={"csrf_token": csrf_token(html), **data}
    )


def test_rating_after_resolution(
    client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal()
    assert "这个答复解决您的问题了吗？" not in _page(client, appeal)  # not before it is resolved
    appeals.resolve(db, appeal.id, "已开通免费通勤专线。", officer)
    page = _page(client, appeal)
    assert "这个答复解决您的问题了吗？" in page and "已开通免费通勤专线。" in page
    # The answer comes before the question about it.
    assert page.index("已开通免费通勤专线。") < page.index("这个答复解决您的问题了吗？")
    response = _rate(client, appeal, rating="satisfied", reason="")
    assert response.status_code == 303  # type: ignore[attr-defined]
    db.rollback()
    db.expire_all()
    assert appeals.get_by_token(db, appeal.token).status is AppealStatus.CLOSED
    page = _page(client, appeal)
    assert "感谢您的评价。" in page and "已评价" in page and "满意" in page
    assert re.search(r'class="timeline__what">[^<]*: 满意</p>', page)  # the rating, in the timeline
    assert "这个答复解决您的问题了吗？" not in page  # rated once


@pytest.mark.parametrize(
    ("locale", "message"),
    [("zh_CN", "请告诉我们不满意的原因。"), ("en", "Tell us why you are not satisfied.")],
)
def test_dissatisfied_needs_a_reason_in_both_languages(
    client: FlaskClient,
    db: Session,
    make_appeal: Callable[..., Appeal],
    officer: Actor,
    locale: str,
    message: str,
) -> None:
    appeal = make_appeal()
    appeals.resolve(db, appeal.id, "已答复。", officer)
    with client.session_transaction() as session:
        session["locale"] = locale
    response = _rate(client, appeal, rating="dissatisfied", reason="")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in html_lib.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def test_not_resolved_reopens_it(
    app: Flask, client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal()
    appeals.resolve(db, appeal.id, "已答复。", officer)
    html = client.get(f"/status/{appeal.token}").get_data(as_text=True)
    response = client.post(
        f"/status/{appeal.token}/reopen",
        data={"csrf_token": csrf_token(html), "reopen-reason": "接驳车只有早上一班"},
    )
    assert response.status_code == 303
    db.rollback()
    db.expire_all()
    reopened = appeals.get_by_token(db, appeal.token)
    assert reopened.status is AppealStatus.REOPENED
    page = _page(client, appeal)
    assert "重新办理" in page and "接驳车只有早上一班" in page


def test_rating_without_csrf_token_changes_nothing(
    client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal()
    appeals.resolve(db, appeal.id, "已答复。", officer)
    response = client.post(f"/status/{appeal.token}/rate", data={"rating": "satisfied"})
    assert response.status_code == 400
    db.rollback()
    db.expire_all()
    assert appeals.get_by_token(db, appeal.token).status is AppealStatus.RESOLVED


def _reopen_token(html: str) -> str:
    """The CSRF token of the "not resolved" form (its fields carry the prefix reopen-)."""
    found = re.search(r'name="reopen-csrf_token"[^>]*value="([^"]+)"', html)
    assert found is not None, "no reopen form"
    return found.group(1)


def test_not_satisfied_keeps_the_way_to_reopen_open_for_a_while(
    app: Flask, client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal()
    appeals.resolve(db, appeal.id, "已答复。", officer)
    response = _rate(client, appeal, rating="dissatisfied", reason="电梯还是经常停运")
    assert response.status_code == 303  # type: ignore[attr-defined]
    db.rollback()
    db.expire_all()
    rated = appeals.get_by_token(db, appeal.token)
    assert rated.status is AppealStatus.CLOSED and rated.rated_at is not None
    page = _page(client, appeal)
    assert "已评价" in page and "这个答复解决您的问题了吗？" not in page  # rated once
    assert "问题没有解决" in page and "data-reopen-window" in page
    until = rated.rated_at + timedelta(days=app.config["KIOSK"].reopen_after_dissatisfied_days)
    shown = until.astimezone(app.config["KIOSK"].zone).strftime("%Y-%m-%d %H:%M")
    assert f"{shown} 之前" in page  # until when, in the kiosk's time
    response = client.post(
        f"/status/{appeal.token}/reopen",
        data={"reopen-csrf_token": _reopen_token(page), "reopen-reason": "物业没有来"},
    )
    assert response.status_code == 303
    db.rollback()
    db.expire_all()
    assert appeals.get_by_token(db, appeal.token).status is AppealStatus.REOPENED
    assert "物业没有来" in _page(client, appeal)


def test_after_its_period_a_not_satisfied_appeal_cannot_be_reopened(
    app: Flask, client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal()
    appeals.resolve(db, appeal.id, "已答复。", officer)
    appeals.rate(db, app.config["KIOSK"], appeal.token, "dissatisfied", "没有解决")
    db.expire_all()
    token = _reopen_token(_page(client, appeal))  # the form as it was shown in time
    db.rollback()
    rated = appeals.get_by_token(db, appeal.token)
    rated.rated_at = rated.rated_at - timedelta(days=16)  # type: ignore[operator]
    db.commit()
    page = _page(client, appeal)
    assert "问题没有解决" not in page and "data-reopen-window" not in page
    response = client.post(
        f"/status/{appeal.token}/reopen",
        data={"reopen-csrf_token": token, "reopen-reason": "还是不行"},
    )
    assert response.status_code == 409
    db.rollback()
    db.expire_all()
    assert appeals.get_by_token(db, appeal.token).status is AppealStatus.CLOSED


def test_opening_a_status_page_stores_no_session_and_sets_no_cookie(
    client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    """Ten thousand phones opening their links must not write ten thousand session rows."""
    from kiosk.sessions import session_count

    resolved = make_appeal()
    appeals.resolve(db, resolved.id, "已答复。", officer)  # shows the rating and reopen forms
    for appeal in (resolved, make_appeal()):
        response = client.get(f"/status/{appeal.token}")
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    db.rollback()
    assert session_count(db) == 0


def test_a_rating_form_made_for_another_appeal_is_refused(
    client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    mine, other = make_appeal(), make_appeal()
    for appeal in (mine, other):
        appeals.resolve(db, appeal.id, "已答复。", officer)
    others_token = csrf_token(client.get(f"/status/{other.token}").get_data(as_text=True))
    response = client.post(
        f"/status/{mine.token}/rate", data={"csrf_token": others_token, "rating": "satisfied"}
    )
    assert response.status_code == 400
    db.rollback()
    db.expire_all()
    assert appeals.get_by_token(db, mine.token).status is AppealStatus.RESOLVED


def test_the_status_page_reads_its_appeal_in_one_round_trip(
    app: Flask, client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal],
    officer: Actor,
) -> None:  # fmt: skip
    """The appeal, its category, its whole timeline and whether it is in a common problem: one
    statement, not one per relation the template reads (each round trip is a good part of a
    phone's page)."""
    appeal = make_appeal()
    appeals.reply(db, appeal.id, "已转交市交通运输局协调。", officer)
    appeals.reply(db, appeal.id, "市交通运输局已受理。", officer)
    with selects(app.extensions["kiosk.engine"]) as statements:
        page = _page(client, appeal)
    assert "已转交市交通运输局协调。" in page and "市交通运输局已受理。" in page  # every event
    assert len(statements) == 1, statements


def test_a_status_page_shows_only_public_entries_and_stands_without_any(
    client: FlaskClient, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    """The page reads its timeline as rows joined on public entries: an internal note never
    shows, and an appeal with no public entry at all still has its page (an empty timeline)."""
    from sqlalchemy import update

    from kiosk.models import AppealEvent

    appeal = make_appeal()
    appeals.add_note(db, appeal.id, "内部备注：不要告诉企业", officer)
    appeals.reply(db, appeal.id, "已转交市交通运输局协调。", officer)
    page = _page(client, appeal)
    assert "已转交市交通运输局协调。" in page and "内部备注" not in page
    db.execute(update(AppealEvent).where(AppealEvent.appeal_id == appeal.id).values(public=False))
    db.commit()
    page = _page(client, appeal)
    assert appeal.reference in page and "已转交" not in page
    assert page.count('class="timeline__item') == 0
