"""The screen does what the fleet asks, in a real browser on a real `kiosk serve`: a reload
the screen confirms, a banner, pause with "维护中" and resume, and a screenshot of the page it
shows, taken by the kiosk's own headless Chromium."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveKiosk, watch_console

WAIT = 20_000  # milliseconds: the agent looks every 2 s, the screen reports every 5 s


def call(kiosk: LiveKiosk, token: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        kiosk.url + path,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        data = response.read()
        return (
            json.loads(data) if response.headers.get_content_type() == "application/json" else data
        )


def run(kiosk: LiveKiosk, token: str, kind: str, **payload: Any) -> dict[str, Any]:
    """Issue a command to this kiosk through the API and wait for its result."""
    sent = call(kiosk, token, "/api/v1/kiosks/kiosk-1/commands", {"kind": kind, "payload": payload})
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        command: dict[str, Any] = call(kiosk, token, f"/api/v1/commands/{sent['id']}")
        if command["status"] in ("done", "failed", "expired"):
            return command
        time.sleep(0.3)
    raise AssertionError(f"{kind} did not finish")


def test_the_screen_obeys_the_fleet(live_kiosk: LiveKiosk, page: Page, shots: Path) -> None:
    """Reload, banner, pause and resume, and a screenshot, each proven on the screen."""
    token = live_kiosk.kiosk("token", "create", "--name", "e2e", "--scope", "operate").stdout
    token = token.strip()
    errors = watch_console(page)
    page.goto(f"{live_kiosk.url}/policies")
    expect(page.locator("h1")).to_be_visible()

    reloaded = run(live_kiosk, token, "reload")
    assert reloaded["status"] == "done", reloaded  # the reloaded page reported back
    assert reloaded["result"]["page"] == "/policies"

    shown = run(live_kiosk, token, "announce", text="今日16:00起暂停打印，请谅解", minutes=5)
    assert shown["status"] == "done"
    page.goto(f"{live_kiosk.url}/")
    expect(page.locator(".fleet-banner")).to_have_text("今日16:00起暂停打印，请谅解")

    paused = run(live_kiosk, token, "pause", message="系统升级中，约10分钟")
    assert paused["status"] == "done"
    expect(page.locator(".paused__title")).to_have_text("维护中", timeout=WAIT)
    expect(page.locator(".paused__message")).to_have_text("系统升级中，约10分钟")
    page.screenshot(path=shots / "fleet-paused-portrait-zh.png")
    try:
        urllib.request.urlopen(f"{live_kiosk.url}/events", timeout=5)
        raise AssertionError("a paused kiosk served a page")
    except urllib.error.HTTPError as refused:
        assert refused.code == 503 and refused.headers["Retry-After"] == "60"

    resumed = run(live_kiosk, token, "resume")
    assert resumed["status"] == "done"
    expect(page.locator(".paused__title")).to_have_count(0, timeout=WAIT)
    expect(page.locator(".fleet-banner")).to_be_visible()

    page.goto(f"{live_kiosk.url}/policies")
    shot = run(live_kiosk, token, "screenshot")
    assert shot["status"] == "done", shot
    assert shot["result"]["page"] == "/policies"
    png = call(live_kiosk, token, shot["screenshot_url"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    viewport = page.viewport_size
    assert viewport is not None and (width, height) == (viewport["width"], viewport["height"])
    (shots / "fleet-screenshot-command.png").write_bytes(png)
    # The screenshot browser's own visit did not become the screen's last page.
    kiosk = call(live_kiosk, token, "/api/v1/kiosks/kiosk-1")
    assert kiosk["paused"] is False
    assert errors == []
