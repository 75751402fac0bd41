"""Caching: a page with nothing personal is revalidated (ETag, 304); a personal one never kept."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.models import Appeal
from kiosk.services.policies import catalogue
from tests.services.test_policies import row


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
