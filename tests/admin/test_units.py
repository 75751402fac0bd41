"""The organisation's pages: the tree with its counts, a unit's forms, refusals in words on the
page (never a 500), and a district's administrator kept to the district's units."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import AuditLog, Kiosk, Role, Staff, Tenant, Unit, UnitKind, root_unit
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from kiosk.services.units import tree
from kiosk.services.units.tree import UnitDraft
from tests.admin.conftest import Admin
from tests.conftest import STAFF_PASSWORD
from tests.support.pages import csrf_token

SYSTEM = Actor(None, "test")


@pytest.fixture
def units(db: Session) -> dict[str, Unit]:
    """City → two districts; the east one has a street with a building; a department."""
    root = root_unit(db)
    db.commit()

    def add(code: str, kind: UnitKind, parent: Unit, name: str) -> Unit:
        return tree.add_unit(db, parent.id, UnitDraft(kind.value, code, name, code.title()), SYSTEM)

    east = add("east", UnitKind.DISTRICT, root, "东区")
    west = add("west", UnitKind.DISTRICT, root, "西区")
    street = add("wuyi", UnitKind.STREET, east, "五一街道")
    tower = add("tower", UnitKind.BUILDING, street, "九号楼")
    tax = add("tax", UnitKind.DEPARTMENT, root, "税务局")
    return {"root": root, "east": east, "west": west, "street": street, "tower": tower, "tax": tax}


def _admin(db: Session, username: str, unit: Unit) -> Staff:
    return create_staff(db, username, username, STAFF_PASSWORD, Role.ADMIN, SYSTEM, unit.code)


def _post(admin: Admin, page: str, action: str, **data: str) -> tuple[int, str]:
    token = csrf_token(admin.text(page))
    answer = admin.client.post(action, data={"csrf_token": token, **data})
    if answer.status_code == 303:
        return 303, admin.text(answer.location)
    return answer.status_code, answer.get_data(as_text=True)


def test_the_tree_shows_every_unit_with_its_counts(
    admin: Admin, db: Session, units: dict[str, Unit], make_tenant: Callable[..., Tenant]
) -> None:
    _admin(db, "boss", units["root"])
    create_staff(db, "li", "Li", STAFF_PASSWORD, Role.STAFF, SYSTEM, "tower")
    make_tenant(unit_id=units["tower"].id)
    db.add(Kiosk(id="k-tower", building_code="tower", name="lobby"))
    db.commit()
    assert admin.sign_in("boss").status_code == 303
    page = admin.text("/admin/units")
    for code in ("east", "west", "wuyi", "tower", "tax"):
        assert f'data-unit="{code}"' in page
    assert page.index('data-unit="east"') < page.index('data-unit="wuyi"')
    assert 'data-counts="1/1/1"' in page  # the tower, and the street and district above it
    assert 'aria-current="page">Organisation<' in page


def test_adding_renaming_moving_and_closing_through_the_pages(
    admin: Admin, db: Session, units: dict[str, Unit]
) -> None:
    _admin(db, "boss", units["root"])
    assert admin.sign_in("boss").status_code == 303
    east = f"/admin/units/{units['east'].id}"
    status, page = _post(
        admin, east, f"{east}/add", kind="building", code="tower-2", name_zh="十号楼",
        name_en="Tower 10", sort_order="", address_zh="五一大道10号", address_en="", district="",
    )  # fmt: skip
    assert status == 303 and "Added Tower 10." in page and 'data-unit-page="tower-2"' in page
    made = db.scalar(select(Unit).where(Unit.code == "tower-2"))
    assert made is not None and made.parent_id == units["east"].id

    here = f"/admin/units/{made.id}"
    status, page = _post(
        admin, here, f"{here}/rename", name_zh="十号大楼", name_en="", sort_order="2"
    )
    assert status == 303 and "十号大楼" in page
    status, page = _post(admin, here, f"{here}/move", parent=str(units["west"].id))
    assert status == 303 and "Moved" in page
    status, page = _post(admin, here, f"{here}/close")
    assert status == 303 and 'data-state="closed"' in page

    log = admin.text("/admin/audit")
    for words in ("Added a unit", "Renamed a unit", "Moved a unit", "Closed a unit"):
        assert words in log
    assert "东区 → 西区" in log or "East → West" in log


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "building", "code": "Bad Code", "name_zh": "楼"}, "code", "lower-case letters"),
        ({"kind": "building", "code": "tower", "name_zh": "楼"}, "code", "That code is taken"),
        ({"kind": "building", "code": "ok", "name_zh": ""}, "name_zh", "Chinese name"),
        ({"kind": "city", "code": "ok", "name_zh": "市"}, "kind", "Choose what kind"),
        (
            {"kind": "street", "code": "ok", "name_zh": "街", "sort_order": "x"},
            "sort_order",
            "whole number",
        ),
    ],
)
def test_bad_input_is_shown_on_its_field(
    admin: Admin,
    db: Session,
    units: dict[str, Unit],
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    _admin(db, "boss", units["root"])
    assert admin.sign_in("boss").status_code == 303
    east = f"/admin/units/{units['east'].id}"
    status, page = _post(admin, east, f"{east}/add", **data)
    assert status == 400
    assert f'id="{field}-error"' in page and message in page


def test_bad_input_is_in_chinese_too(
    make_app: Callable[..., Flask], db: Session, units: dict[str, Unit]
) -> None:
    app = make_app()  # Chinese, the default
    _admin(db, "boss", units["root"])
    chinese = Admin(app.test_client())
    assert chinese.sign_in("boss").status_code == 303
    here = f"/admin/units/{units['street'].id}"
    status, page = _post(chinese, here, f"{here}/move", parent=str(units["tower"].id))
    assert status == 400 and 'id="parent-error"' in page
    assert "不能" in page  # 不能移到自身或其下级单位之下
    status, page = _post(chinese, here, f"{here}/move", parent="x")
    assert status == 400 and 'id="parent-error"' in page


def test_closing_is_refused_with_reasons(admin: Admin, db: Session, units: dict[str, Unit]) -> None:
    _admin(db, "boss", units["root"])
    create_staff(db, "li", "Li Officer", STAFF_PASSWORD, Role.STAFF, SYSTEM, "tower")
    assert admin.sign_in("boss").status_code == 303
    here = f"/admin/units/{units['east'].id}"
    status, page = _post(admin, here, f"{here}/close")
    assert status == 303 and 'data-state="open"' in page
    assert "五一街道" in page and "Li Officer" in page


def test_a_district_admin_sees_and_changes_only_its_district(
    admin: Admin, db: Session, units: dict[str, Unit]
) -> None:
    _admin(db, "east-admin", units["east"])
    assert admin.sign_in("east-admin").status_code == 303
    page = admin.text("/admin/units")
    assert 'data-unit="tower"' in page and 'data-unit="west"' not in page
    assert 'data-unit="tax"' not in page
    west, root = units["west"].id, units["root"].id
    token = csrf_token(page)
    for path in (f"/admin/units/{west}", f"/admin/units/{root}"):
        assert admin.get(path).status_code == 404
    for action in ("add", "rename", "move", "close", "reopen"):
        answer = admin.client.post(f"/admin/units/{west}/{action}", data={"csrf_token": token})
        assert answer.status_code == 404, action
    # its own unit: renamed, but never moved or closed by itself
    own = admin.text(f"/admin/units/{units['east'].id}")
    assert "/move" not in own and "/close" not in own
    street = f"/admin/units/{units['street'].id}"
    status, _page = _post(admin, street, f"{street}/move", parent=str(west))
    assert status == 404  # the west district is out of its reach: absent
    assert db.scalar(select(AuditLog).where(AuditLog.action == "unit.move")) is None


def test_plain_staff_do_not_see_the_organisation(signed_in: Admin, units: dict[str, Unit]) -> None:
    assert 'href="/admin/units"' not in signed_in.text("/admin/appeals")
    assert signed_in.get("/admin/units").status_code == 403
    assert signed_in.get(f"/admin/units/{units['east'].id}").status_code in (403, 404)


def test_client_fixture_is_checked(client: FlaskClient) -> None:
    assert client.get("/admin/units").status_code in (302, 303)  # signed out: to the sign-in
