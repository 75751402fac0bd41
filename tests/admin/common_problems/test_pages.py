"""Common problems in the admin: the appeal page's similar appeals grouped into one problem at
the district, a meeting recorded through its form, the answer sent; a building's officer sees
the problem of their appeal; another district's officer gets 404."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, CommonProblem, Meeting, ProblemState
from tests.conftest import AuthActions
from tests.services.common_problems.conftest import Org, statuses
from tests.support.pages import csrf_token


def _signed_in(client: FlaskClient, username: str) -> FlaskClient:
    assert AuthActions(client).sign_in(username).status_code in (302, 303)
    return client


def _group(client: FlaskClient, org: Org, appeals: list[Appeal]) -> int:
    page = client.get(f"/admin/appeals/{appeals[0].reference}").get_data(as_text=True)
    assert "data-similar-panel" in page
    for other in appeals[1:]:
        assert f'data-similar="{other.reference}"' in page
    answer = client.post(
        f"/admin/appeals/{appeals[0].reference}/common-problem",
        data={
            "csrf_token": csrf_token(page), "appeals": [str(a.id) for a in appeals[1:]],
            "title": "5路公交改线", "owner": str(org.district.id), "officer": str(org.lead.id),
        },
    )  # fmt: skip
    assert answer.status_code == 303
    found = re.search(r"/admin/common-problems/(\d+)$", answer.headers["Location"])
    assert found is not None
    return int(found.group(1))


def test_grouped_met_and_answered_from_the_admin(
    client: FlaskClient, org: Org, bus_appeals: list[Appeal], db: Session
) -> None:
    _signed_in(client, "lead")
    problem_id = _group(client, org, bus_appeals)
    page = client.get(f"/admin/common-problems/{problem_id}").get_data(as_text=True)
    assert page.count("data-member=") == 3
    form = client.get(f"/admin/common-problems/{problem_id}/meetings/new")
    assert form.status_code == 200
    token = csrf_token(form.get_data(as_text=True))
    saved = client.post(
        f"/admin/common-problems/{problem_id}/meetings/new",
        data={
            "csrf_token": token, "held_on": "2026-12-01", "present": [str(org.transport.id)],
            "others": "公交集团", "decisions": "恢复园区站点。",
            "actions-0-who": str(org.transport.id), "actions-0-what": "恢复5路园区站",
            "actions-0-due": "2026-12-20",
        },
    )  # fmt: skip
    assert saved.status_code == 303
    meeting = db.scalar(select(Meeting).where(Meeting.problem_id == problem_id))
    assert meeting is not None and meeting.departments == [org.transport.id]
    page = client.get(f"/admin/common-problems/{problem_id}").get_data(as_text=True)
    answered = client.post(
        f"/admin/common-problems/{problem_id}/answer",
        data={"csrf_token": csrf_token(page), "answer": "5路公交12月20日起恢复园区站点。"},
    )
    assert answered.status_code == 303
    assert statuses(db, bus_appeals) == [AppealStatus.RESOLVED] * 3
    state = db.scalar(select(CommonProblem.state).where(CommonProblem.id == problem_id))
    assert state is ProblemState.ANSWERED


def test_a_meeting_with_mistakes_is_shown_again_with_each_message(
    client: FlaskClient, org: Org, bus_appeals: list[Appeal]
) -> None:
    _signed_in(client, "lead")
    problem_id = _group(client, org, bus_appeals)
    form = client.get(f"/admin/common-problems/{problem_id}/meetings/new")
    answer = client.post(
        f"/admin/common-problems/{problem_id}/meetings/new",
        data={"csrf_token": csrf_token(form.get_data(as_text=True)), "held_on": "not a date",
              "decisions": "", "actions-1-due": "2026-12-20"},
    )  # fmt: skip
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "error-summary" in page and "Traceback" not in page


def test_a_building_officer_sees_the_problem_of_their_appeal_read_only(
    client: FlaskClient, org: Org, bus_appeals: list[Appeal], app: object
) -> None:
    _signed_in(client, "lead")
    problem_id = _group(client, org, bus_appeals)
    AuthActions(client).sign_out()
    _signed_in(client, "demo-officer")
    page = client.get(f"/admin/appeals/{bus_appeals[0].reference}").get_data(as_text=True)
    assert f'data-in-common-problem="{problem_id}"' in page and "5路公交改线" in page
    shown = client.get(f"/admin/common-problems/{problem_id}").get_data(as_text=True)
    assert shown.count("data-member=") == 2  # their building's two, not the neighbour's
    assert "answer_common_problem" not in shown and "/answer" not in shown
    refused = client.post(
        f"/admin/common-problems/{problem_id}/answer",
        data={"csrf_token": csrf_token(shown), "answer": "我来答复"},
    )
    assert refused.status_code == 404


def test_another_districts_officer_cannot_open_it_by_id(
    client: FlaskClient, org: Org, bus_appeals: list[Appeal]
) -> None:
    _signed_in(client, "lead")
    problem_id = _group(client, org, bus_appeals)
    AuthActions(client).sign_out()
    _signed_in(client, "stranger")
    assert client.get(f"/admin/common-problems/{problem_id}").status_code == 404
    assert client.get(f"/admin/common-problems/{problem_id}/meetings/new").status_code == 404
    assert "5路公交改线" not in client.get("/admin/common-problems").get_data(as_text=True)
