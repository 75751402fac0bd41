"""Bad input at the touchscreen: a clear message in both languages, and nothing typed is lost."""

from __future__ import annotations

import html as html_lib
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, Tenant
from kiosk.services.printing import PrintWorker
from tests.support.fake_printer import FakePrinter
from tests.support.pages import csrf_token
from tests.support.terminal import Terminal, reference_on

LANGUAGES = ["zh_CN", "en"]


@pytest.fixture
def terminal(client: FlaskClient, building: object) -> Terminal:
    return Terminal(client)


def _at_description(terminal: Terminal, tenant: Tenant, locale: str) -> None:
    terminal.language(locale)
    terminal.answer("/appeal/company", tenant=str(tenant.id))
    terminal.answer("/appeal/category", category="labour")


def _text(response: object) -> str:
    return html_lib.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


EMPTY = {"zh_CN": "此项不能为空。", "en": "This cannot be empty."}
TOO_LONG = {
    "zh_CN": "不能超过 1,000 个字，当前为 10,000 个字。",
    "en": "This must be 1,000 characters or fewer; it has 10,000.",
}
CLEANED = {
    "zh_CN": "我们删除了您输入内容中的不可见格式字符。",
    "en": "We removed invisible formatting characters from what you entered.",
}
MOBILE = {
    "zh_CN": "请输入以 1 开头的 11 位手机号码，例如 13812345678。",
    "en": "Enter an 11-digit mobile number starting with 1, like 13812345678.",
}
EXPIRED = {
    "zh_CN": "页面已过期，本页内容尚未保存。请核对后再提交一次。",
    "en": "This page had expired, so nothing was saved yet. Check your answer and try again.",
}
BUSY = {
    "zh_CN": "系统繁忙。您填写的内容都已保留，请稍候再试。",
    "en": "The system is busy. Nothing you entered has been lost",
}


@pytest.mark.parametrize("locale", LANGUAGES)
def test_empty_description(
    terminal: Terminal, make_tenant: Callable[..., Tenant], locale: str
) -> None:
    _at_description(terminal, make_tenant(), locale)
    response = terminal.answer("/appeal/description", description="   \n  ")
    assert response.status_code == 400
    page = _text(response)
    assert EMPTY[locale] in page
    assert 'class="error-summary"' in page and 'href="#description"' in page


@pytest.mark.parametrize("locale", LANGUAGES)
def test_ten_thousand_characters_are_refused_and_kept(
    terminal: Terminal, make_tenant: Callable[..., Tenant], locale: str
) -> None:
    _at_description(terminal, make_tenant(), locale)
    long_text = ("电梯经常停运，" * 1500)[:10_000]
    response = terminal.answer("/appeal/description", description=long_text)
    assert response.status_code == 400
    page = _text(response)
    assert TOO_LONG[locale] in page
    assert long_text in page  # the whole text is still in the box, to shorten rather than retype


@pytest.mark.parametrize("locale", LANGUAGES)
def test_control_characters_and_bidi_overrides_are_removed_with_a_notice(
    terminal: Terminal, make_tenant: Callable[..., Tenant], locale: str
) -> None:
    _at_description(terminal, make_tenant(), locale)
    # (A NUL is refused with the whole request: test_a_nul_anywhere_is_refused_before_any_view.)
    sneaky = "空调\u202e不制冷\x1b[2J\x07，请\u2066尽快\u2069维修"
    response = terminal.answer("/appeal/description", description=sneaky)
    assert response.status_code == 200
    page = _text(response)
    assert CLEANED[locale] in page
    assert "空调不制冷[2J，请尽快维修" in page
    assert "\u202e" not in page and "\x1b" not in page and "\x00" not in page
    # Continuing with the cleaned text moves on.
    assert (
        terminal.answer("/appeal/description", description="空调不制冷[2J，请尽快维修").status_code
        == 303
    )


def test_rare_characters_and_emoji_in_names_go_all_the_way(terminal: Terminal, db: Session) -> None:
    terminal.fill_appeal(
        company_name="𠮷祥䶮🚀科技有限公司", contact_name="龑𠮷", description="有问题😀"
    )
    check = _text(terminal.page("/appeal/check"))
    assert "𠮷祥䶮🚀科技有限公司" in check and "龑𠮷" in check and "有问题😀" in check
    terminal.submit()
    appeal = db.scalar(select(Appeal))
    assert appeal is not None
    assert (appeal.company_name, appeal.contact_name) == ("𠮷祥䶮🚀科技有限公司", "龑𠮷")


