"""One appeal in the admin: what staff see, and each action's effect on status, timeline, audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    AuditLog,
    EventKind,
    Rating,
    Staff,
    Tenant,
)
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token


def reload(db: Session, appeal: Appeal) -> Appeal:
    """The appeal as it is in the database now (ending the test's read transaction first)."""
    db.commit()
    db.expire_all()
    fresh = db.get(Appeal, appeal.id)
    assert fresh is not None
    return fresh


def kinds(db: Session, appeal: Appeal) -> list[EventKind]:
    """The appeal's timeline, oldest first."""
    return list(
        db.scalars(
            select(AppealEvent.kind)
            .where(AppealEvent.appeal_id == appeal.id)
            .order_by(AppealEvent.id)
        )
    )


def audited(db: Session, appeal: Appeal) -> list[str]:
    """The audit log's actions on this appeal, oldest first."""
    query = (
        select(AuditLog.action).where(AuditLog.target_id == appeal.reference).order_by(AuditLog.id)
    )
    return list(db.scalars(query))


def test_detail_shows_every_field_to_staff(
    signed_in: Admin, make_appeal: Callable[..., Appeal], make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("长沙星辰软件科技有限公司", floor_room="18F-02")
    appeal = make_appeal(tenant_id=tenant.id, category="transport", contact_mobile="13912345678")
    html = signed_in.text(f"/admin/appeals/{appeal.reference}")
    for shown in (
        appeal.reference,
        "长沙星辰软件科技有限公司",
        tenant.uscc,
        "18F-02",
        "Furong International Finance Centre",
        "Transport and commuting",
        "张三",
        "13912345678",
        "园区到地铁站没有接驳公交",
        appeal.due_date.isoformat(),
        "Nobody yet",
        "Not rated yet",
        "Appeal submitted",
    ):
        assert shown in html, shown


def test_reference_is_found_whatever_its_case(
    signed_in: Admin, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    assert appeal.reference in signed_in.text(f"/admin/appeals/{appeal.reference.lower()}")


def test_unknown_reference_is_a_404_page(signed_in: Admin) -> None:
    response = signed_in.get("/admin/appeals/SQ-20000101-9999")
    assert response.status_code == 404
    assert "We could not find that." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        (AppealStatus.NEW, {"accept", "assign", "reply", "resolve", "note"}, {"reopen"}),
        (AppealStatus.ACCEPTED, {"assign", "reply", "resolve", "note"}, {"accept", "reopen"}),
        (AppealStatus.REOPENED, {"assign", "reply", "resolve", "note"}, {"accept", "reopen"}),
        (AppealStatus.RESOLVED, {"reopen", "note"}, {"accept", "assign", "reply", "resolve"}),
        (AppealStatus.CLOSED, {"reopen", "note"}, {"accept", "assign", "reply", "resolve"}),
    ],
)
def test_only_actions_possible_in_the_status_are_offered(
    signed_in: Admin,
    make_appeal: Callable[..., Appeal],
    status: AppealStatus,
    shown: set[str],
    hidden: set[str],
) -> None:
    appeal = make_appeal(status=status)
    html = signed_in.text(f"/admin/appeals/{appeal.reference}")
    for action in shown:
        assert f'action="/admin/appeals/{appeal.reference}/{action}"' in html, action
    for action in hidden:
        assert f'action="/admin/appeals/{appeal.reference}/{action}"' not in html, action


def test_accept(signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session) -> None:
    appeal = make_appeal()
    response = signed_in.act(appeal.reference, "accept")
    assert response.location == f"/admin/appeals/{appeal.reference}"
    assert "The appeal has been accepted." in signed_in.flash(response)
    assert reload(db, appeal).status is AppealStatus.ACCEPTED
    assert kinds(db, appeal) == [EventKind.SUBMITTED, EventKind.ACCEPTED]
    assert audited(db, appeal) == ["appeal.accepted"]


def test_accepting_twice_is_refused_with_a_clear_message(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(status=AppealStatus.ACCEPTED)
    response = signed_in.act(appeal.reference, "accept")
    assert response.status_code == 303
    assert (
        "This appeal is now “Being handled”; that action is not possible any more."
        in signed_in.flash(response)
    )
    assert kinds(db, appeal) == [EventKind.SUBMITTED] and audited(db, appeal) == []


def test_reply_accepts_a_new_appeal_and_shows_on_the_timeline(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal()
    response = signed_in.act(appeal.reference, "reply", reply="已联系公交公司，下周开通接驳线。")
    html = signed_in.flash(response)
    assert (
        "Your reply has been sent to the tenant." in html
        and "已联系公交公司，下周开通接驳线。" in html
    )
    assert reload(db, appeal).status is AppealStatus.ACCEPTED
    assert kinds(db, appeal) == [EventKind.SUBMITTED, EventKind.ACCEPTED, EventKind.REPLY]
    assert audited(db, appeal) == ["appeal.accepted", "appeal.reply"]


def test_internal_note_is_marked_and_never_reaches_the_tenant(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session, client: object
) -> None:
    appeal = make_appeal()
    html = signed_in.flash(
        signed_in.act(appeal.reference, "note", note="这家企业上次也反映过，找王科长。")
    )
    assert "Your note has been added." in html
    assert (
        "这家企业上次也反映过，找王科长。" in html
        and "Internal: the tenant does not see this" in html
    )
    assert reload(db, appeal).status is AppealStatus.NEW
    event = db.scalar(select(AppealEvent).where(AppealEvent.kind == EventKind.NOTE))
    assert event is not None and not event.public
    assert audited(db, appeal) == ["appeal.note"]
    public_page = signed_in.client.get(f"/status/{appeal.token}").get_data(as_text=True)
    assert "找王科长" not in public_page


def test_resolve_with_a_final_answer(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(status=AppealStatus.ACCEPTED)
    html = signed_in.flash(signed_in.act(appeal.reference, "resolve", answer="接驳线已开通。"))
    assert "The appeal has been resolved." in html
    fresh = reload(db, appeal)
    assert fresh.status is AppealStatus.RESOLVED and fresh.resolved_at is not None
    assert kinds(db, appeal)[-1] is EventKind.RESOLVED and audited(db, appeal) == [
        "appeal.resolved"
    ]
    assert f'action="/admin/appeals/{appeal.reference}/reopen"' in html


def test_reopen_a_closed_appeal_with_a_reason(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(status=AppealStatus.CLOSED)
    appeal.rating, appeal.rating_reason = Rating.DISSATISFIED, "还是没有公交"
    db.commit()
    page = signed_in.text(f"/admin/appeals/{appeal.reference}")
    assert "Not satisfied" in page and "还是没有公交" in page
    html = signed_in.flash(signed_in.act(appeal.reference, "reopen", reason="企业反映接驳线停运。"))
    assert "The appeal has been reopened." in html and "企业反映接驳线停运。" in html
    fresh = reload(db, appeal)
    assert fresh.status is AppealStatus.REOPENED and fresh.reopen_count == 1
    assert audited(db, appeal) == ["appeal.reopened"]


def test_reopen_is_refused_while_the_appeal_is_open(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(status=AppealStatus.ACCEPTED)
    html = signed_in.flash(signed_in.act(appeal.reference, "reopen", reason="再看看"))
    assert "that action is not possible any more" in html
    assert reload(db, appeal).status is AppealStatus.ACCEPTED and audited(db, appeal) == []


def test_resolve_is_refused_once_closed(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(status=AppealStatus.CLOSED)
    html = signed_in.flash(signed_in.act(appeal.reference, "resolve", answer="再次办结"))
    assert "This appeal is now “Closed”; that action is not possible any more." in html
    assert reload(db, appeal).status is AppealStatus.CLOSED


def test_staff_can_take_an_appeal_but_not_give_it_to_others(
    signed_in: Admin,
    make_appeal: Callable[..., Appeal],
    db: Session,
    officer: Staff,
    supervisor: Staff,
) -> None:
    appeal = make_appeal()
    page = signed_in.text(f"/admin/appeals/{appeal.reference}")
    assert "Assign to me" in page and "Wang Chief" not in page
    refused = signed_in.act(appeal.reference, "assign", assignee=str(supervisor.id))
    assert refused.status_code == 403 and reload(db, appeal).assignee_id is None
    assert "Only a supervisor can assign an appeal to someone else." in refused.get_data(
        as_text=True
    )
    html = signed_in.flash(signed_in.act(appeal.reference, "assign", assignee=str(officer.id)))
    assert "The appeal has been assigned." in html
    assert reload(db, appeal).assignee_id == officer.id
    assert audited(db, appeal) == ["appeal.assigned"]


def test_supervisor_assigns_to_anyone_active(
    admin: Admin,
    make_appeal: Callable[..., Appeal],
    db: Session,
    officer: Staff,
    supervisor: Staff,
    make_staff: Callable[..., Staff],
) -> None:
    gone = make_staff("leaver", name="Zhao Leaver")
    gone.active = False
    db.commit()
    appeal = make_appeal()
    admin.sign_in("chief")
    page = admin.text(f"/admin/appeals/{appeal.reference}")
    assert "Li Officer" in page and "Wang Chief" in page and "Zhao Leaver" not in page
    admin.flash(admin.act(appeal.reference, "assign", assignee=str(officer.id)))
    assert reload(db, appeal).assignee_id == officer.id
    refused = admin.act(appeal.reference, "assign", assignee=str(gone.id))
    assert refused.status_code == 400 and reload(db, appeal).assignee_id == officer.id


def test_missing_csrf_token_changes_nothing_and_keeps_the_text(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal()
    response = signed_in.client.post(
        f"/admin/appeals/{appeal.reference}/reply", data={"reply": "一段很长的答复"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (
        "This page had expired, so nothing was saved." in html
        and "一段很长的答复</textarea>" in html
    )
    assert csrf_token(html)  # the form can be sent again from here
    for action in ("accept", "resolve", "note", "reopen"):
        assert (
            signed_in.client.post(f"/admin/appeals/{appeal.reference}/{action}").status_code == 400
        )
    assert signed_in.client.post("/admin/appeals/SQ-20000101-9999/reply").status_code == 400
    assert reload(db, appeal).status is AppealStatus.NEW
    assert kinds(db, appeal) == [EventKind.SUBMITTED] and audited(db, appeal) == []


def test_too_long_reply_is_shown_again_with_every_character(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal()
    typed = "答" * 1990 + "这是最后十一个字，别丢了"
    response = signed_in.act(appeal.reference, "reply", reply=typed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert typed in html
    assert "This must be 2,000 characters or fewer; it has 2,002." in html
    assert 'href="#reply"' in html  # the error summary links to the field
    assert (
        kinds(db, appeal) == [EventKind.SUBMITTED] and reload(db, appeal).status is AppealStatus.NEW
    )


def test_empty_answer_is_refused_on_the_field(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    appeal = make_appeal(status=AppealStatus.ACCEPTED)
    response = signed_in.act(appeal.reference, "resolve", answer="   ")
    assert response.status_code == 400
    assert "This cannot be empty." in response.get_data(as_text=True)
    assert reload(db, appeal).status is AppealStatus.ACCEPTED
    assert (
        db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.target_type == "appeal")
        )
        == 0
    )


def test_pages_keep_to_the_content_security_policy(
    admin: Admin, supervisor: Staff, make_appeal: Callable[..., Appeal]
) -> None:
    import re

    appeal = make_appeal()
    pages = [admin.text("/admin/sign-in")]
    admin.sign_in("chief")
    admin.flash(admin.act(appeal.reference, "note", note="内部"))
    pages += [
        admin.text(path)
        for path in ("/admin/appeals", f"/admin/appeals/{appeal.reference}", "/admin/audit")
    ]
    for html in pages:
        assert " style=" not in html and not re.search(
            r"\son[a-z]+=", html
        )  # no inline style or handler
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts and all(
            re.fullmatch(r'<script src="/static/[^"]+" defer>', tag) for tag in scripts
        )
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "an id is used twice"
