"""API tokens: shown once, stored hashed, scoped, revocable, every use counted and logged."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.errors import ValidationFailed
from kiosk.models import ApiToken, AuditLog, KioskLog, PrintJob, PrintStatus, Scope
from kiosk.services import tokens
from kiosk.services.fleet import logs


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def failed_job(db: Session) -> PrintJob:
    job = PrintJob(
        kiosk_id="kiosk-7", kind="appeal_slip", subject="SQ-20261125-0001", document={},
        status=PrintStatus.FAILED, last_error="paper out",
    )  # fmt: skip
    db.add(job)
    db.commit()
    return job


def test_a_token_is_kept_only_as_its_hash(db: Session) -> None:
    made = tokens.create(db, "值班工程师 张工", Scope.READ)
    assert made.token.startswith(f"lk_{made.row.key}_")
    row = db.scalar(select(ApiToken))
    assert row is not None and made.token.split("_", 2)[2] not in row.secret_sha256
    assert len(row.secret_sha256) == 64 and row.name == "值班工程师 张工"
    assert tokens.verify(db, made.token) is not None
    assert tokens.verify(db, made.token[:-1] + ("A" if made.token[-1] != "A" else "B")) is None
    assert tokens.verify(db, "lk_0000000000000000_" + "x" * 43) is None
    assert tokens.verify(db, "not a token") is None
    with pytest.raises(ValidationFailed) as refused:
        tokens.create(db, "\x07", Scope.READ)
    assert "name" in refused.value.fields


def test_reading_needs_a_live_token_of_the_right_scope(
    client: FlaskClient, db: Session, failed_job: PrintJob, caplog: pytest.LogCaptureFixture
) -> None:
    reader = tokens.create(db, "dashboard", Scope.READ)
    assert client.get("/api/v1/print-jobs").status_code == 401
    refused = client.get("/api/v1/print-jobs", headers=bearer("lk_nonsense"))
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    with caplog.at_level(logging.INFO, logger="kiosk.access"):
        listed = client.get("/api/v1/print-jobs?kiosk=kiosk-7", headers=bearer(reader.token))
    assert listed.status_code == 200
    (job,) = listed.get_json()["jobs"]
    assert job["status"] == "failed" and job["subject"] == "SQ-20261125-0001"
    assert "document" not in job  # a slip may carry a pickup code: never through the API
    used = [r for r in caplog.records if r.getMessage() == "api token used"]
    assert used and used[0].token_name == "dashboard"  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(ApiToken, reader.row.id).uses == 1  # type: ignore[union-attr]
    bad = client.get("/api/v1/print-jobs?status=lost", headers=bearer(reader.token))
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "status"
    # A read token cannot act.
    acted = client.post(f"/api/v1/print-jobs/{failed_job.id}/retry", headers=bearer(reader.token))
    assert acted.status_code == 403 and acted.get_json()["error"] == "forbidden"


def test_an_operator_retries_and_cancels_and_it_is_audited(
    client: FlaskClient, db: Session, failed_job: PrintJob
) -> None:
    operator = tokens.create(db, "on-call", Scope.OPERATE)
    retried = client.post(
        f"/api/v1/print-jobs/{failed_job.id}/retry", headers=bearer(operator.token)
    )
    assert retried.status_code == 200 and retried.get_json()["status"] == "pending"
    again = client.post(f"/api/v1/print-jobs/{failed_job.id}/retry", headers=bearer(operator.token))
    assert again.status_code == 409
    cancelled = client.post(
        f"/api/v1/print-jobs/{failed_job.id}/cancel", headers=bearer(operator.token)
    )
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    missing = client.post("/api/v1/print-jobs/99999/cancel", headers=bearer(operator.token))
    assert missing.status_code == 404
    db.expire_all()
    entries = db.scalars(select(AuditLog).where(AuditLog.target_type == "print_job")).all()
    assert [e.action for e in entries] == ["print_job.retry", "print_job.cancel"]
    assert all(operator.row.key in e.remote_addr for e in entries)


def test_a_revoked_token_is_refused(client: FlaskClient, db: Session) -> None:
    made = tokens.create(db, "old laptop", Scope.ADMIN)
    assert client.get("/api/v1/print-jobs", headers=bearer(made.token)).status_code == 200
    tokens.revoke(db, "old laptop")
    assert client.get("/api/v1/print-jobs", headers=bearer(made.token)).status_code == 401
    with pytest.raises(Exception, match="No live token"):
        tokens.revoke(db, "old laptop")


def test_the_command_line_makes_lists_and_revokes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_apps: list[Flask]
) -> None:
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_DATABASE_URL", database_url)
    instance = ["--instance", str(tmp_path / "instance")]
    runner = CliRunner()
    made = runner.invoke(
        main, [*instance, "token", "create", "--name", "运维 李工", "--scope", "operate"]
    )
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[0]
    assert token.startswith("lk_")
    listed = runner.invoke(main, [*instance, "token", "list"])
    _, key, secret = token.split("_", 2)  # the secret itself may hold "_"
    assert key in listed.output and "operate" in listed.output and "运维 李工" in listed.output
    assert secret not in listed.output  # the secret is never shown again
    refused = runner.invoke(main, [*instance, "token", "create", "--name", "x", "--scope", "root"])
    assert refused.exit_code != 0
    revoked = runner.invoke(main, [*instance, "token", "revoke", key])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert "revoked" in runner.invoke(main, [*instance, "token", "list"]).output
    gone = runner.invoke(main, [*instance, "token", "revoke", key])
    # The command line speaks the station's default language, Chinese.
    assert gone.exit_code != 0 and "没有该编号或名称的有效令牌" in gone.output


REFUSED = "api request refused: no live token"


def _refused_rows(db: Session) -> list[tuple[str, int]]:
    db.rollback()  # a fresh snapshot
    rows = db.scalars(select(KioskLog).where(KioskLog.message == REFUSED)).all()
    return sorted((row.fields["remote_addr"], row.fields["count"]) for row in rows)


def test_a_thousand_refused_calls_keep_one_counted_row_a_minute_per_address(
    client: FlaskClient, db: Session
) -> None:
    handler = logs.DatabaseLogHandler("kiosk-1")
    logger = logging.getLogger("kiosk")
    logger.addHandler(handler)
    try:
        for n in range(1000):
            if n == 600:
                handler.flush_to(db)  # (the agent writes every few seconds, midway too)
            guess = bearer(f"lk_{n:016d}_" + "x" * 43)
            response = client.get(
                "/api/v1/print-jobs", headers=guess, environ_base={"REMOTE_ADDR": "203.0.113.9"}
            )
            assert response.status_code == 401
        for _ in range(3):
            other = {"REMOTE_ADDR": "198.51.100.7"}
            client.get("/api/v1/print-jobs", headers=bearer("lk_x"), environ_base=other)
    finally:
        logger.removeHandler(handler)
    handler.flush_to(db)
    assert _refused_rows(db) == [("198.51.100.7", 3), ("203.0.113.9", 1000)]
    assert db.scalar(select(func.count()).select_from(KioskLog)) <= 5


def test_a_refused_address_gets_a_new_row_each_minute(db: Session) -> None:
    handler = logs.DatabaseLogHandler("kiosk-1")
    start = time.time()
    for seconds in (0, 1, 59, 60, 61, 200):
        record = logging.makeLogRecord(
            {
                "name": "kiosk.access", "levelno": logging.WARNING, "levelname": "WARNING",
                "msg": REFUSED, "created": start + seconds, "remote_addr": "203.0.113.9",
                logs.ONCE_A_MINUTE: "api refused 203.0.113.9",
            }
        )  # fmt: skip
        handler.handle(record)
    assert handler.flush_to(db) == 3
    rows = db.scalars(select(KioskLog).order_by(KioskLog.at)).all()
    assert [row.fields["count"] for row in rows] == [3, 2, 1]
    assert all(logs.ONCE_A_MINUTE not in row.fields for row in rows)