@pytest.mark.parametrize("locale", LANGUAGES)
def test_wrong_mobile_number_keeps_what_was_typed(
    terminal: Terminal, make_tenant: Callable[..., Tenant], locale: str
) -> None:
    _at_description(terminal, make_tenant(), locale)
    terminal.answer("/appeal/description", description="融资难")
    response = terminal.answer("/appeal/contact", contact_name="欧阳𠮷", contact_mobile="1234567")
    assert response.status_code == 400
    page = _text(response)
    assert MOBILE[locale] in page
    assert 'value="欧阳𠮷"' in page and 'value="1234567"' in page


@pytest.mark.parametrize("locale", LANGUAGES)
def test_missing_csrf_token_keeps_the_typed_text_but_saves_nothing(
    terminal: Terminal, make_tenant: Callable[..., Tenant], locale: str
) -> None:
    _at_description(terminal, make_tenant(), locale)
    response = terminal.answer("/appeal/description", csrf=False, description="写了很久的一段描述")
    assert response.status_code == 400
    page = _text(response)
    assert EXPIRED[locale] in page
    assert "写了很久的一段描述" in page
    assert terminal.client.get("/appeal/contact").location.endswith(
        "/appeal/description"
    )  # not saved


def test_missing_csrf_token_on_submit_creates_nothing(
    terminal: Terminal, make_tenant: Callable[..., Tenant], db: Session
) -> None:
    terminal.fill_appeal(tenant=make_tenant().id)
    form = Terminal.check_form(terminal.page("/appeal/check").get_data(as_text=True))
    del form["csrf_token"]
    response = terminal.client.post("/appeal/check", data=form)
    assert response.status_code == 400
    assert "页面已过期" in _text(response) and "提交诉求" in _text(
        response
    )  # submit again from here
    assert db.scalar(select(func.count()).select_from(Appeal)) == 0
    assert "张三" in terminal.page("/appeal/check").get_data(as_text=True)  # answers kept


@pytest.mark.parametrize("locale", LANGUAGES)
def test_printer_port_closed_still_gives_reference_and_qr(
    app: Flask,
    make_app: Callable[..., Flask],
    terminal: Terminal,
    make_tenant: Callable[..., Tenant],
    locale: str,
) -> None:
    out_of_service = {
        "zh_CN": "回执打印机暂时无法使用（已通知工作人员）。您的诉求已经收到",
        "en": "The slip printer is out of service just now (staff have been told).",
    }
    terminal.language(locale)
    terminal.fill_appeal(tenant=make_tenant().id)
    terminal.submit()
    with FakePrinter(mode="refuse") as closed:
        settings = make_app(receipt_printer=closed.url).config["KIOSK"]
        PrintWorker(app.extensions["kiosk.sessionmaker"], settings).run_once()
    page = _text(terminal.page("/appeal/done"))
    assert reference_on(page).startswith("SQ-")
    assert '<svg class="qr qr--large"' in page
    assert 'data-state="failed"' in page
    shown = re.search(r"<p data-printer-down\s*>(.*?)</p>", page, re.S)
    assert shown and out_of_service[locale] in shown.group(1)  # visible, not just in the page
    assert re.search(r"<p data-printer-failed hidden", page)
    assert re.search(r"data-can-retry hidden", page)  # no "print again" while it is down
    status = terminal.client.get("/appeal/done/print-status").get_json()
    assert status == {"state": "failed", "printer_down": True, "can_retry": False}


