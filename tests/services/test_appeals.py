"""The appeal service: submit once, move through the ledger's states, keep the timeline."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.models import Appeal, AppealStatus, AuditLog, EventKind, PrintJob, Rating, Role, Staff
from kiosk.services import appeals
from kiosk.services.audit import Actor


def test_submit_gives_reference_token_due_date_and_timeline(
    make_appeal: Callable[..., Appeal],
) -> None:
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Changsha
    appeal = make_appeal(now=now)
    assert appeal.reference == "SQ-20261124-0001"
    assert len(appeal.token) >= 32  # 192 bits, URL-safe
    assert appeal.due_date.isoformat() == "2026-12-01"  # five working days
    assert [e.kind for e in appeal.events] == [EventKind.SUBMITTED]
    second = make_appeal(now=now)
    assert second.reference == "SQ-20261124-0002"
    assert second.token != appeal.token


def test_reference_uses_the_kiosks_local_date(make_appeal: Callable[..., Appeal]) -> None:
    late_evening_utc = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 01:30 on the 25th in Changsha
    assert make_appeal(now=late_evening_utc).reference == "SQ-20261125-0001"


def test_same_submission_key_gives_the_same_appeal(
    make_appeal: Callable[..., Appeal], db: Session
) -> None:
    key = uuid.uuid4().hex
    first = make_appeal(submission_key=key)
    again = make_appeal(submission_key=key, description="different text from a resubmitted form")
    assert again.id == first.id
    assert db.scalar(select(func.count()).select_from(Appeal)) == 1


def test_slip_is_queued_in_the_same_transaction(
    make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(slip=lambda a: {"elements": [{"kind": "text", "text": a.reference}]})
    job = db.scalar(select(PrintJob))
    assert job is not None and job.subject == appeal.reference and job.kind == "appeal_slip"


def test_failed_slip_rolls_back_the_appeal(make_appeal: Callable[..., Appeal], db: Session) -> None:
    def broken(_: Appeal) -> dict[str, object]:
        raise RuntimeError("renderer broke")

    with pytest.raises(RuntimeError):
        make_appeal(slip=broken)
    assert db.scalar(select(func.count()).select_from(Appeal)) == 0
    assert db.scalar(select(func.count()).select_from(PrintJob)) == 0


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("description", {"description": ""}),
        ("description", {"description": "很" * 1001}),
        ("contact_mobile", {"contact_mobile": "2381234567"}),
        ("company_name", {"company_name": "\u202e\u200b"}),
        ("category", {"category": "nonsense"}),
    ],
)
def test_service_rechecks_every_answer(
    make_appeal: Callable[..., Appeal], field: str, values: dict[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_appeal(**values)
    assert field in caught.value.fields


def test_rare_characters_and_emoji_are_stored_exactly(
    make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(
        company_name="𠮷祥䶮科技😀有限公司", contact_name="龑𠮷", description="电梯坏了🙏\n第二行"
    )
    db.expire_all()
    stored = db.get(Appeal, appeal.id)
    assert stored is not None
    assert stored.company_name == "𠮷祥䶮科技😀有限公司"
    assert stored.contact_name == "龑𠮷"
    assert stored.description == "电梯坏了🙏\n第二行"


@pytest.fixture
def officer(make_staff: Callable[..., Staff]) -> Actor:
    return Actor(make_staff("officer", Role.STAFF), "127.0.0.1")


def test_lifecycle_with_timeline_and_audit(
    app: Flask, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    settings = app.config["KIOSK"]
    appeal = make_appeal()
    appeals.accept(db, appeal.id, officer)
    appeals.assign(db, appeal.id, officer.staff_id or 0, officer)
    appeals.add_note(db, appeal.id, "已联系公交公司", officer)
    appeals.reply(db, appeal.id, "正在协调开通接驳专线。", officer)
    appeals.resolve(db, appeal.id, "已开通定制通勤专线，共设8个站点。", officer)
    db.expire_all()
    appeal = appeals.get_by_reference(db, appeal.reference)
    assert appeal.status is AppealStatus.RESOLVED and appeal.resolved_at is not None
    kinds = [e.kind for e in appeal.events]
    assert kinds == [
        EventKind.SUBMITTED,
        EventKind.ACCEPTED,
        EventKind.ASSIGNED,
        EventKind.NOTE,
        EventKind.REPLY,
        EventKind.RESOLVED,
    ]
    public = [e.kind for e in appeals.get_for_status_page(db, appeal.token).events]
    assert public == [EventKind.SUBMITTED, EventKind.ACCEPTED, EventKind.REPLY, EventKind.RESOLVED]
    actions = db.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "appeal.note" in actions and "appeal.resolved" in actions

    appeals.tenant_reopen(db, settings, appeal.token, "专线班次太少，问题没解决")
    db.expire_all()
    appeal = appeals.get_by_reference(db, appeal.reference)
    assert appeal.status is AppealStatus.REOPENED and appeal.reopen_count == 1
    appeals.resolve(db, appeal.id, "已增加早晚高峰班次。", officer)
    appeals.rate(db, app.config["KIOSK"], appeal.token, "basically_satisfied", "")
    db.expire_all()
    appeal = appeals.get_by_reference(db, appeal.reference)
    assert appeal.status is AppealStatus.CLOSED and appeal.rating is Rating.BASICALLY_SATISFIED


def test_reply_to_a_new_appeal_accepts_it(
    db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = appeals.reply(db, make_appeal().id, "收到，我们会尽快处理。", officer)
    assert appeal.status is AppealStatus.ACCEPTED


def test_wrong_state_is_a_conflict(
    app: Flask, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal()
    with pytest.raises(Conflict):
        appeals.rate(db, app.config["KIOSK"], appeal.token, "satisfied", "")
    appeals.accept(db, appeal.id, officer)
    with pytest.raises(Conflict):
        appeals.accept(db, appeal.id, officer)


def test_dissatisfied_needs_a_reason(
    app: Flask, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal()
    appeals.resolve(db, appeal.id, "已处理", officer)
    with pytest.raises(ValidationFailed) as caught:
        appeals.rate(db, app.config["KIOSK"], appeal.token, "dissatisfied", "   ")
    assert "reason" in caught.value.fields
    with pytest.raises(ValidationFailed):
        appeals.rate(db, app.config["KIOSK"], appeal.token, "ecstatic", "")
    appeals.rate(db, app.config["KIOSK"], appeal.token, "dissatisfied", "答复没有解决实际问题")


def test_unknown_token_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        appeals.get_by_token(db, "x" * 32)


def test_reopen_sets_a_new_due_date(
    app: Flask, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal(now=datetime(2026, 1, 5, 2, tzinfo=UTC))
    first_due = appeal.due_date
    appeals.resolve(db, appeal.id, "已处理", officer)
    appeals.reopen(db, app.config["KIOSK"], appeal.id, "企业反映仍未解决", officer)
    db.expire_all()
    reopened = appeals.get_by_reference(db, appeal.reference)
    assert first_due.isoformat() == "2026-01-12"
    assert reopened.due_date > first_due
    assert reopened.events[-1].body == "企业反映仍未解决"  # the reason is on the timeline


def test_reopening_clears_the_old_rating(
    app: Flask, db: Session, make_appeal: Callable[..., Appeal], officer: Actor
) -> None:
    appeal = make_appeal()
    appeals.resolve(db, appeal.id, "已处理", officer)
    appeals.rate(db, app.config["KIOSK"], appeal.token, "dissatisfied", "没有解决")
    appeals.reopen(db, app.config["KIOSK"], appeal.id, "重新协调", officer)
    db.expire_all()
    reopened = appeals.get_by_reference(db, appeal.reference)
    assert reopened.rating is None and reopened.rating_reason == ""
    assert EventKind.RATED in [e.kind for e in reopened.events]  # history kept
