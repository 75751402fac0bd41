"""Applications in the admin: the review queue, one application, and each decision's effect."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.access import ACCESS_ATTR
from kiosk.db import utcnow
from kiosk.models import (
    Application,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationStatus,
    AuditLog,
    Building,
    InvoiceSlot,
    Licence,
    LicenceStatus,
    Role,
    Room,
    Staff,
    Tenant,
)
from kiosk.services import applications
from kiosk.services.applications import Draft
from kiosk.tasks import TASKS
from kiosk.tasks.applying import seal_resident_id
from kiosk.validators import uscc_check_char
from tests.admin.conftest import Admin
from tests.support.pages import csrf_token

RESIDENT_ID = "11010519491231002X"
FIRST17 = "91430102MA4T00001"
GOOD_CODE = FIRST17 + uscc_check_char(FIRST17)
BAD_CODE = FIRST17 + ("0" if GOOD_CODE[-1] != "0" else "1")  # right shape, wrong check character

Submit = Callable[..., Application]


@pytest.fixture
def room(db: Session, building: Building) -> Room:
    """A room of the test building that can be a registered address."""
    room = Room(building_id=building.id, floor=12, number="1203")
    db.add(room)
    db.commit()
    return room


@pytest.fixture
def submit(app: Flask, db: Session) -> Submit:
    """Submit an application through the service, as the terminal would."""

    def factory(task: str = "union", answers: dict[str, Any] | None = None, **values: Any) -> Any:
        paperwork = TASKS[task].paperwork
        assert paperwork is not None
        answers = answers or {"company_name": "长沙星辰软件科技有限公司", "route": "joint_union"}
        draft = Draft(
            task=task,
            reference_prefix=paperwork.reference_prefix,
            submission_key=uuid.uuid4().hex,
            answers=answers,
            company_name=values.pop("company_name", answers.get("company_name", "")),
            company_uscc=values.pop("company_uscc", ""),
            tenant_id=values.pop("tenant_id", None),
            locale="zh_CN",
            approved_on_submit=paperwork.approved_on_submit,
            slot_id=values.pop("slot_id", None),
        )
        with app.test_request_context():
            return applications.submit(db, app.config["KIOSK"], draft)

    return factory


@pytest.fixture
def registration(app: Flask, room: Room, submit: Submit) -> Application:
    """A registration waiting for a decision, the representative's ID number sealed."""
    answers: dict[str, Any] = {
        "company_name": "长沙测试科技有限公司",
        "company_type": "llc_natural",
        "capital": "100",
        "scopes": ["software"],
        "scope_extra": "",
        "rep_name": "张三",
        "rep_mobile": "13800138000",
        "floor": "12",
        "room_id": room.id,
        "shareholders": [{"name": "张三", "share": "100"}],
    }
    with app.app_context():
        seal_resident_id(answers, "rep_id", RESIDENT_ID)
    return submit("register", answers)


def reload(db: Session, application: Application) -> Application:
    """The application as it is in the database now."""
    db.commit()
    db.expire_all()
    fresh = db.get(Application, application.id)
    assert fresh is not None
    return fresh


def decide(admin: Admin, application: Application, action: str, **fields: Any) -> Any:
    """Post one of the application's decision forms with the page's CSRF token."""
    html = admin.text(f"/admin/applications/{application.id}")
    data = {"csrf_token": csrf_token(html), **fields}
    return admin.client.post(f"/admin/applications/{application.id}/{action}", data=data)


def audited(db: Session, application: Application) -> list[AuditLog]:
    """The audit entries about this application, oldest first."""
    query = select(AuditLog).where(AuditLog.target_id == application.reference)
    return list(db.scalars(query.order_by(AuditLog.id)))


# ---- access ----------------------------------------------------------------------------------


def test_signed_out_staff_are_sent_to_sign_in(
    admin: Admin, registration: Application, db: Session
) -> None:
    for path in ("/admin/applications", f"/admin/applications/{registration.id}"):
        response = admin.get(path)
        assert response.status_code == 302 and "/admin/sign-in" in response.location
    response = admin.client.post(
        f"/admin/applications/{registration.id}/reject", data={"reject_reason": "不符合"}
    )
    assert response.status_code == 302 and "/admin/sign-in" in response.location
    assert reload(db, registration).status is ApplicationStatus.SUBMITTED