@contextmanager
def _write_lock(database_url: str) -> Iterator[None]:
    """Another process holding SQLite's write lock (e.g. a long admin export or a backup)."""
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@pytest.mark.parametrize("locale", LANGUAGES)
def test_locked_database_on_a_step_keeps_the_answer_on_screen(
    make_app: Callable[..., Flask],
    database_url: str,
    make_tenant: Callable[..., Tenant],
    locale: str,
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    terminal = Terminal(make_app(db_busy_timeout_ms=100).test_client())
    _at_description(terminal, make_tenant(), locale)
    with _write_lock(database_url):
        response = terminal.answer("/appeal/description", description="锁住时写的描述")
        assert response.status_code == 503
        page = _text(response)
        assert BUSY[locale] in page and "锁住时写的描述" in page
    assert terminal.answer("/appeal/description", description="锁住时写的描述").status_code == 303


@pytest.mark.parametrize("locale", LANGUAGES)
def test_locked_database_on_submit_loses_nothing(
    make_app: Callable[..., Flask],
    database_url: str,
    make_tenant: Callable[..., Tenant],
    db: Session,
    locale: str,
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    terminal = Terminal(make_app(db_busy_timeout_ms=100).test_client())
    terminal.language(locale)
    terminal.fill_appeal(tenant=make_tenant().id, contact_name="赵六")
    form = Terminal.check_form(terminal.page("/appeal/check").get_data(as_text=True))
    with _write_lock(database_url):
        response = terminal.client.post("/appeal/check", data=form)
        assert response.status_code == 503
        assert BUSY[locale] in _text(response)
    assert db.scalar(select(func.count()).select_from(Appeal)) == 0
    assert "赵六" in terminal.page("/appeal/check").get_data(as_text=True)
    assert terminal.client.post("/appeal/check", data=form).location == "/appeal/done"
    db.rollback()  # a fresh snapshot
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Appeal)) == 1


def test_oversized_request_body_is_refused_politely(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    _at_description(terminal, make_tenant(), "zh_CN")
    response = terminal.answer("/appeal/description", description="长" * 600_000)  # ~1.8 MB
    assert response.status_code == 413
    assert "提交的内容过大。" in _text(response)


# ---- requests no form of ours could send: a 400 in both languages, never a 500 -------------

REFUSED_NUL = {
    "zh_CN": "提交的内容含有无法接受的字符（NUL），未保存任何内容。",
    "en": "What was sent holds a character that cannot be accepted (a NUL). Nothing was saved.",
}
NAMELESS = {
    "zh_CN": "提交的内容无法读取：表单中有一项没有名称。未保存任何内容。",
    "en": "What was sent could not be read: a part of the form has no name. Nothing was saved.",
}
SIX_DIGITS = {"zh_CN": "取件码为 6 位数字。", "en": "The pickup code is 6 digits."}
UNSTORED = ("web_session", "kiosk_log")  # a visit's own session, and the kiosk's log lines


def stored(db: Session) -> dict[str, int]:
    """How many rows each table holds (what a refused request must leave as it was)."""
    from kiosk.models.base import Base

    db.rollback()  # a fresh snapshot
    return {
        table.name: db.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
        if table.name not in UNSTORED
    }


def _signed_in(client: FlaskClient) -> None:
    page = client.get("/admin/sign-in").get_data(as_text=True)
    form = {"username": "officer", "password": "correct horse battery"}
    response = client.post("/admin/sign-in", data={**form, "csrf_token": csrf_token(page)})
    assert response.status_code == 303


def _form(client: FlaskClient, path: str, **fields: str) -> dict[str, str]:
    """`fields` and the session's CSRF token (one for every form; /fix is a page that has one)."""
    return {"csrf_token": csrf_token(client.get("/fix").get_data(as_text=True)), **fields}


CODE_FORMS = {
    "/fix": {"reference": "DJ-20261125-0001", "code": "123456"},
    "/collect": {"uscc": "91430102MA4T00001X", "code": "123456"},
    "/admin/sign-in": {"username": "officer", "password": "correct horse battery"},
    "/appeal/description": {"description": "电梯坏了"},
}


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/status/abc%00def", None),
        ("/admin/appeals/SQ-%00", None),
        ("/admin/applications?q=%00", None),
        ("/status/abc?page=%00", None),
        ("/fix", "reference"),
        ("/collect", "uscc"),
        ("/admin/sign-in", "username"),
        ("/appeal/description", "description"),
        ("/appeal/description", "name\x00"),  # in a field's name, not its value
    ],
)
def test_a_nul_anywhere_is_refused_before_any_view(
    make_app: Callable[..., Flask],
    db: Session,
    make_staff: Callable[..., object],
    locale: str,
    path: str,
    field: str | None,
) -> None:
    client = make_app(default_locale=locale).test_client()
    make_staff()
    if path.startswith("/admin/") and field is None:
        _signed_in(client)
    before = stored(db)
    if field is None:
        response = client.get(path)
    else:
        data = _form(client, path, **CODE_FORMS[path])
        if field in data:
            data[field] += "\x00"
        else:
            data[field] = "x"
        response = client.post(path, data=data)
    assert response.status_code == 400
    assert REFUSED_NUL[locale] in _text(response)
    assert stored(db) == before


