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


def test_a_terminal_serves_no_admin_api_or_phone_page(make_terminal: Callable[..., Any]) -> None:
    terminal, _, _ = make_terminal()
    client = terminal.test_client()
    for path in ("/admin/sign-in", "/api/v1/kiosks", "/api/v1/openapi.json", "/status/x"):
        assert client.get(path).status_code == 404, path
    assert client.get("/healthz").status_code == 200