def test_every_application_route_is_for_signed_in_staff(app: Flask) -> None:
    endpoints = [
        rule.endpoint for rule in app.url_map.iter_rules() if "/admin/applications" in rule.rule
    ]
    assert len(endpoints) == 7  # the queue, one application, four decisions, a claim's payment
    for endpoint in endpoints:
        assert getattr(app.view_functions[endpoint], ACCESS_ATTR) is Role.STAFF, endpoint


def test_a_deactivated_account_cannot_decide(
    signed_in: Admin, officer: Staff, registration: Application, db: Session
) -> None:
    html = signed_in.text(f"/admin/applications/{registration.id}")
    officer.active = False
    db.commit()
    response = signed_in.client.post(
        f"/admin/applications/{registration.id}/reject",
        data={"csrf_token": csrf_token(html), "reject_reason": "不符合"},
    )
    assert response.status_code == 302 and "/admin/sign-in" in response.location
    assert reload(db, registration).status is ApplicationStatus.SUBMITTED


# ---- the queue -------------------------------------------------------------------------------


def test_queue_shows_what_waits_unless_asked_for_everything(
    signed_in: Admin, submit: Submit, db: Session
) -> None:
    waiting = submit("union", company_name="长沙等待审核有限公司")
    decided = submit("tax", {"company_name": "长沙已经办结有限公司"})
    decided.status = ApplicationStatus.REJECTED
    db.commit()
    html = signed_in.text("/admin/applications")
    assert waiting.reference in html and decided.reference not in html
    assert "Waiting for review: 1" in html
    assert re.search(r'data-waiting="1">1<', html), "the top bar counts what waits"
    assert "Apply to found a trade union" in html and "demo · kiosk-1" in html
    everything = signed_in.text("/admin/applications", status="")
    assert waiting.reference in everything and decided.reference in everything
    assert "Matching applications: 2" in everything
    rejected = signed_in.text("/admin/applications", status="rejected")
    assert decided.reference in rejected and waiting.reference not in rejected


def test_queue_filters_by_kind_text_and_building(
    signed_in: Admin, submit: Submit, registration: Application, db: Session
) -> None:
    union = submit("union", company_name="长沙工会测试有限公司", company_uscc=GOOD_CODE)
    elsewhere = submit("union", company_name="株洲远方贸易有限公司")
    elsewhere.building_code = "tower-b"
    db.commit()

    def shown(**query: str) -> set[str]:
        html = signed_in.text("/admin/applications", **query)
        return set(re.findall(r'data-reference="([^"]+)"', html))

    everyone = {registration.reference, union.reference, elsewhere.reference}
    assert shown() == everyone
    assert shown(task="register") == {registration.reference}
    assert shown(task="union") == {union.reference, elsewhere.reference}
    assert shown(q="工会测试") == {union.reference}
    assert shown(q=GOOD_CODE[-6:]) == {union.reference}
    assert shown(q=registration.reference) == {registration.reference}
    assert shown(building="tower-b") == {elsewhere.reference}
    assert shown(building="nowhere") == everyone  # a code not on offer is ignored
    assert shown(task="appeal") == everyone  # appeals are not applications
    html = signed_in.text("/admin/applications")
    assert '<option value="tower-b">' in html and "Furong International Finance Centre" in html


def test_queue_pages_keep_the_filters(signed_in: Admin, submit: Submit) -> None:
    made = [submit("union").reference for _ in range(applications.QUEUE_PAGE_SIZE + 1)]
    first = signed_in.text("/admin/applications", status="")
    assert "Page 1 of 2" in first and made[-1] in first and made[0] not in first
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None
    second = signed_in.text(link.group(1).replace("&amp;", "&"))
    assert "Page 2 of 2" in second and made[0] in second
    assert 'rel="prev"' in second and link.group(1).endswith("status=")  # any status, kept


# ---- one application -------------------------------------------------------------------------


