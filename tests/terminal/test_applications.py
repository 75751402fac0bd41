"""Applications at the touchscreen: each task to its confirmation, slips, fixes and bad input."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import (
    Application,
    ApplicationStatus,
    Building,
    InvoiceSlot,
    PrintJob,
    Room,
    Tenant,
)
from printers import Receipt
from tests.support.terminal import Terminal

VALID_ID = "11010519491231002X"


# Checks of what people type: the database plays no part, so SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def terminal(client: FlaskClient) -> Terminal:
    return Terminal(client)


@pytest.fixture
def slots(db: Session, building: Building) -> Iterator[list[InvoiceSlot]]:
    start = (utcnow() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    made = [
        InvoiceSlot(
            building_code="demo",
            starts_at=start + timedelta(hours=i),
            ends_at=start + timedelta(hours=i + 1),
            capacity=1,
            booked=0,
            desk="2F tax desk",
        )
        for i in range(3)
    ]
    db.add_all(made)
    db.commit()
    yield made


def ok(response: object) -> None:
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]  # type: ignore[attr-defined]


def error_of(response: object) -> str:
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    found = re.search(r'class="field__error"[^>]*>.*?</span>\s*(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""


def submit(terminal: Terminal, slug: str) -> object:
    html = terminal.page(f"/{slug}/check").get_data(as_text=True)
    return terminal.client.post(f"/{slug}/check", data=Terminal.check_form(html))


def fill_register(terminal: Terminal, rooms: list[Room], **overrides: str) -> None:
    answers = {
        "company_name": "长沙星辰云图软件科技有限公司",
        "company_type": "llc_natural",
        "capital": "100",
        "rep_name": "张三",
        "rep_id": VALID_ID,
        "rep_mobile": "138 1234 5678",
    } | overrides
    ok(terminal.answer("/register/name", company_name=answers["company_name"]))
    ok(terminal.answer("/register/type", company_type=answers["company_type"]))
    ok(terminal.answer("/register/capital", capital=answers["capital"]))
    ok(terminal.answer("/register/scope", scopes=["software", "it_consulting"], scope_extra=""))
    ok(
        terminal.answer(
            "/register/representative",
            rep_name=answers["rep_name"],
            rep_id=answers["rep_id"],
            rep_mobile=answers["rep_mobile"],
        )
    )
    ok(terminal.answer("/register/floor", floor="12"))
    ok(terminal.answer("/register/room", room_id=str(rooms[1].id)))
    ok(
        terminal.answer(
            "/register/shareholders",
            **{
                "shareholders-0-name": "张三",
                "shareholders-0-share": "60",
                "shareholders-1-name": "李四",
                "shareholders-1-share": "40",
            },
        )
    )


def test_registration_to_its_confirmation_with_a_slip_and_the_id_sealed(
    terminal: Terminal, rooms: list[Room], db: Session
) -> None:
    fill_register(terminal, rooms)
    check = terminal.page("/register/check").get_data(as_text=True)
    assert "长沙星辰云图软件科技有限公司" in check
    assert "110***********002X" in check and VALID_ID not in check
    assert "12F-1202" in check and "张三 60%" in check
    ok(submit(terminal, "register"))
    done = terminal.page("/register/done").get_data(as_text=True)
    application = db.scalars(select(Application)).one()
    assert application.reference.startswith("DJ-")
    assert application.reference in done and application.pickup_code in done
    assert re.fullmatch(r"\d{6}", application.pickup_code)
    # The resident ID is only stored sealed; the masked form is kept for pages and paper.
    assert application.answers["rep_id"].startswith("v1:")
    assert VALID_ID not in str(application.answers)
    assert application.answers["rep_mobile"] == "13812345678"
    job = db.scalars(select(PrintJob)).one()
    assert job.kind == "register_slip" and job.subject == application.reference
    text = "\n".join(
        getattr(element, "text", "") for element in Receipt.from_dict(job.document).elements
    )
    assert application.pickup_code in text and "110***********002X" in text
    assert VALID_ID not in text


def test_submitting_twice_makes_one_application(
    terminal: Terminal, rooms: list[Room], db: Session
) -> None:
    fill_register(terminal, rooms)
    html = terminal.page("/register/check").get_data(as_text=True)
    form = Terminal.check_form(html)
    ok(terminal.client.post("/register/check", data=form))
    ok(terminal.client.post("/register/check", data=form))
    assert db.scalar(select(func.count()).select_from(Application)) == 1


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rep_id", "110105194912310021", "不正确"),  # wrong check digit
        ("rep_id", "11010519490231002X", "出生日期"),  # 31 February... 0231
        ("rep_id", "1101051949123100", "18"),
        ("rep_mobile", "12812345678", "11"),
        ("rep_name", "\u202e\u200b", "姓名"),
        ("rep_name", "张" * 51, "50"),
    ],
)
def test_bad_representative_answers_get_a_clear_message_and_keep_the_rest(
    terminal: Terminal, rooms: list[Room], field: str, value: str, message: str
) -> None:
    ok(terminal.answer("/register/name", company_name="长沙星辰云图软件科技有限公司"))
    ok(terminal.answer("/register/type", company_type="llc_natural"))
    ok(terminal.answer("/register/capital", capital="100"))
    ok(terminal.answer("/register/scope", scopes=["software"], scope_extra=""))
    answers = {"rep_name": "𠮷田 🙂", "rep_id": VALID_ID, "rep_mobile": "13812345678"}
    answers[field] = value
    response = terminal.answer("/register/representative", **answers)
    assert response.status_code == 400
    assert message in error_of(response)
    html = response.get_data(as_text=True)
    if field != "rep_name":
        assert "𠮷田 🙂" in html  # what was typed right stays on the page


def test_a_name_already_in_the_building_or_applied_for_is_refused(
    terminal: Terminal, rooms: list[Room], make_tenant: Callable[..., Tenant], client: FlaskClient
) -> None:
    make_tenant(name="长沙星辰云图软件科技有限公司")
    response = terminal.answer("/register/name", company_name="长沙星辰云图软件科技 有限公司")
    assert response.status_code == 400 and "已" in error_of(response)
    fill_register(terminal, rooms, company_name="湖南新月数据服务有限公司")
    ok(submit(terminal, "register"))
    client.post("/reset")
    response = terminal.answer("/register/name", company_name="湖南新月数据服务有限公司")
    assert response.status_code == 400 and "办理" in error_of(response)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"shareholders-0-name": "张三", "shareholders-0-share": "60"}, "60%"),
        ({"shareholders-0-name": "张三", "shareholders-0-share": "abc"}, "0.01"),
        ({"shareholders-0-name": "", "shareholders-0-share": "100"}, "姓名"),
        ({}, "至少"),
    ],
)
def test_shareholders_must_add_up_to_100(
    terminal: Terminal, rooms: list[Room], rows: dict[str, str], message: str
) -> None:
    fill_register(terminal, rooms)
    response = terminal.answer("/register/shareholders", **rows)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@SQLITE_ONLY
def test_adding_a_shareholder_line_keeps_what_was_typed(
    terminal: Terminal, rooms: list[Room]
) -> None:
    fill_register(terminal, rooms)
    response = terminal.answer(
        "/register/shareholders",
        add="1",
        **{"shareholders-0-name": "王五", "shareholders-0-share": "25"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="shareholders-3-name"' in html and 'value="王五"' in html


def test_address_change_moves_within_the_building(
    terminal: Terminal, rooms: list[Room], make_tenant: Callable[..., Tenant], db: Session
) -> None:
    tenant = make_tenant(floor_room="12F-1201")
    terminal.pick_company("address", tenant.id)
    ok(terminal.answer("/address/destination", destination="in_building"))
    ok(terminal.answer("/address/floor", floor="15"))
    ok(terminal.answer("/address/room", room_id=str(rooms[4].id)))
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    ok(terminal.answer("/address/effective", effective=day))
    check = terminal.page("/address/check").get_data(as_text=True)
    assert "15F-1502" in check and tenant.name in check
    ok(submit(terminal, "address"))
    application = db.scalars(select(Application)).one()
    assert application.tenant_id == tenant.id and application.reference.startswith("BG-")


def test_a_company_is_picked_by_name_or_code_and_only_from_this_building(
    terminal: Terminal, make_tenant: Callable[..., Tenant], db: Session, building: Building
) -> None:
    ours = make_tenant("长沙甲乙科技有限公司")
    elsewhere = Building(code="other", name_zh="别的楼宇", name_en="Another building")
    db.add(elsewhere)
    db.flush()
    theirs = make_tenant("福州丙丁贸易有限公司")
    theirs.building_id = elsewhere.id
    db.commit()
    by_code = terminal.page(f"/address/company?q={ours.uscc}").get_data(as_text=True)
    assert f'name="tenant" value="{ours.id}"' in by_code
    assert 'value="other"' not in by_code and "data-not-listed" in by_code  # no typed company
    assert theirs.name not in terminal.page("/address/company?q=福州").get_data(as_text=True)
    for refused in (str(theirs.id), theirs.uscc, "other"):
        response = terminal.answer("/address/company", tenant=refused)
        assert response.status_code == 400
        assert "请从列表中选择您的企业" in response.get_data(as_text=True)


def test_the_company_is_named_for_confirmation_before_anything_else_is_asked(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("长沙甲乙科技有限公司", floor_room="12F-1201")
    picked = terminal.answer("/address/company", tenant=str(tenant.id))
    assert picked.headers["Location"] == "/address/company-confirm"
    confirm = terminal.page("/address/company-confirm").get_data(as_text=True)
    assert "是这家企业吗？" in confirm and tenant.name in confirm and tenant.uscc in confirm
    assert "12F-1201" in confirm
    # Skipping the confirmation or the applicant leads back to them.
    assert terminal.page("/address/destination").request.path == "/address/company-confirm"
    refused = terminal.answer("/address/company-confirm", company_confirmed="no")
    assert refused.status_code == 400
    ok(terminal.answer("/address/company-confirm", company_confirmed="yes"))
    assert terminal.page("/address/check").request.path == "/address/applicant"
    for name, mobile, message in (
        ("", "13700001111", "请输入您的姓名"),
        ("王五", "12345", "11 位手机号码"),
    ):
        bad = terminal.answer("/address/applicant", applicant_name=name, applicant_mobile=mobile)
        assert bad.status_code == 400 and message in error_of(bad), error_of(bad)
    ok(
        terminal.answer(
            "/address/applicant", applicant_name="王五", applicant_mobile="137 0000 1111"
        )
    )
    assert terminal.page("/address/").request.path == "/address/destination"


def test_picking_another_company_asks_to_confirm_it_again(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    first, second = make_tenant("长沙甲乙科技有限公司"), make_tenant("长沙丙丁科技有限公司")
    terminal.pick_company("union", first.id)
    ok(terminal.answer("/union/company?change=1", tenant=str(second.id)))
    assert terminal.page("/union/").request.path == "/union/company-confirm"
    assert second.name in terminal.page("/union/company-confirm").get_data(as_text=True)


@SQLITE_ONLY
def test_moving_out_asks_for_the_new_address_and_refuses_a_past_date(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant()
    terminal.pick_company("address", tenant.id)
    ok(terminal.answer("/address/destination", destination="moving_out"))
    ok(terminal.answer("/address/new-address", new_address="湖南省长沙市岳麓区麓谷大道1号"))
    past = (utcnow() - timedelta(days=2)).date().isoformat()
    response = terminal.answer("/address/effective", effective=past)
    assert response.status_code == 400 and "过去" in error_of(response)


def test_union_with_fewer_than_25_members_is_guided_to_the_joint_union(
    terminal: Terminal, make_tenant: Callable[..., Tenant], db: Session
) -> None:
    tenant = make_tenant()
    terminal.pick_company("union", tenant.id)
    response = terminal.answer("/union/staff", employees="30", members="12")
    assert response.headers["Location"].endswith("/union/joint")
    guidance = terminal.page("/union/joint").get_data(as_text=True)
    assert "联合工会" in guidance and "25" in guidance
    ok(terminal.answer("/union/joint", joint_confirmed="yes"))
    ok(terminal.answer("/union/contact", contact_name="赵六", contact_mobile="13900001111"))
    ok(submit(terminal, "union"))
    application = db.scalars(select(Application)).one()
    assert application.answers["route"] == "joint_union"
    assert "chair_name" not in application.answers


def test_union_with_25_members_names_a_chair(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant()
    terminal.pick_company("union", tenant.id)
    response = terminal.answer("/union/staff", employees="40", members="25")
    assert response.headers["Location"].endswith("/union/chair")
    bad = terminal.answer("/union/staff", employees="10", members="25")
    assert bad.status_code == 400 and "职工" in error_of(bad)


def test_tax_registration_needs_a_monthly_count_when_invoices_are_wanted(
    terminal: Terminal, make_tenant: Callable[..., Tenant], db: Session
) -> None:
    tenant = make_tenant()
    terminal.pick_company("tax", tenant.id)
    ok(terminal.answer("/tax/taxpayer", taxpayer_type="small_scale"))
    ok(terminal.answer("/tax/accountant", accountant_name="钱七", accountant_mobile="13700001111"))
    response = terminal.answer("/tax/invoices", invoice_kinds=["e_ordinary"], monthly="")
    assert response.status_code == 400
    ok(terminal.answer("/tax/invoices", invoice_kinds=["e_ordinary"], monthly="50"))
    ok(submit(terminal, "tax"))
    assert db.scalars(select(Application)).one().reference.startswith("SW-")


def test_invoice_booking_takes_the_place_and_a_full_slot_cannot_be_booked(
    terminal: Terminal,
    make_tenant: Callable[..., Tenant],
    slots: list[InvoiceSlot],
    db: Session,
    client: FlaskClient,
) -> None:
    tenant = make_tenant()
    terminal.pick_company("invoice", tenant.id)
    ok(terminal.answer("/invoice/slot", slot_id=str(slots[0].id)))
    ok(terminal.answer("/invoice/contact", contact_name="孙八", contact_mobile="13600001111"))
    ok(submit(terminal, "invoice"))
    db.expire_all()
    assert db.get(InvoiceSlot, slots[0].id).booked == 1  # type: ignore[union-attr]
    application = db.scalars(select(Application)).one()
    assert application.status is ApplicationStatus.APPROVED
    job = db.scalars(select(PrintJob)).one()
    assert job.kind == "invoice_slip"
    client.post("/reset")
    terminal.pick_company("invoice", tenant.id)
    page = terminal.page("/invoice/slot").get_data(as_text=True)
    assert re.search(rf'id="slot-{slots[0].id}"[^>]*disabled', page)
    response = terminal.answer("/invoice/slot", slot_id=str(slots[0].id))
    assert response.status_code == 400 and "约满" in error_of(response)


def test_the_last_place_taken_meanwhile_sends_the_tenant_back_to_choose(
    terminal: Terminal,
    make_tenant: Callable[..., Tenant],
    slots: list[InvoiceSlot],
    db: Session,
) -> None:
    tenant = make_tenant()
    terminal.pick_company("invoice", tenant.id)
    ok(terminal.answer("/invoice/slot", slot_id=str(slots[1].id)))
    ok(terminal.answer("/invoice/contact", contact_name="孙八", contact_mobile="13600001111"))
    slot = db.get(InvoiceSlot, slots[1].id)
    assert slot is not None
    slot.booked = slot.capacity  # another kiosk took it
    db.commit()
    response = submit(terminal, "invoice")
    assert response.status_code in (302, 303)  # type: ignore[attr-defined]
    assert response.headers["Location"].endswith("/invoice/slot")  # type: ignore[attr-defined]
    assert db.scalar(select(func.count()).select_from(Application)) == 0
    html = terminal.page("/invoice/slot").get_data(as_text=True)
    assert "约满" in html


def test_a_locked_database_on_submit_loses_nothing_and_books_nothing(
    make_app: Callable[..., Flask],
    database_url: str,
    make_tenant: Callable[..., Tenant],
    slots: list[InvoiceSlot],
    db: Session,
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    terminal = Terminal(make_app(db_busy_timeout_ms=100).test_client())
    tenant = make_tenant()
    terminal.pick_company("invoice", tenant.id)
    ok(terminal.answer("/invoice/slot", slot_id=str(slots[2].id)))
    ok(terminal.answer("/invoice/contact", contact_name="孙八", contact_mobile="13600001111"))
    form = Terminal.check_form(terminal.page("/invoice/check").get_data(as_text=True))
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        response = terminal.client.post("/invoice/check", data=form)
        assert response.status_code == 503
    finally:
        connection.execute("ROLLBACK")
        connection.close()
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Application)) == 0
    assert db.get(InvoiceSlot, slots[2].id).booked == 0  # type: ignore[union-attr]
    assert "孙八" in terminal.page("/invoice/check").get_data(as_text=True)
    ok(terminal.client.post("/invoice/check", data=form))
    db.rollback()
    assert db.get(InvoiceSlot, slots[2].id).booked == 1  # type: ignore[union-attr]


def test_an_application_made_before_applicants_were_asked_is_fixed_from_its_check_page(
    app: Flask, client: FlaskClient, db: Session, make_tenant: Callable[..., Tenant]
) -> None:
    from kiosk.models import Role
    from kiosk.services import applications
    from kiosk.services.applications import Draft
    from kiosk.services.audit import Actor
    from kiosk.services.staff import create_staff
    from kiosk.tasks import TASKS
    from tests.support.pages import csrf_token

    tenant = make_tenant()
    answers = {
        "tenant_id": tenant.id, "uscc": tenant.uscc, "company_name": tenant.name,
        "floor_room": tenant.floor_room, "taxpayer_type": "small_scale",
        "accountant_name": "李四", "accountant_mobile": "13800001111",
        "invoice_kinds": [], "monthly": "",
    }  # fmt: skip
    draft = Draft(
        task="tax", reference_prefix="SW", submission_key="made-before-applicants", answers=answers,
        company_name=tenant.name, company_uscc=tenant.uscc, tenant_id=tenant.id,
        locale="zh_CN", approved_on_submit=False, slot_id=None,
    )  # fmt: skip
    with app.test_request_context():
        old = applications.submit(db, app.config["KIOSK"], draft)
    officer = create_staff(db, "fixer", "某某", "a long enough password", Role.STAFF, Actor(None))
    applications.request_changes(
        db, old.id, Actor(officer), "请补充说明。", ["accountant"],
        [step.slug for step in TASKS["tax"].steps],
    )  # fmt: skip
    html = client.get("/fix").get_data(as_text=True)
    opened = client.post(
        "/fix",
        data={"csrf_token": csrf_token(html), "reference": old.reference, "code": old.pickup_code},
    )
    assert opened.headers["Location"].endswith("/tax/check")
    check = client.get("/tax/check")
    assert check.status_code == 200, check.headers.get("Location")
    assert "请补充说明。" in check.get_data(as_text=True)
