"""What a terminal cannot promise while the link is down, it says plainly; and it serves
the screen's pages only."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Event, EventType, Tenant
from tests.support.pages import csrf_token


def test_home_marks_what_waits_for_the_network(make_terminal: Callable[..., Any]) -> None:
    terminal, agent, central = make_terminal()
    agent.sync()
    client = terminal.test_client()
    assert "data-offline" not in client.get("/").get_data(as_text=True)
    central.down = True
    agent.tick()
    home = client.get("/").get_data(as_text=True)
    assert "网络中断" in home and home.count("data-offline-tile") == 2
    assert home.count("data-offline-link") == 2  # licence collection, fixing an application
    licence = client.get("/collect")
    assert licence.status_code == 503
    assert "网络中断，暂不能领取执照" in licence.get_data(as_text=True)
    assert client.get("/invoice/", follow_redirects=True).status_code == 503
    assert client.get("/appeal/", follow_redirects=True).status_code == 200  # taken as usual


def test_a_place_taken_while_the_link_is_down_reads_provisional(
    make_terminal: Callable[..., Any], db: Session, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("长沙星辰软件科技有限公司")
    starts = utcnow() + timedelta(days=3)
    event = Event(building_code="demo", title="营商课堂", kind=EventType.CLASS, place="3楼",
                  starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=10)  # fmt: skip
    db.add(event)
    db.commit()
    terminal, agent, central = make_terminal()
    agent.sync()
    central.down = True
    agent.tick(force_beat=True)
    client = terminal.test_client()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    client.post(f"/events/{event.id}/company",
                data={"csrf_token": csrf_token(page), "tenant": str(tenant.id)})  # fmt: skip
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page)
    assert key, page[-1500:]
    taken = client.post(f"/events/{event.id}", data={
        "csrf_token": csrf_token(page), "submission_key": key.group(1),
        "contact_name": "张三", "contact_mobile": "13812345678",
    })  # fmt: skip
    assert taken.status_code == 303, taken.get_data(as_text=True)[-1500:]
    done = client.get("/events/done").get_data(as_text=True)
    assert "data-provisional" in done and "报名已受理" in done
    assert "报名成功" not in done and "活动现场见" not in done  # no place is promised yet


def test_the_link_reads_down_until_the_central_answers_again(
    make_terminal: Callable[..., Any],
) -> None:
    terminal, agent, central = make_terminal()
    agent.tick()
    assert agent.link.up is True
    central.down = True
    agent.tick()  # nothing to hand over, no heartbeat due: nothing learnt either way
    assert agent.link.up is True
    agent.tick(force_beat=True)  # the heartbeat finds it down
    for _ in range(3):  # and later rounds, with nothing to send, do not call it up
        assert agent.link.down
        agent.tick()
        assert "网络中断" in terminal.test_client().get("/").get_data(as_text=True)
    central.down = False
    calls = central.calls
    agent.tick()  # while down, every round reports: back up at the next round
    assert agent.link.up is True and central.calls > calls
    calls = central.calls
    agent.tick()  # up again: the heartbeat keeps its own pace
    assert agent.link.up is True and central.calls == calls


def test_a_terminal_serves_no_admin_api_or_phone_page(make_terminal: Callable[..., Any]) -> None:
    terminal, _, _ = make_terminal()
    client = terminal.test_client()
    for path in ("/admin/sign-in", "/api/v1/kiosks", "/api/v1/openapi.json", "/status/x"):
        assert client.get(path).status_code == 404, path
    assert client.get("/healthz").status_code == 200
