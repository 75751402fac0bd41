"""Enrolment codes: one use, a few minutes, only their hash kept; what a terminal is given."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.edge.enrol import issue_code, redeem
from kiosk.errors import NotFound, ValidationFailed
from kiosk.models import ApiToken, EnrolmentCode


def test_a_code_works_once_and_is_kept_only_as_a_hash(app: Flask, db: Session) -> None:
    issued = issue_code(db, "lobby-1", "demo", "大堂 1 号机", "test")
    dump = " ".join(str(row) for row in db.execute(text("SELECT * FROM enrolment_code")))
    assert issued.code not in dump and issued.code.replace("-", "") not in dump
    client = app.test_client()
    first = client.post("/api/v1/edge/enrol", json={"code": issued.code.lower()})
    assert first.status_code == 200
    body = first.get_json()
    assert body["kiosk_id"] == "lobby-1" and body["token"].startswith("lk_")
    assert len(body["public_keys"]) == 1 and len(body["short_code"]) == 2
    assert "private" not in str(body).lower()
    again = client.post("/api/v1/edge/enrol", json={"code": issued.code})
    assert again.status_code == 404 and again.get_json()["error"] == "not_found"
    keys = client.get("/api/v1/edge/keys", headers={"Authorization": f"Bearer {body['token']}"})
    assert keys.get_json()["public_keys"] == body["public_keys"]


def test_an_expired_or_wrong_code_is_refused(app: Flask, db: Session) -> None:
    issued = issue_code(db, "lobby-1", "demo", "", "test", minutes=1)
    with pytest.raises(NotFound):
        redeem(db, issued.code, now=utcnow() + timedelta(minutes=2))
    with pytest.raises(NotFound):
        redeem(db, "ABCDE-FGHJK")
    assert db.scalar(select(EnrolmentCode.used_at)) is None
    for bad in ("", "x" * 7, 12345):
        answer = app.test_client().post("/api/v1/edge/enrol", json={"code": bad})
        assert answer.status_code == 400, bad
    with pytest.raises(ValidationFailed):
        issue_code(db, "Lobby 1", "demo", "", "test")


def test_enrolling_again_keeps_the_short_code_and_revokes_the_old_token(
    app: Flask, db: Session
) -> None:
    first = redeem(db, issue_code(db, "lobby-1", "demo", "", "test").code)
    second = redeem(db, issue_code(db, "lobby-1", "demo", "", "test").code)
    assert first.short_code == second.short_code and first.link_key != second.link_key
    live = db.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))).all()
    assert [t.kiosk_id for t in live] == ["lobby-1"]
    other = redeem(db, issue_code(db, "lobby-2", "demo", "", "test").code)
    assert other.short_code != first.short_code


def test_a_terminal_refuses_a_plain_http_central(tmp_path: Path) -> None:
    from kiosk.edge.identity import check_central_url

    assert check_central_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert check_central_url("https://kiosk.example.gov.cn") == "https://kiosk.example.gov.cn"
    with pytest.raises(ValueError, match="https"):
        check_central_url("http://kiosk.example.gov.cn")