def test_page_shows_the_answers_with_the_resident_id_masked(
    signed_in: Admin, registration: Application
) -> None:
    html = signed_in.text(f"/admin/applications/{registration.id}")
    for shown in (
        registration.reference,
        "Register a new company",
        "长沙测试科技有限公司",
        "Limited liability company (owned by natural persons)",
        "Software development",
        "110***********002X",
        "13800138000",
        "12F-1203",
        "张三 100%",
        "Application submitted",
        "Waiting for review",
    ):
        assert shown in html, shown
    assert RESIDENT_ID not in html and "v1:" not in html
    assert registration.pickup_code not in html  # a bearer code: staff never read it out
    for action in ("approve", "reject", "request-changes"):
        assert f'action="/admin/applications/{registration.id}/{action}"' in html, action
    assert f'action="/admin/applications/{registration.id}/cancel"' not in html


def test_unknown_application_is_a_404_page(signed_in: Admin) -> None:
    response = signed_in.get("/admin/applications/999999")
    assert response.status_code == 404
    assert "No such application." in response.get_data(as_text=True)


# ---- approving -------------------------------------------------------------------------------


def test_approving_a_registration_creates_the_company_and_its_licence(
    signed_in: Admin, registration: Application, db: Session, officer: Staff
) -> None:
    response = decide(signed_in, registration, "approve", issued_uscc=GOOD_CODE.lower())
    html = signed_in.flash(response)
    assert "The application is approved." in html and GOOD_CODE in html
    fresh = reload(db, registration)
    assert fresh.status is ApplicationStatus.APPROVED and fresh.issued_uscc == GOOD_CODE
    assert fresh.decided_by_id == officer.id
    tenant = db.scalar(select(Tenant).where(Tenant.uscc == GOOD_CODE))
    assert tenant is not None and tenant.name == "长沙测试科技有限公司"
    assert tenant.floor_room == "12F-1203" and fresh.tenant_id == tenant.id
    licence = db.scalar(select(Licence).where(Licence.tenant_id == tenant.id))
    assert licence is not None and licence.status is LicenceStatus.CURRENT
    assert licence.legal_representative == "张三" and licence.application_id == registration.id
    assert [entry.action for entry in audited(db, registration)] == ["application.approve"]
    assert f'action="/admin/applications/{registration.id}/approve"' not in html


