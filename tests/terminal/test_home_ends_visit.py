"""Home is the end of a visit: the next person finds nothing of the last one behind any tile."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from kiosk.models import Building, Tenant
from kiosk.tasks import TASKS
from tests.support.terminal import Terminal


@pytest.fixture
def terminal(client: FlaskClient) -> Terminal:
    return Terminal(client)


def test_going_home_from_the_check_page_leaves_an_empty_appeal_for_the_next_person(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    company = make_tenant(name="长沙甲乙科技有限公司")
    terminal.fill_appeal(tenant=company.id, contact_name="李雷", contact_mobile="13912345678")
    check = terminal.page("/appeal/")
    assert check.request.path == "/appeal/check"  # person A is at the check page
    terminal.page("/")  # A taps the building's name and walks away

    start = terminal.page("/appeal/")  # B taps 我要反映诉求
    html = start.get_data(as_text=True)
    assert start.request.path == "/appeal/company"
    for left_behind in ("李雷", "13912345678", "园区到地铁站", "choice--selected"):
        assert left_behind not in html
    assert terminal.page("/appeal/check").request.path == "/appeal/company"


def test_home_forgets_every_task_event_sheet_and_result_but_keeps_the_language(
    client: FlaskClient, terminal: Terminal, building: Building
) -> None:
    terminal.language("en")
    with client.session_transaction() as session:
        session["answers"] = {slug: {"company_name": "甲", "_key": "k"} for slug in TASKS}
        session["answers"]["events"] = {"event_id": 1, "contact_name": "李雷", "_key": "k"}
        session["done"] = {"appeal": {"reference": "SQ-20261207-0001", "key": "k"}}
        session["sheet"] = {"tenant": 1, "subject": "S-1"}
        session["collected"] = {"name": "甲", "uscc": "x"}
        session["large"] = "yes"
        old = client.get_cookie("kiosk_session")
    assert old is not None

    home = client.get("/")
    assert home.status_code == 200
    assert 'data-draft="false"' in home.get_data(as_text=True)
    with client.session_transaction() as session:
        assert not {"answers", "done", "sheet", "collected", "large"} & set(session)
        assert session.get("locale") == "en"  # the screen's language is no one's draft
    new = client.get_cookie("kiosk_session")
    assert new is not None and new.value != old.value  # a new session: old pages' tokens die
    assert client.get("/appeal/done").headers["Location"] == "/"
    for task in TASKS.values():
        first = task.first_incomplete({})
        assert first is not None
        page = terminal.page(f"/{task.slug}/check")
        assert page.request.path == f"/{task.slug}/{first.slug}", task.slug


def test_a_step_page_with_answers_tells_the_screen_so(
    terminal: Terminal, make_tenant: Callable[..., Tenant]
) -> None:
    company = make_tenant()
    blank = terminal.page("/appeal/company").get_data(as_text=True)
    assert 'data-draft="false"' in blank
    assert 'id="leave-dialog"' in blank and "放弃已填写的内容？" in blank
    terminal.answer("/appeal/company", tenant=str(company.id))
    assert 'data-draft="true"' in terminal.page("/appeal/category").get_data(as_text=True)


def test_showing_an_untouched_home_writes_no_session(
    client: FlaskClient, building: Building
) -> None:
    client.get("/")
    first = client.get_cookie("kiosk_session")
    client.get("/")
    assert client.get_cookie("kiosk_session") == first
