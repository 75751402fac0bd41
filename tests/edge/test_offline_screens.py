"""What a terminal cannot promise while the link is down, it says plainly; and it serves
the screen's pages only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def test_home_marks_what_waits_for_the_network(make_terminal: Callable[..., Any]) -> None:
    terminal, agent, central = make_terminal()
    agent.sync()
    client = terminal.test_client()
    assert "data-offline" not in client.get("/").get_data(as_text=True)
    central.down = True
    agent.tick()
    home = client.get("/").get_data(as_text=True)
    assert "网络中断" in home and home.count("data-offline-tile") == 2
    licence = client.get("/collect")
    assert licence.status_code == 503
    assert "网络中断，暂不能领取执照" in licence.get_data(as_text=True)
    assert client.get("/invoice/", follow_redirects=True).status_code == 503
    assert client.get("/appeal/", follow_redirects=True).status_code == 200  # taken as usual


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
