"""Appeal categories in the admin: the city's administrators add, rename, reorder, give a usual
department, withdraw and put back; a withdrawn category is no longer offered at the kiosk and
old appeals keep its name; anyone else's administrator gets 404 for a category by id."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealCategory, Building, Role, Unit, root_unit
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from kiosk.services.units import tree
from kiosk.services.units.tree import UnitDraft
from tests.admin.conftest import Admin
from tests.conftest import STAFF_PASSWORD
from tests.support.pages import csrf_token
from tests.support.terminal import Terminal

SYSTEM = Actor(None, "test")


@pytest.fixture
def tax(db: Session) -> Unit:
    """A department under the city; "boss" is the city's administrator."""
    root = root_unit(db)
    db.commit()
    create_staff(db, "boss", "Boss", STAFF_PASSWORD, Role.ADMIN, SYSTEM, "")
    return tree.add_unit(db, root.id, UnitDraft("department", "tax", "税务局", "Tax"), SYSTEM)


def _post(admin: Admin, page: str, action: str, **data: str) -> tuple[int, str]:
    token = csrf_token(admin.text(page))
    answer = admin.client.post(action, data={"csrf_token": token, **data})
    if answer.status_code == 303:
        return 303, admin.text(answer.location)
    return answer.status_code, answer.get_data(as_text=True)


def _category(db: Session, code: str) -> AppealCategory:
    db.commit()
    db.expire_all()
    found = db.scalar(select(AppealCategory).where(AppealCategory.code == code))
    assert found is not None
    return found


def test_adding_and_changing_a_category(admin: Admin, db: Session, tax: Unit) -> None:
    assert admin.sign_in("boss").status_code == 303
    page = "/admin/categories"
    status, html = _post(
        admin, page, page, code="invoices", name_zh="发票", name_en="Invoices",
        sort_order="95", department=str(tax.id),
    )  # fmt: skip
    assert status == 303 and 'data-category="invoices"' in html and "Tax" in html
    made = _category(db, "invoices")
    assert (made.sort_order, made.department_id, made.active) == (95, tax.id, True)

    edit = f"/admin/categories/{made.id}"
    status, html = _post(
        admin, edit, edit, name_zh="发票领用", name_en="Invoice collection", sort_order="5",
        department="", code="changed",
    )  # fmt: skip
    assert status == 303
    changed = _category(db, "invoices")  # the code is fixed
    assert (changed.name_zh, changed.sort_order, changed.department_id) == ("发票领用", 5, None)
    log = admin.text("/admin/audit")
    assert "Added an appeal category" in log and "Changed an appeal category" in log
    assert "发票 → 发票领用" in log and "Tax → (empty)" in log


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "transport"}, "code", "That code is taken"),
        ({"code": "No Spaces"}, "code", "lower-case letters"),
        ({"name_zh": ""}, "name_zh", "Chinese name"),
        ({"name_en": "x" * 81}, "name_en", "at most 80"),
        ({"sort_order": "-3"}, "sort_order", "whole number"),
        ({"department": "999999"}, "department", "open department"),
        ({"department": "abc"}, "department", "open department"),
    ],
)
def test_bad_categories_are_refused_on_their_field(
    admin: Admin, tax: Unit, data: dict[str, str], field: str, message: str
) -> None:
    assert admin.sign_in("boss").status_code == 303
    good = {"code": "x1", "name_zh": "其他", "name_en": "Other", "sort_order": "", "department": ""}
    status, html = _post(admin, "/admin/categories", "/admin/categories", **(good | data))
    assert status == 400 and f'id="{field}-error"' in html and message in html


def test_a_withdrawn_category_is_not_offered_and_old_appeals_keep_its_name(
    admin: Admin, client: FlaskClient, db: Session, tax: Unit,
    make_appeal: Callable[..., Appeal], building: Building,
) -> None:  # fmt: skip
    old = make_appeal(category="transport")
    transport = _category(db, "transport")
    assert admin.sign_in("boss").status_code == 303
    status, html = _post(admin, "/admin/categories", f"/admin/categories/{transport.id}/deactivate")
    assert status == 303 and 'data-category="transport" data-active="no"' in html
    assert "Transport and commuting" in admin.text(f"/admin/appeals/{old.reference}")
    admin.sign_out()

    terminal = Terminal(client)
    terminal.answer("/appeal/company", tenant="other")
    terminal.answer("/appeal/company-details", company_name="长沙某公司", company_uscc="")
    offered = terminal.page("/appeal/category").get_data(as_text=True)
    assert 'value="transport"' not in offered and 'value="finance"' in offered
    refused = terminal.answer("/appeal/category", category="transport")
    assert refused.status_code == 400


def test_only_the_citys_administrators_change_categories(
    admin: Admin, db: Session, tax: Unit, building: Building
) -> None:
    create_staff(db, "tower-admin", "Tower", STAFF_PASSWORD, Role.ADMIN, SYSTEM, "demo")
    category = _category(db, "transport")
    assert admin.sign_in("tower-admin").status_code == 303
    html = admin.text("/admin/categories")
    assert 'data-category="transport"' in html and "Add a category" not in html
    token = csrf_token(html)
    assert admin.get(f"/admin/categories/{category.id}").status_code == 404
    for path in ("", "/deactivate", "/reactivate"):
        answer = admin.client.post(
            f"/admin/categories/{category.id}{path}", data={"csrf_token": token}
        )
        assert answer.status_code == 404, path
    answer = admin.client.post("/admin/categories", data={"csrf_token": token, "code": "x"})
    assert answer.status_code == 404
    assert _category(db, "transport").active


def test_categories_in_chinese(make_app: Callable[..., Flask], tax: Unit) -> None:
    chinese = Admin(make_app().test_client())
    assert chinese.sign_in("boss").status_code == 303
    status, html = _post(
        chinese, "/admin/categories", "/admin/categories", code="x2", name_zh="",
        name_en="Other", sort_order="", department="",
    )  # fmt: skip
    assert status == 400 and "请输入类别的中文名称" in html