def _multipart(client: FlaskClient, path: str, token: str) -> object:
    """A well-formed body but for one part that has no name (no browser sends that)."""
    body = (
        f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        "--b\r\nContent-Disposition: form-data\r\n\r\n电梯坏了\r\n--b--\r\n"
    )
    return client.post(path, data=body.encode(), content_type="multipart/form-data; boundary=b")


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("path", ["/fix", "/admin/sign-in", "/appeal/description", "/language"])
def test_a_form_part_without_a_name_is_refused(
    make_app: Callable[..., Flask], db: Session, locale: str, path: str
) -> None:
    client = make_app(default_locale=locale).test_client()
    token = _form(client, "/fix")["csrf_token"]
    before = stored(db)
    response = _multipart(client, path, token)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert NAMELESS[locale] in _text(response)
    assert stored(db) == before


@pytest.mark.parametrize("path", ["/", "/status/abc", "/admin/sign-in", "/healthz"])
def test_a_host_name_that_is_no_host_name_is_refused(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Host": "a" * 64 + ".example"})  # a label is ≤ 63
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "主机名无效" in text and "host name in the request is not valid" in text


@pytest.fixture
def sent_back(
    make_app: Callable[..., Flask], db: Session, rooms: list[object]
) -> Callable[[str], tuple[FlaskClient, str, str]]:
    """A client in `locale` and a submitted registration's reference and pickup code."""
    from tests.terminal.test_applications import fill_register, ok, submit

    def factory(locale: str) -> tuple[FlaskClient, str, str]:
        client = make_app(default_locale=locale).test_client()
        fill_register(Terminal(client), rooms)  # type: ignore[arg-type]
        ok(submit(Terminal(client), "register"))
        client.post("/reset")
        from kiosk.models import Application

        application = db.scalars(select(Application)).one()
        return client, application.reference, application.pickup_code

    return factory


FOREIGN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # Arabic-Indic digits
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("locale", LANGUAGES)
def test_other_scripts_digits_in_the_pickup_code_say_six_digits_whether_or_not_it_exists(
    sent_back: Callable[[str], tuple[FlaskClient, str, str]], db: Session, locale: str
) -> None:
    client, reference, code = sent_back(locale)
    before = stored(db)
    for ref in (reference, "DJ-20991231-9999"):  # one that exists, one that does not
        for path, field in (("/fix", "reference"), ("/collect", "uscc")):
            data = _form(client, path, **CODE_FORMS[path])
            data.update({field: ref, "code": code.translate(FOREIGN)})
            response = client.post(path, data=data)
            assert response.status_code == 400, (path, ref)
            assert SIX_DIGITS[locale] in _text(response)
    assert stored(db) == before  # not even a wrong try counted


def test_full_width_digits_are_the_same_pickup_code(
    sent_back: Callable[[str], tuple[FlaskClient, str, str]], db: Session
) -> None:
    client, reference, code = sent_back("en")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = []
    for ref in (reference, "DJ-20991231-9999"):
        for typed in (wrong, wrong.translate(FULL_WIDTH)):
            data = _form(client, "/fix", reference=ref, code=typed)
            response = client.post("/fix", data=data)
            answers.append((response.status_code, "not right" in _text(response)))
    assert answers == [(400, True)] * 4  # the same answer, existing reference or not
    data = _form(client, "/fix", reference=reference, code=code.translate(FULL_WIDTH))
    response = client.post("/fix", data=data)
    assert response.status_code == 409  # the right code: found, though not sent back yet
    assert "not waiting for changes" in _text(response)