def test_a_code_failing_its_checksum_is_refused_without_the_override(
    signed_in: Admin, registration: Application, db: Session
) -> None:
    response = decide(signed_in, registration, "approve", issued_uscc=BAD_CODE)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This code fails its checksum" in html and 'href="#issued_uscc"' in html
    assert BAD_CODE in html  # what was typed is kept
    assert reload(db, registration).status is ApplicationStatus.SUBMITTED
    assert db.scalar(select(Tenant).where(Tenant.uscc == BAD_CODE)) is None
    ticked = decide(signed_in, registration, "approve", issued_uscc=BAD_CODE, accept_checksum="y")
    assert ticked.status_code == 400
    assert "Give the reason for accepting a code that fails its checksum." in ticked.get_data(
        as_text=True
    )
    assert reload(db, registration).status is ApplicationStatus.SUBMITTED
    assert audited(db, registration) == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the code the registration authority issued."),
        ("91430102MA4T0000", "A unified social credit code has 18 characters."),
        ("91430102MA4T0000I", "A unified social credit code has 18 characters."),
        ("91430102MA4T0000IO", "never I, O, S, V or Z"),
    ],
)
def test_a_code_that_is_not_one_is_refused_even_with_the_box_ticked(
    signed_in: Admin, registration: Application, db: Session, typed: str, message: str
) -> None:
    response = decide(
        signed_in,
        registration,
        "approve",
        issued_uscc=typed,
        accept_checksum="y",
        override_reason="老代码",
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert reload(db, registration).status is ApplicationStatus.SUBMITTED


def test_the_override_with_a_reason_approves_and_is_audited(
    signed_in: Admin, registration: Application, db: Session, officer: Staff
) -> None:
    reason = "登记机关核发的早期代码，校验位不符，已电话核实。"
    response = decide(
        signed_in,
        registration,
        "approve",
        issued_uscc=BAD_CODE,
        accept_checksum="y",
        override_reason=reason,
    )
    html = signed_in.flash(response)
    assert "The application is approved." in html
    assert "Code accepted by staff" in html and reason in html
    assert "Internal: the tenant does not see this" in html
    fresh = reload(db, registration)
    assert fresh.status is ApplicationStatus.APPROVED and fresh.issued_uscc == BAD_CODE
    entries = {entry.action: entry for entry in audited(db, registration)}
    override = entries["uscc.checksum_override"]
    assert override.staff_id == officer.id
    assert override.detail == {"code": BAD_CODE, "reason": reason}
    assert "application.approve" in entries
    event = db.scalar(
        select(ApplicationEvent).where(ApplicationEvent.kind == ApplicationEventKind.OVERRIDE)
    )
    assert event is not None and not event.public and event.staff_id == officer.id


def test_a_refusal_from_the_task_shows_on_the_form(
    signed_in: Admin,
    registration: Application,
    db: Session,
    make_tenant: Callable[..., Tenant],
) -> None:
    make_tenant("长沙已有企业有限公司", uscc=GOOD_CODE)
    response = decide(signed_in, registration, "approve", issued_uscc=GOOD_CODE)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "A company with this code is already recorded." in html and 'href="#issued_uscc"' in html
    fresh = reload(db, registration)
    assert fresh.status is ApplicationStatus.SUBMITTED and fresh.issued_uscc == ""
    assert audited(db, registration) == []


def test_personal_data_that_cannot_be_opened_is_a_message_not_a_crash(
    signed_in: Admin, registration: Application, db: Session
) -> None:
    registration.answers = {**registration.answers, "rep_id": "v1:sealed-with-another-key"}
    db.commit()
    response = decide(signed_in, registration, "approve", issued_uscc=GOOD_CODE)
    assert response.status_code == 400
    assert "so it cannot be approved here. Ask the administrator." in response.get_data(
        as_text=True
    )
    assert reload(db, registration).status is ApplicationStatus.SUBMITTED
    assert db.scalar(select(Tenant).where(Tenant.uscc == GOOD_CODE)) is None


def test_approving_a_task_without_a_code_is_one_button(
    signed_in: Admin, submit: Submit, db: Session
) -> None:
    union = submit("union")
    page = signed_in.text(f"/admin/applications/{union.id}")
    assert 'name="issued_uscc"' not in page
    assert "The application is approved." in signed_in.flash(decide(signed_in, union, "approve"))
    assert reload(db, union).status is ApplicationStatus.APPROVED


# ---- rejecting, asking for changes, cancelling -----------------------------------------------


def test_reject_needs_a_reason(signed_in: Admin, submit: Submit, db: Session) -> None:
    union = submit("union")
    refused = decide(signed_in, union, "reject", reject_reason="   ")
    assert refused.status_code == 400
    assert "Give the reason: the tenant will read it." in refused.get_data(as_text=True)
    assert reload(db, union).status is ApplicationStatus.SUBMITTED
    html = signed_in.flash(decide(signed_in, union, "reject", reject_reason="会员人数不符。"))
    assert "The application is rejected." in html and "会员人数不符。" in html
    fresh = reload(db, union)
    assert fresh.status is ApplicationStatus.REJECTED and fresh.decision_reason == "会员人数不符。"
    assert [entry.action for entry in audited(db, union)] == ["application.reject"]


def test_request_changes_names_the_answers_to_fix(
    signed_in: Admin, registration: Application, db: Session
) -> None:
    page = signed_in.text(f"/admin/applications/{registration.id}")
    assert "Who is the legal representative?" in page and 'value="representative"' in page
    refused = decide(signed_in, registration, "request-changes", changes_reason="身份证号有误。")
    assert refused.status_code == 400
    assert "Choose at least one answer to fix." in refused.get_data(as_text=True)
    html = signed_in.flash(
        decide(
            signed_in,
            registration,
            "request-changes",
            changes_reason="身份证号有误。",
            steps=["representative", "room", "nonsense"],
        )
    )
    assert "The application is sent back to the tenant for changes." in html
    fresh = reload(db, registration)
    assert fresh.status is ApplicationStatus.CHANGES_REQUESTED
    assert fresh.fix_steps == ["representative", "room"]
    assert fresh.decision_reason == "身份证号有误。"
    assert "Which room?" in html and "Changes needed" in html


def test_a_second_decision_is_refused_with_a_message(
    signed_in: Admin, submit: Submit, db: Session
) -> None:
    union = submit("union")
    page = signed_in.text(f"/admin/applications/{union.id}")
    token = csrf_token(page)
    first = signed_in.client.post(
        f"/admin/applications/{union.id}/approve", data={"csrf_token": token}
    )
    assert first.status_code == 303
    second = signed_in.client.post(
        f"/admin/applications/{union.id}/reject",
        data={"csrf_token": token, "reject_reason": "晚了一步"},
    )
    assert "Someone has already decided this application." in signed_in.flash(second)
    fresh = reload(db, union)
    assert fresh.status is ApplicationStatus.APPROVED and fresh.decision_reason == ""
    assert [entry.action for entry in audited(db, union)] == ["application.approve"]


def test_missing_csrf_token_is_refused(
    signed_in: Admin, registration: Application, db: Session
) -> None:
    for action, data in (
        ("approve", {"issued_uscc": GOOD_CODE}),
        ("reject", {"reject_reason": "不符合"}),
        ("request-changes", {"changes_reason": "改", "steps": "name"}),
        ("cancel", {"cancel_reason": "取消"}),
    ):
        response = signed_in.client.post(
            f"/admin/applications/{registration.id}/{action}", data=data
        )
        assert response.status_code == 400, action
        page = response.get_data(as_text=True)
        assert "This page had expired, so nothing was saved." in page
        typed = next((value for key, value in data.items() if key.endswith("reason")), None)
        if typed is not None and action != "cancel":  # a registration cannot be cancelled
            assert f"{typed}</textarea>" in page, action  # what was typed is kept
    assert reload(db, registration).status is ApplicationStatus.SUBMITTED
    assert audited(db, registration) == []


@pytest.fixture
def booking(db: Session, submit: Submit, make_tenant: Callable[..., Tenant]) -> Application:
    """An invoice booking (approved as it is made) in a slot with two places."""
    tenant = make_tenant("长沙发票预约有限公司")
    starts = utcnow() + timedelta(days=1)
    slot = InvoiceSlot(
        building_code="demo",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        capacity=2,
        desk="税务窗口 3 号",
    )
    db.add(slot)
    db.commit()
    answers = {
        "uscc": tenant.uscc,
        "tenant_id": tenant.id,
        "company_name": tenant.name,
        "slot_id": slot.id,
        "slot_text": {"zh_CN": "明天", "en": "Tomorrow"},
        "desk": slot.desk,
        "contact_name": "李四",
        "contact_mobile": "13900139000",
    }
    return submit(
        "invoice", answers, company_uscc=tenant.uscc, tenant_id=tenant.id, slot_id=slot.id
    )


def test_a_booking_can_only_be_cancelled(
    signed_in: Admin, booking: Application, db: Session
) -> None:
    html = signed_in.text(f"/admin/applications/{booking.id}")
    assert "税务窗口 3 号" in html and "Approved" in html
    assert f'action="/admin/applications/{booking.id}/cancel"' in html
    for action in ("approve", "reject", "request-changes"):
        assert f'action="/admin/applications/{booking.id}/{action}"' not in html, action
    refused = decide(signed_in, booking, "reject", reject_reason="不行")
    assert "This kind of application cannot be decided that way." in signed_in.flash(refused)
    html = signed_in.flash(decide(signed_in, booking, "cancel", cancel_reason="窗口临时关闭。"))
    assert "The booking is cancelled." in html and "窗口临时关闭。" in html
    fresh = reload(db, booking)
    assert fresh.status is ApplicationStatus.CANCELLED
    assert fresh.slot is not None and fresh.slot.booked == 0
    again = decide(signed_in, booking, "cancel", cancel_reason="再取消")
    assert "Only a current booking can be cancelled." in signed_in.flash(again)


def test_pages_keep_to_the_content_security_policy(
    signed_in: Admin, registration: Application, booking: Application
) -> None:
    refused = decide(signed_in, registration, "approve", issued_uscc=BAD_CODE)
    pages = [
        refused.get_data(as_text=True),
        signed_in.text("/admin/applications", status=""),
        signed_in.text(f"/admin/applications/{registration.id}"),
        signed_in.text(f"/admin/applications/{booking.id}"),
    ]
    for html in pages:
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "an id is used twice"
