"""A terminal takes submissions with the link down and hands each over exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.edge import outbox
from kiosk.edge.links import short_code_of
from kiosk.models import Appeal, EdgeOutbox, Tenant
from kiosk.services.appeals import AppealDraft, submit_appeal


def _appeal(terminal: Flask, tenant_id: int | None = None, key: str = "") -> Appeal:
    draft = AppealDraft(
        submission_key=key or uuid.uuid4().hex, tenant_id=tenant_id,
        company_name="长沙某某贸易有限公司", company_uscc="", category="policy",
        description="园区到地铁站没有接驳公交。", contact_name="张三",
        contact_mobile="13812345678", locale="zh_CN",
    )  # fmt: skip
    with terminal.test_request_context(), terminal.extensions["kiosk.sessionmaker"]() as tdb:
        return submit_appeal(tdb, terminal.config["KIOSK"], draft)


def _count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_taken_offline_then_handed_over_once(
    make_terminal: Callable[..., Any], db: Session, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("长沙星辰软件科技有限公司")
    terminal, agent, central = make_terminal()
    agent.sync()  # the tenant and the categories come down with their central ids
    central.down = True
    appeals = [_appeal(terminal, tenant.id) for _ in range(3)]
    code = agent.identity.short_code
    for appeal in appeals:
        assert f"-{code}-" in appeal.reference and short_code_of(appeal.token) == code
    agent.tick()
    assert agent.link.down
    with terminal.extensions["kiosk.sessionmaker"]() as tdb:
        assert outbox.depth(tdb) == 3
    assert _count(db, Appeal) == 0

    central.down = False
    agent.tick()
    db.rollback()  # a new snapshot of the central's database
    stored = {a.reference: a for a in db.scalars(select(Appeal))}
    assert sorted(stored) == sorted(a.reference for a in appeals)
    for appeal in appeals:
        there = stored[appeal.reference]
        assert (there.token, there.description, there.tenant_id, there.kiosk_id) == (
            appeal.token,
            appeal.description,
            tenant.id,
            agent.identity.kiosk_id,
        )
    with terminal.extensions["kiosk.sessionmaker"]() as tdb:
        assert outbox.depth(tdb) == 0


def test_a_repeat_after_a_lost_answer_is_stored_once(
    make_terminal: Callable[..., Any], db: Session
) -> None:
    """The central stored it, the terminal died before recording the answer: sent again, the
    central answers with what it has and stores nothing new."""
    terminal, agent, central = make_terminal()
    agent.sync()
    appeal = _appeal(terminal)
    with terminal.extensions["kiosk.sessionmaker"]() as tdb:
        (row,) = tdb.scalars(select(EdgeOutbox)).all()
        item = {"kind": row.kind, "key": row.idempotency_key, "payload": row.payload}
    first = central.call("POST", "/api/v1/edge/submissions", {"submissions": [item]})
    again = central.call("POST", "/api/v1/edge/submissions", {"submissions": [item]})
    assert first.body["results"][0]["new"] is True
    assert again.body["results"][0] == {**first.body["results"][0], "new": False}
    agent.drain()
    db.rollback()
    assert [a.reference for a in db.scalars(select(Appeal))] == [appeal.reference]


def test_a_submission_and_its_outbox_row_commit_together(make_terminal: Callable[..., Any]) -> None:
    terminal, agent, _ = make_terminal()
    agent.sync()
    key = uuid.uuid4().hex
    _appeal(terminal, key=key)
    _appeal(terminal, key=key)  # a double tap: the same appeal, one outbox row
    with terminal.extensions["kiosk.sessionmaker"]() as tdb:
        assert _count(tdb, EdgeOutbox) == 1 and _count(tdb, Appeal) == 1


def test_another_terminal_cannot_claim_a_submission(
    make_terminal: Callable[..., Any], db: Session
) -> None:
    """A terminal sends only under its own short code, and a key stored for one terminal is
    not answered with its record to another."""
    terminal, agent, _ = make_terminal()
    _, _, other = make_terminal()
    agent.sync()
    _appeal(terminal)
    with terminal.extensions["kiosk.sessionmaker"]() as tdb:
        (row,) = tdb.scalars(select(EdgeOutbox)).all()
        item = {"kind": row.kind, "key": row.idempotency_key, "payload": row.payload}
    answer = other.call("POST", "/api/v1/edge/submissions", {"submissions": [item]})
    assert answer.body["results"][0]["ok"] is False
    agent.drain()
    answer = other.call("POST", "/api/v1/edge/submissions", {"submissions": [item]})
    assert answer.body["results"][0]["ok"] is False
    db.rollback()
    assert _count(db, Appeal) == 1
