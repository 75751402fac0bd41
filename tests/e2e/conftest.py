"""A real kiosk for the browser: `kiosk serve` in a subprocess on a SQLite file, a fake printer.

Chromium is Debian's (/usr/bin/chromium), headless, driven by Playwright; nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kiosk.config import SMS_EVENTS
from kiosk.keyboard import build
from tests.support.fake_printer import FakePrinter
from tests.support.fake_sms import FakeSms

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
STAFF_PASSWORD = "e2e staff password"

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, headless, with no background traffic (the network is closed)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install chromium (see README)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """The portrait lobby screen, in Chinese, by default."""
    return {**browser_context_args, "viewport": PORTRAIT, "locale": "zh-CN"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveKiosk:
    """A running kiosk: its URL, instance folder, printer and environment."""

    url: str
    instance: Path
    printer: FakePrinter
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def kiosk(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run a `kiosk` command against the same instance."""
        return subprocess.run(
            [sys.executable, "-m", "kiosk.cli", *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

    @property
    def database(self) -> Path:
        """The SQLite file."""
        return self.instance / "kiosk.db"


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kiosk serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("kiosk serve did not become healthy")


def _serve(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `kiosk serve` on a free port and wait until it is healthy; its URL is its public
    URL. A port is free when chosen but taken only after serve's warm-up (seconds later), so
    another process may take it first: then serve starts again on another port."""
    for attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env["KIOSK_PUBLIC_URL"] = url
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_healthy(url, process)
            return process, url
        except RuntimeError:
            _stop(process)
            if attempt == 2 or b"Address already in use" not in log_path.read_bytes():
                raise
    raise AssertionError("unreachable")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _kiosk_env(instance: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")},
        "KIOSK_INSTANCE_PATH": str(instance),
        **extra,
    }


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance folder after `kiosk demo` and `kiosk staff create`, made once per run (about
    4 s); each live kiosk starts from a copy of it. The keyboard's pinyin index is built into it
    too, as a kiosk builds it on its first run, so no kiosk under test spends seconds on it."""
    instance = tmp_path_factory.mktemp("demo") / "instance"
    env = _kiosk_env(instance)
    setup = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stderr
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "staff",
            "create",
            "e2e-officer",
            "--name",
            "测试专员",
            "--role",
            "supervisor",
        ],
        env={**env, "KIOSK_NEW_STAFF_PASSWORD": STAFF_PASSWORD},
        check=True,
        capture_output=True,
        timeout=60,
    )
    build.build(build.cache_path(instance))
    return instance


@pytest.fixture
def live_kiosk(tmp_path: Path, demo_instance: Path) -> Iterator[LiveKiosk]:
    """`kiosk serve` on a fresh copy of the demo instance, printing to a fake TCP printer."""
    instance = tmp_path / "instance"
    shutil.copytree(demo_instance, instance)
    with FakePrinter() as printer:
        env = _kiosk_env(
            instance,
            KIOSK_RECEIPT_PRINTER=printer.url,
            KIOSK_PRINTER_TIMEOUT="2",
            KIOSK_PRINTER_POLL_SECONDS="5",
        )
        process, url = _serve(env, tmp_path / "serve.log")
        try:
            yield LiveKiosk(url, instance, printer, env, process)
        finally:
            _stop(process)


@contextmanager
def serving_with_sms(
    tmp_path: Path, demo_instance: Path, before: Callable[[dict[str, str]], None] | None = None
) -> Iterator[tuple[LiveKiosk, FakeSms]]:
    """`kiosk serve` on a copy of the demo, its SMS sent to a fake Alibaba Cloud endpoint on
    loopback; `before(env)` runs first with the server's environment (to add staff, say)."""
    fake = FakeSms().start()
    instance = tmp_path / "instance"
    shutil.copytree(demo_instance, instance)
    templates = {f"{e}.zh_CN": f"SMS_{n}" for n, e in enumerate(SMS_EVENTS)}
    with (instance / "kiosk.cfg").open("a") as cfg:
        cfg.write(f"\nSMS_TEMPLATES = {templates!r}\n")
    with FakePrinter() as printer:
        env = _kiosk_env(
            instance, KIOSK_RECEIPT_PRINTER=printer.url,
            KIOSK_SMS_PROVIDER="aliyun", KIOSK_SMS_ACCESS_KEY_ID=fake.access_key_id,
            KIOSK_SMS_ACCESS_KEY_SECRET=fake.secret, KIOSK_SMS_SIGN_NAME="楼宇政务服务驿站",
            KIOSK_SMS_ENDPOINT=fake.url,
        )  # fmt: skip
        if before is not None:
            before(env)
        process, url = _serve(env, tmp_path / "serve.log")
        try:
            yield LiveKiosk(url, instance, printer, env, process), fake
        finally:
            _stop(process)
            fake.stop()


def fill_visit(
    page: Page, met: str, discussed: str, problems: list[tuple[str, str]], contact: str
) -> None:
    """On the visit form (a company chosen): who was met, what was discussed, each problem's
    category and description, and the problems' contact with a mobile."""
    expect(page.locator("h1")).to_have_text("登记走访")
    page.get_by_label("走访对象").fill(met)
    page.get_by_label("座谈了哪些内容？").fill(discussed)
    for n, (category, description) in enumerate(problems, start=1):
        page.locator(f"#problem{n}_category").select_option(category)
        page.locator(f"#problem{n}_description").fill(description)
    page.get_by_label("问题联系人").fill(contact)
    page.get_by_label("联系人手机号").fill("13811112222")


@pytest.fixture
def landscape(browser: Browser) -> Iterator[Page]:
    """A page on the 1920×1080 landscape screen."""
    context: BrowserContext = browser.new_context(viewport=LANDSCAPE, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone that scanned a QR code."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def staff_page(browser: Browser) -> Iterator[Page]:
    """A staff member's desktop browser."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def watch_console(page: Page) -> list[str]:
    """Collect console errors (a CSP violation shows up here) for the test to assert on."""
    errors: list[str] = []
    # A form shown again with its errors is a 400 (or 503 when busy) by design; anything else
    # the console reports (a CSP violation, a missing asset, a script error) is a failure.
    expected = re.compile(
        r"Failed to load resource: the server responded with a status of (400|503)"
    )

    def on_console(message: Any) -> None:
        if message.type == "error" and not expected.match(message.text):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: $SCREENSHOT_DIR when set (to look at them), else a temp folder."""
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def touch_screen(browser: Browser, orientation: str) -> tuple[BrowserContext, Page]:
    """A new touchscreen at the lobby's resolution, portrait or landscape."""
    viewport = PORTRAIT if orientation == "portrait" else LANDSCAPE
    context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=True)  # type: ignore[arg-type]
    return context, context.new_page()
