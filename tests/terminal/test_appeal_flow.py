"""The appeal flow at the touchscreen: one question per page, check, submit once, confirmation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, PrintJob, Tenant
from printers import Receipt
from tests.support.terminal import Terminal, reference_on


@pytest.fixture
def terminal(client: FlaskClient) -> Terminal:
    return Terminal(client)


def test_home_in_chinese_with_tiles_footer_qr_and_hotline(
    terminal: Terminal, building: object
) -> None:
    html = terminal.page("/").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html
    assert "您要办理什么业务？" in html
    assert "芙蓉国际金融中心" in html
    assert 'href="/appeal/"' in html and "我要反映诉求" in html
    assert "营商环境投诉码" in html and '<svg class="qr"' in html
    assert "12345" in html


def test_home_shows_how_the_buildings_appeals_went(
    app: Flask,
    make_app: Callable[..., Flask],
    building: object,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., object],
) -> None:
    from kiosk.models import Role
    from kiosk.services import appeals
    from kiosk.services.audit import Actor

    terminal = Terminal(make_app(home_figures_seconds=0).test_client())
    assert "本楼宇今年诉求办理情况" not in terminal.page("/").get_data(as_text=True)  # nothing yet
    officer = Actor(make_staff("officer", Role.STAFF))  # type: ignore[arg-type]
    first, second, _third = make_appeal(), make_appeal(), make_appeal()
    for appeal, rating in ((first, "satisfied"), (second, "dissatisfied")):
        appeals.resolve(db, appeal.id, "已答复。", officer)
        appeals.rate(
            db,
            app.config["KIOSK"],
            appeal.token,
            rating,
            "还是没解决" if rating == "dissatisfied" else "",
        )
    html = terminal.page("/").get_data(as_text=True)
    assert "本楼宇今年诉求办理情况" in html
    assert 'data-figure="received">3<' in html
    assert 'data-figure="answered">2<' in html
    assert 'data-figure="satisfied">50%<' in html


def test_language_switch_keeps_english_for_the_session(
    terminal: Terminal, building: object
) -> None:
    assert terminal.language("en").status_code == 303
    html = terminal.page("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "What would you like to do?" in html
    assert "Furong International Finance Centre" in html
    terminal.language("zh_CN")
    assert "您要办理什么业务？" in terminal.page("/").get_data(as_text=True)


def test_language_switch_refuses_to_redirect_elsewhere(
    terminal: Terminal, client: FlaskClient
) -> None:
    html = terminal.page("/").get_data(as_text=True)
    from tests.support.pages import csrf_token

    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(
            "/language", data={"locale": "en", "next": target, "csrf_token": csrf_token(html)}
        )
        assert response.location == "/"


def test_listed_company_flow_to_confirmation(
    terminal: Terminal, make_tenant: Callable[..., Tenant], db: Session
) -> None:
    tenant = make_tenant("长沙星辰软件科技有限公司")
    company_page = terminal.page("/appeal/").get_data(as_text=True)
    assert "长沙星辰软件科技有限公司" in company_page and tenant.floor_room in company_page
    terminal.fill_appeal(tenant=tenant.id, category="transport")
    check = terminal.page("/appeal/check").get_data(as_text=True)
    for shown in (
        "长沙星辰软件科技有限公司",
        tenant.uscc,
        "交通出行",
        "园区到地铁站",
        "张三",
        "13812345678",
    ):
        assert shown in check
    done = terminal.submit()
    assert done.status_code == 303 and done.location == "/appeal/done"
    page = terminal.page("/appeal/done").get_data(as_text=True)
    reference = reference_on(page)
    assert reference.startswith("SQ-")
    assert "138****5678" in page and "13812345678" not in page
    assert '<svg class="qr qr--large"' in page
    appeal = db.scalar(select(Appeal).where(Appeal.reference == reference))
    assert appeal is not None and appeal.tenant_id == tenant.id and appeal.locale == "zh_CN"
    job = db.scalar(select(PrintJob).where(PrintJob.subject == reference))
    assert job is not None
    texts = [getattr(e, "text", "") for e in Receipt.from_dict(job.document).elements]
    assert reference in texts and "诉求类别：交通出行" in texts and "联系电话：138****5678" in texts


def test_company_not_listed_types_name_and_optional_code(
    terminal: Terminal, building: object, db: Session
) -> None:
    terminal.answer("/appeal/company", tenant="other")
    bad = terminal.answer(
        "/appeal/company-details", company_name="湖南新公司", company_uscc="91430102MA4L00001X"
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "请按营业执照准确输入 18 位统一社会信用代码" in html
    assert 'value="湖南新公司"' in html  # nothing typed is lost
    terminal.fill_appeal(company_name="湖南新公司")
    terminal.submit()
    appeal = db.scalar(select(Appeal))
    assert appeal is not None and appeal.company_name == "湖南新公司" and appeal.tenant_id is None


def test_search_by_name_and_by_code(terminal: Terminal, make_tenant: Callable[..., Tenant]) -> None:
    make_tenant("长沙星辰软件科技有限公司")
    other = make_tenant("湖南岳麓律师事务所")
    html = terminal.page("/appeal/company?q=律师").get_data(as_text=True)
    assert "湖南岳麓律师事务所" in html and "星辰" not in html
    html = terminal.page(f"/appeal/company?q={other.uscc[:10].lower()}").get_data(as_text=True)
    assert "湖南岳麓律师事务所" in html
    html = terminal.page("/appeal/company?q=100%25_").get_data(
        as_text=True
    )  # LIKE wildcards are literal
    assert "没有与" in html


def test_companies_are_listed_by_floor(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    make_tenant("高楼层公司", floor_room="58F-5801")
    make_tenant("低楼层公司", floor_room="9F-905")
    html = terminal.page("/appeal/company").get_data(as_text=True)
    assert html.index("低楼层公司") < html.index("高楼层公司")


def test_change_from_check_page_returns_to_check(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    terminal.fill_appeal(tenant=make_tenant().id)
    response = terminal.answer("/appeal/category?change=1", category="finance")
    assert response.location == "/appeal/check"
    assert "融资" in terminal.page("/appeal/check").get_data(as_text=True)


def test_steps_cannot_be_skipped(terminal: Terminal, building: object) -> None:
    response = terminal.client.get("/appeal/contact")
    assert response.status_code == 302 and response.location.endswith("/appeal/company")
    assert terminal.client.get("/appeal/check").location.endswith("/appeal/company")
    assert terminal.client.get("/appeal/company-details").location.endswith("/appeal/company")


def test_double_submit_creates_one_appeal(
    terminal: Terminal, make_tenant: Callable[..., Tenant], db: Session
) -> None:
    terminal.fill_appeal(tenant=make_tenant().id)
    html = terminal.page("/appeal/check").get_data(as_text=True)
    form = Terminal.check_form(html)
    first = terminal.client.post("/appeal/check", data=form)
    second = terminal.client.post("/appeal/check", data=form)  # the second tap, or Back + resubmit
    assert first.location == second.location == "/appeal/done"
    assert db.scalar(select(func.count()).select_from(Appeal)) == 1
    assert db.scalar(select(func.count()).select_from(PrintJob)) == 1


def test_finish_wipes_everything(
    terminal: Terminal, make_tenant: Callable[..., Tenant], db: Session
) -> None:
    terminal.fill_appeal(tenant=make_tenant().id, contact_name="王小明")
    terminal.submit()
    # English, tapped on the confirmation page (home would already end the visit).
    done = terminal.page("/appeal/done").get_data(as_text=True)
    from tests.support.pages import csrf_token

    switched = terminal.client.post(
        "/language", data={"locale": "en", "next": "/appeal/done", "csrf_token": csrf_token(done)}
    )
    assert switched.status_code == 303
    reference = reference_on(terminal.page("/appeal/done").get_data(as_text=True))
    wiped = terminal.client.post("/reset")
    assert wiped.status_code == 303 and wiped.location == "/"
    assert "kiosk_session=;" in wiped.headers["Set-Cookie"]
    from kiosk.sessions import session_count

    assert session_count(db) == 0  # deleted on the server, not just forgotten by the browser
    for path in ("/appeal/done", "/appeal/check", "/appeal/contact"):
        html = terminal.page(path).get_data(as_text=True)
        assert reference not in html and "王小明" not in html
    assert "您要办理什么业务？" in terminal.page("/").get_data(
        as_text=True
    )  # language back to default


def test_every_terminal_response_is_no_store_with_strict_csp(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    terminal.fill_appeal(tenant=make_tenant().id)
    terminal.submit()
    for path in (
        "/",
        "/appeal/company",
        "/appeal/done",
        "/appeal/done/print-status",
        "/no-such-page",
    ):
        response = terminal.client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_print_status_reports_the_outbox(
    terminal: Terminal, make_tenant: Callable[..., Tenant], db: Session
) -> None:
    terminal.fill_appeal(tenant=make_tenant().id)
    terminal.submit()
    waiting = {"state": "printing", "printer_down": False, "can_retry": False}
    assert terminal.client.get("/appeal/done/print-status").get_json() == waiting
    job = db.scalar(select(PrintJob))
    assert job is not None
    from kiosk.models import PrintStatus

    job.status, job.confirmation = PrintStatus.SENT, "none"  # taken, but not confirmed
    db.commit()
    assert terminal.client.get("/appeal/done/print-status").get_json()["state"] == "unconfirmed"
    job.confirmation = "simulated"  # dummy://: there is no paper printer at all
    db.commit()
    assert terminal.client.get("/appeal/done/print-status").get_json()["state"] == "no_printer"
    job.status, job.confirmation = PrintStatus.PRINTED, "process_id"
    db.commit()
    assert terminal.client.get("/appeal/done/print-status").get_json()["state"] == "printed"
    terminal.client.post("/reset")
    assert terminal.client.get("/appeal/done/print-status").get_json() == {"state": "gone"}
