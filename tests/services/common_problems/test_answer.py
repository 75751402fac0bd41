"""One answer to a common problem reaches every appeal in it: three status pages, three SMS
through the fake provider, once each; a tenant saying it is not resolved reopens only their
appeal and flags the problem."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import Conflict
from kiosk.models import Appeal, AppealStatus, ProblemState
from kiosk.services import common_problems
from kiosk.services.notify import NotifyWorker
from tests.services.common_problems.conftest import Org, Reach, statuses
from tests.services.notify.conftest import sms_settings
from tests.support.fake_sms import FakeSms
from tests.support.pages import csrf_token

ANSWER = "经区交通运输局与公交集团会商，5路公交自12月20日起恢复园区门口站点。"


@pytest.fixture
def fake_sms() -> Iterator[FakeSms]:
    """A fake Alibaba Cloud SMS endpoint on 127.0.0.1."""
    fake = FakeSms().start()
    yield fake
    fake.stop()


@pytest.fixture
def app(make_app: Callable[..., Flask], fake_sms: FakeSms) -> Flask:
    """The app, sending SMS through the fake endpoint."""
    return make_app(**sms_settings(fake_sms))


def _grouped(org: Org, as_: Reach, appeals: list[Appeal]) -> int:
    db, me = as_(org.lead)
    problem = common_problems.group(
        db, me, [a.id for a in appeals], title="5路公交改线", unit_id=org.district.id,
        officer_id=org.lead.id,
    )  # fmt: skip
    return problem.id


def test_one_answer_reaches_three_status_pages_and_three_phones_once(
    app: Flask, org: Org, as_: Reach, bus_appeals: list[Appeal], db: Session,
    client: FlaskClient, fake_sms: FakeSms,
) -> None:  # fmt: skip
    problem_id = _grouped(org, as_, bus_appeals)
    lead_db, me = as_(org.lead)
    assert common_problems.answer(lead_db, me, problem_id, ANSWER) == 3
    assert common_problems.answer(lead_db, me, problem_id, ANSWER) == 0  # saved twice
    worker = NotifyWorker(app)
    assert worker.run_once() == 3
    assert worker.run_once() == 0
    phones = sorted(sent["PhoneNumbers"] for sent in fake_sms.received)
    assert phones == ["13812345670", "13812345671", "13812345672"]
    links = {json.loads(sent["TemplateParam"])["link"] for sent in fake_sms.received}
    assert links == {f"http://kiosk.test/status/{a.token}" for a in bus_appeals}
    assert statuses(db, bus_appeals) == [AppealStatus.RESOLVED] * 3
    for appeal in bus_appeals:
        page = client.get(f"/status/{appeal.token}").get_data(as_text=True)
        assert ANSWER in page
        assert "5路公交改线" in page and "data-common-problem" in page


def test_not_resolved_reopens_only_that_appeal_and_flags_the_problem(
    app: Flask, org: Org, as_: Reach, bus_appeals: list[Appeal], db: Session,
    client: FlaskClient, fake_sms: FakeSms,
) -> None:  # fmt: skip
    problem_id = _grouped(org, as_, bus_appeals)
    lead_db, me = as_(org.lead)
    common_problems.answer(lead_db, me, problem_id, ANSWER)
    second = bus_appeals[1]
    page = client.get(f"/status/{second.token}").get_data(as_text=True)
    answer = client.post(
        f"/status/{second.token}/reopen",
        data={
            "csrf_token": csrf_token(page),
            "reopen-reason": "站点恢复了但班次太少",
            "reopen-link": second.token,
        },
    )
    assert answer.status_code == 303
    assert statuses(db, bus_appeals) == [
        AppealStatus.RESOLVED, AppealStatus.REOPENED, AppealStatus.RESOLVED,
    ]  # fmt: skip
    check_db, _ = as_(org.lead)
    (listed,) = common_problems.listing(check_db)
    assert listed.flagged == 1 and listed.problem.state is ProblemState.ANSWERED
    with pytest.raises(Conflict):  # not closed while a company says it is not resolved
        common_problems.close(check_db, me, problem_id)
    # The next answer reaches the reopened appeal alone, and its tenant is told again.
    NotifyWorker(app).run_once()
    before = len(fake_sms.received)
    assert common_problems.answer(check_db, me, problem_id, ANSWER + "增加高峰班次。") == 1
    NotifyWorker(app).run_once()
    assert [s["PhoneNumbers"] for s in fake_sms.received[before:]] == [second.contact_mobile]


def test_only_the_owner_answers(org: Org, as_: Reach, bus_appeals: list[Appeal]) -> None:
    from kiosk.errors import NotFound

    problem_id = _grouped(org, as_, bus_appeals)
    db, me = as_(org.building_officer)
    with pytest.raises(NotFound):
        common_problems.answer(db, me, problem_id, ANSWER)
    with pytest.raises(NotFound):
        common_problems.answer(*as_(org.stranger), problem_id, ANSWER)
    assert db.scalar(select(Appeal.status).where(Appeal.id == bus_appeals[0].id)).is_open
