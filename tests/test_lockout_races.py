"""Wrong passwords and pickup codes sent all at once to two `kiosk serve` processes on one
database: no more than the limit are judged, the lock holds, and the first count of a key is
never a 500. Runs on SQLite and, with KIOSK_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import AttemptCounter, AuditLog, Staff
from kiosk.validators import uscc_check_char
from tests.conftest import STAFF_PASSWORD, TEST_SECRET
from tests.support.pages import csrf_token

BURST = 16
UNKNOWN_USCC = "91430102MA4T09999" + uscc_check_char("91430102MA4T09999")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not start: {log.read_text()}")


@pytest.fixture
def servers(
    database_url: str, tmp_path: Path, db: Session, keyboard_index: Callable[[Path], None]
) -> Iterator[list[str]]:
    """Two server processes on the test's database (migrated by its fixture)."""
    processes: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for n in range(2):
            port = _free_port()
            keyboard_index(tmp_path / f"server-{n}")
            env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
            env |= {
                "KIOSK_DATABASE_URL": database_url,
                "KIOSK_SECRET_KEY": TEST_SECRET,
                "KIOSK_INSTANCE_PATH": str(tmp_path / f"server-{n}"),
                "KIOSK_ID": f"kiosk-{n + 1}",
                "KIOSK_PRINT_WORKER": "false",
                "KIOSK_DEFAULT_LOCALE": "en",
                "KIOSK_PUBLIC_URL": "http://kiosk.test",
                # Sixteen argon2 verifications at once on a small, shared machine: give
                # SQLite's writers longer than a kiosk's 5 s before they answer 503.
                "KIOSK_DB_BUSY_TIMEOUT_MS": "30000",
            }
            log = tmp_path / f"server-{n}.log"
            with log.open("wb") as out:
                command = [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(port)]
                processes.append(
                    subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
                )
            urls.append(f"http://127.0.0.1:{port}")
        for n, (process, url) in enumerate(zip(processes, urls, strict=True)):
            _wait_healthy(process, url, tmp_path / f"server-{n}.log")  # both start at once
        yield urls
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Browser:
    """One visitor with a cookie jar of its own, at one of the servers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )
        self.token = ""

    def open_form(self, path: str) -> None:
        with self.opener.open(self.url + path, timeout=20) as response:
            self.token = csrf_token(response.read().decode())

    def post(self, path: str, **fields: str) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": self.token, **fields}).encode()
        try:
            with self.opener.open(self.url + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a 303 is an answer here, not something to follow


def _all_at_once(
    browsers: list[Browser], send: Callable[[Browser], tuple[int, str]]
) -> list[tuple[int, str]]:
    """Send one request from every browser at the same moment; their answers."""
    barrier = threading.Barrier(len(browsers))
    answers: list[tuple[int, str]] = [(0, "")] * len(browsers)

    def run(index: int) -> None:
        barrier.wait()
        answers[index] = send(browsers[index])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def _browsers(urls: list[str], path: str, count: int = BURST) -> list[Browser]:
    browsers = [Browser(urls[n % len(urls)]) for n in range(count)]
    for browser in browsers:
        browser.open_form(path)
    return browsers


def test_simultaneous_wrong_passwords_on_two_servers_lock_the_account(
    servers: list[str], make_staff: Callable[..., Staff], db: Session
) -> None:
    make_staff("officer")
    burst = _browsers(servers, "/admin/sign-in")
    answers = _all_at_once(
        burst, lambda b: b.post("/admin/sign-in", username="officer", password="wrong guess!")
    )
    assert sorted({status for status, _ in answers}) == [401], [s for s, _ in answers]
    db.rollback()  # read what the servers wrote
    counter = db.get(AttemptCounter, "sign-in:officer")
    assert counter is not None and counter.locked_until is not None
    assert counter.failures == BURST  # five judged, the rest refused while it waited
    locks = select(func.count()).where(AuditLog.action == "staff.locked")
    assert db.scalar(locks) == 1
    # The account waits: the right password, from a new browser on either server, is refused.
    for url in servers:
        (late,) = _browsers([url], "/admin/sign-in", 1)
        status, _ = late.post("/admin/sign-in", username="officer", password=STAFF_PASSWORD)
        assert status == 401


def test_simultaneous_wrong_codes_on_two_servers_judge_five_and_never_fail(
    servers: list[str], db: Session
) -> None:
    for round_ in range(2):
        # The first round counts a key never seen: every server inserts its first row at once.
        burst = _browsers(servers, "/collect", 20)
        answers = _all_at_once(
            burst, lambda b: b.post("/collect", uscc=UNKNOWN_USCC, code="123456")
        )
        statuses = [status for status, _ in answers]
        assert 500 not in statuses, statuses
        judged = [body for status, body in answers if status == 400]
        waited = [body for status, body in answers if status == 409]
        assert len(judged) == (5 if round_ == 0 else 0), statuses
        assert len(judged) + len(waited) == 20, statuses
        assert all("not right" in body for body in judged)
        assert all("Too many wrong codes" in body for body in waited)
    db.rollback()
    locks = select(func.count()).where(AuditLog.action == "code.locked")
    assert db.scalar(locks) == 1
