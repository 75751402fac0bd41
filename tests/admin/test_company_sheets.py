"""The company list's import and export pages: upload, preview (wrong rows by line, old → new),
one confirm button, the result; and the download in the same columns, defused for Excel."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from kiosk.models import AuditLog, Tenant, TenantMove
from kiosk.services.companies import sheets
from tests.admin.conftest import Admin
from tests.support.company_sheets import HEADERS, make_world, row, uscc, xlsx
from tests.support.pages import csrf_token


@pytest.fixture
def world(db: Session) -> dict[str, Any]:
    """Two buildings with rooms, a chief (admin) and officers."""
    return make_world(db)


@pytest.fixture
def chief(admin: Admin, world: dict[str, Any]) -> Admin:
    """The building's administrator, signed in."""
    assert admin.sign_in("chief").status_code == 303
    return admin


def upload(admin: Admin, data: bytes, name: str = "list.xlsx") -> TestResponse:
    """Post a file on the upload page."""
    token = csrf_token(admin.text("/admin/companies/import"))
    # Encoded in memory: the test client would spool a body over 500 KB to a file it never closes.
    fields = {"csrf_token": token, "file": FileStorage(io.BytesIO(data), name)}
    boundary, body = encode_multipart(MultiDict(fields))
    return admin.client.post(
        "/admin/companies/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def confirm(admin: Admin) -> TestResponse:
    """Press the preview's one button (its CSRF token and digest)."""
    html = admin.text("/admin/companies/import/preview")
    digest = html.split('name="digest" type="hidden" value="', 1)[1].split('"', 1)[0]
    return admin.client.post(
        "/admin/companies/import/confirm",
        data={"csrf_token": csrf_token(html), "digest": digest},
    )


def companies(db: Session) -> int:
    db.rollback()  # a new snapshot: what the requests wrote
    return db.scalar(select(func.count()).select_from(Tenant)) or 0


def test_import_200_refused_for_one_line_then_accepted(chief: Admin, db: Session) -> None:
    rows = [row(n) for n in range(1, 201)]
    rows[41][4] = "2019-02-30"  # line 43: no such day
    answer = upload(chief, xlsx(rows))
    assert answer.status_code == 303
    html = chief.text(answer.location)
    assert 'data-import-errors="1"' in html and 'data-line="43"' in html
    assert "Line 43" in html and "Founded on: " in html
    assert "data-confirm-import" not in html
    posted = chief.client.post(
        "/admin/companies/import/confirm", data={"csrf_token": csrf_token(html), "digest": "x"}
    )
    assert posted.status_code == 409
    assert companies(db) == 0

    rows[41] = row(42)
    assert upload(chief, xlsx(rows)).status_code == 303
    html = chief.text("/admin/companies/import/preview")
    assert 'data-adds="200"' in html and 'data-wrong="0"' in html
    done = confirm(chief)
    assert done.status_code == 303 and done.location.endswith("/admin/companies/import/done")
    page = chief.text(done.location)
    assert 'data-added="200"' in page and 'data-moved="200"' in page
    assert companies(db) == 200
    assert db.scalar(select(func.count()).select_from(TenantMove)) == 200
    # The same upload cannot be confirmed twice.
    assert chief.get("/admin/companies/import/preview").status_code == 303


def test_preview_shows_old_and_new_and_the_gbk_encoding(chief: Admin, db: Session) -> None:
    assert upload(chief, xlsx([row(1), row(2)])).status_code == 303
    assert confirm(chief).status_code == 303
    lines = [",".join([*HEADERS[:2], "联系电话", "房间号"])]
    lines.append(f"长沙测试科技有限公司1,{uscc(1)},13900001111,2905")
    lines.append(f"长沙测试科技有限公司2,{uscc(2)},,")
    answer = upload(chief, "\r\n".join(lines).encode("gb18030"), "list.csv")
    html = chief.text(answer.location)
    assert 'data-encoding="gb18030"' in html
    assert 'data-changes="1"' in html and 'data-unchanged="1"' in html
    assert "<del>13812345678</del> → <ins>13900001111</ins>" in html
    assert "<del>11F-1102</del> → <ins>29F-2905</ins>" in html
    assert confirm(chief).status_code == 303
    db.rollback()
    moved = db.scalar(select(TenantMove).where(TenantMove.kind == "room"))
    assert moved is not None and moved.to_place == "29F-2905"


def test_the_preview_is_what_gets_imported(chief: Admin, db: Session) -> None:
    assert upload(chief, xlsx([row(1)])).status_code == 303
    html = chief.text("/admin/companies/import/preview")
    digest = html.split('name="digest" type="hidden" value="', 1)[1].split('"', 1)[0]
    # Someone adds the same company before the confirm: the plan differs, nothing is written.
    db.add(
        Tenant(
            uscc=uscc(1),
            name="别人先加的",
            building_id=db.scalar(select(Tenant.building_id)) or None,
        )
    )
    db.commit()
    answer = chief.client.post(
        "/admin/companies/import/confirm", data={"csrf_token": csrf_token(html), "digest": digest}
    )
    assert answer.status_code == 409
    assert "changed since the preview" in answer.get_data(as_text=True)
    assert companies(db) == 1


def test_files_too_large_or_too_long_are_refused_in_words(
    chief: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = upload(chief, b"x" * (sheets.MAX_BYTES + 10))
    assert answer.status_code == 400
    assert "larger than 5 MB" in answer.get_data(as_text=True)
    monkeypatch.setattr(sheets, "MAX_ROWS", 10)
    answer = upload(chief, xlsx([row(n) for n in range(1, 12)]))
    assert answer.status_code == 400
    assert "more than 10 companies" in answer.get_data(as_text=True)
    page = chief.text("/admin/companies/import")
    chief.client.post("/language", data={"csrf_token": csrf_token(page), "locale": "zh_CN"})
    answer = upload(chief, xlsx([row(n) for n in range(1, 12)]))
    assert "企业超过 10 家" in answer.get_data(as_text=True)


def test_officers_may_export_but_not_import(admin: Admin, world: dict[str, Any]) -> None:
    assert admin.sign_in("li").status_code == 303
    assert admin.get("/admin/companies/import").status_code == 403
    assert admin.get("/admin/companies/export-csv").status_code == 200


def test_export_defuses_formulas_and_reads_back(chief: Admin, db: Session) -> None:
    rows = [row(1, 企业名称='=HYPERLINK("http://evil.test","点我")', 联系人="+SUM(1)"), row(2)]
    assert upload(chief, xlsx(rows)).status_code == 303
    assert confirm(chief).status_code == 303

    answer = chief.get("/admin/companies/export-csv")
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0][:2] == ["Company name", "Unified social credit code"]
    names = {r[1]: r for r in parsed[1:]}
    assert names[uscc(1)][0] == '\'=HYPERLINK("http://evil.test","点我")'
    assert names[uscc(1)][8] == "'+SUM(1)"

    answer = chief.get("/admin/companies/export-xlsx")
    book = load_workbook(io.BytesIO(answer.get_data()))
    sheet = book.worksheets[0]
    cells = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    cell = cells[uscc(1)][0]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert cells[uscc(2)][4].value.date().isoformat() == "2019-03-05"
    assert db.scalar(select(func.count()).where(AuditLog.action == "company.export")) == 2

    # What was exported imports back as it is: nothing to change.
    for data, name in ((text.encode("utf-8"), "back.csv"), (answer.get_data(), "back.xlsx")):
        html = chief.text(upload(chief, data, name).location)
        assert 'data-unchanged="2"' in html and 'data-wrong="0"' in html, name


def test_export_keeps_to_the_reach(
    admin: Admin, db: Session, world: dict[str, Any], client: FlaskClient
) -> None:
    db.add(Tenant(uscc=uscc(900), name="湘江公司", building_id=world["theirs"].id))
    db.add(Tenant(uscc=uscc(1), name="芙蓉公司", building_id=world["ours"].id))
    db.commit()
    assert admin.sign_in("chief").status_code == 303
    text = admin.get("/admin/companies/export-csv").get_data(as_text=True)
    assert "芙蓉公司" in text and "湘江公司" not in text


def test_the_list_links_to_its_own_export(chief: Admin, db: Session) -> None:
    rows = [row(1), row(2, 联企干部="王主任")]
    assert upload(chief, xlsx(rows)).status_code == 303
    assert confirm(chief).status_code == 303
    html = chief.text("/admin/companies", show="mine")
    assert "data-company-sheets" in html and "/admin/companies/import" in html
    link = html.split('data-export="csv"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert "show=mine" in link
    text = chief.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert uscc(2) in text and uscc(1) not in text
