"""Three `kiosk serve` processes on one PostgreSQL: each prints only its own jobs; a command
issued through the API is run by the right kiosk and its result comes back; a killed kiosk
goes offline after the timeout and comes back, with one alert each way; a revoked token is
refused. Needs PostgreSQL (KIOSK_TEST_DATABASE_URL); skipped with that message otherwise."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.models import Kiosk, KioskAlert, KioskState, Scope
from kiosk.services import tokens
from kiosk.services.printing import outbox
from printers import Receipt
from printers.document import Text
from tests.conftest import _reset_postgresql
from tests.support.escpos_decoder import decode
from tests.support.fake_printer import FakePrinter

# Fast clocks for the test: a heartbeat every 0.5 s, stale after 2 s, offline after 4 s.
FLEET_ENV = {
    "KIOSK_HEARTBEAT_SECONDS": "0.5",
    "KIOSK_STALE_SECONDS": "2",
    "KIOSK_OFFLINE_SECONDS": "4",
    "KIOSK_COMMAND_POLL_SECONDS": "0.3",
    "KIOSK_PRINTER_TIMEOUT": "2",
}
KIOSKS = (("kiosk-a", "tower-1"), ("kiosk-b", "tower-1"), ("kiosk-c", "tower-2"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    """Poll `check` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


class Hook(BaseHTTPRequestHandler):
    """The alert webhook: keeps every JSON body it is sent."""

    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@dataclass
class Station:
    """One kiosk process, its printer and how to start it again."""

    kiosk_id: str
    url: str
    printer: FakePrinter
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_healthy(self) -> None:
        def healthy() -> bool:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    return bool(response.status == 200)
            except OSError:
                return False

        wait_for(healthy, 30, f"{self.kiosk_id} to serve")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)  # no goodbye: as when the power goes
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def pg_url(pg_schema_url: str) -> str:
    _reset_postgresql(pg_schema_url)
    return pg_schema_url


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    made = create_engine(make_url(pg_url).set(drivername="postgresql+psycopg"))
    yield made
    made.dispose()


@dataclass
class Webhook:
    """A loopback HTTP server standing in for the on-call engineer's alerting service."""

    url: str
    received: list[dict[str, Any]]

    def kinds(self, kiosk_id: str) -> list[str]:
        return [body["kind"] for body in self.received if body["kiosk"] == kiosk_id]


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Webhook(f"http://127.0.0.1:{server.server_port}/alerts", server.received)  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.fixture
def fleet(
    pg_url: str, tmp_path: Path, webhook: Webhook, keyboard_index: Callable[[Path], None]
) -> Iterator[dict[str, Station]]:
    """Three kiosks (two in one building), each with its own fake printer, not yet started."""
    stations: dict[str, Station] = {}
    with ExitStack() as stack:
        for kiosk_id, building in KIOSKS:
            printer = stack.enter_context(FakePrinter())
            port = _free_port()
            keyboard_index(tmp_path / kiosk_id)
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")},
                **FLEET_ENV,
                "KIOSK_INSTANCE_PATH": str(tmp_path / kiosk_id),
                "KIOSK_DATABASE_URL": pg_url,
                "KIOSK_ID": kiosk_id,
                "KIOSK_BUILDING": building,
                "KIOSK_NAME": f"{building} {kiosk_id}",
                "KIOSK_RECEIPT_PRINTER": printer.url,
                "KIOSK_ALERT_WEBHOOK_URL": webhook.url,
            }
            command = [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(port)]
            stations[kiosk_id] = Station(
                kiosk_id, f"http://127.0.0.1:{port}", printer, command, env,
                tmp_path / f"{kiosk_id}.log",
            )  # fmt: skip
        try:
            yield stations
        finally:
            for station in stations.values():
                station.stop()


def api(
    url: str, token: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    """Call the maintenance API; (status, JSON body)."""
    request = urllib.request.Request(
        url + path,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def states(engine: Engine) -> dict[str, str]:
    with Session(engine) as db:
        return {k.id: k.state.value for k in db.scalars(select(Kiosk))}


def alert_kinds(engine: Engine, kiosk_id: str) -> list[str]:
    with Session(engine) as db:
        query = select(KioskAlert.kind).where(KioskAlert.kiosk_id == kiosk_id)
        return list(db.scalars(query.order_by(KioskAlert.id)))


def enqueue_slip(engine: Engine, kiosk_id: str, text: str) -> None:
    with Session(engine) as db, transaction(db):
        outbox.enqueue(
            db, kiosk_id=kiosk_id, kind="test_page", subject=text,
            document=Receipt((Text(text),)).to_dict(),
        )  # fmt: skip


def test_three_kiosks_share_one_database(
    fleet: dict[str, Station], engine: Engine, webhook: Webhook
) -> None:
    """The whole story, in one run of three processes (starting them is the slow part)."""
    for station in fleet.values():
        station.start()
    for station in fleet.values():
        station.wait_healthy()
    wait_for(lambda: states(engine) == dict.fromkeys(fleet, "online"), what="three kiosks online")

    # Each prints only its own jobs, though all three share the outbox.
    for kiosk_id in fleet:
        for n in (1, 2):
            enqueue_slip(engine, kiosk_id, f"slip {n} for {kiosk_id}")
    for kiosk_id, station in fleet.items():
        jobs = station.printer.wait_for_jobs(2, timeout=20)
        printed = sorted(line for job in jobs for line in decode(job).text.splitlines() if line)
        assert printed == [f"slip 1 for {kiosk_id}", f"slip 2 for {kiosk_id}"]

    # A command issued through any kiosk's API is run by the kiosk it names.
    with Session(engine) as db:
        operator = tokens.create(db, "on-call", Scope.OPERATE)
        operator_key = operator.row.key
    status, sent = api(
        fleet["kiosk-a"].url, operator.token, "/api/v1/kiosks/kiosk-c/commands",
        {"kind": "announce", "payload": {"text": "电梯检修，请走B座", "minutes": 30}},
    )  # fmt: skip
    assert status == 202 and sent["status"] == "queued"

    def finished() -> dict[str, Any] | None:
        _, body = api(fleet["kiosk-a"].url, operator.token, f"/api/v1/commands/{sent['id']}")
        return body if body["status"] in ("done", "failed") else None

    done = wait_for(finished, what="the announcement command to finish")
    assert done["status"] == "done" and "until" in done["result"], done
    for kiosk_id, station in fleet.items():
        with urllib.request.urlopen(f"{station.url}/", timeout=5) as response:
            page = response.read().decode()
        assert ("电梯检修，请走B座" in page) is (kiosk_id == "kiosk-c"), kiosk_id

    status, sent = api(
        fleet["kiosk-c"].url, operator.token, "/api/v1/kiosks/kiosk-a/commands",
        {"kind": "test-print"},
    )  # fmt: skip
    assert status == 202
    done = wait_for(finished, what="the test print to finish")
    assert done["status"] == "done" and done["result"]["status"] == "printed", done
    (test_page,) = fleet["kiosk-a"].printer.wait_for_jobs(3, timeout=10)[2:]
    assert "kiosk-a" in decode(test_page).text

    # Kill one: offline after the timeout, one alert; started again: online, one alert.
    fleet["kiosk-b"].kill()
    wait_for(lambda: states(engine)["kiosk-b"] == "offline", 15, "kiosk-b to show offline")
    with Session(engine) as db:
        killed = db.get(Kiosk, "kiosk-b")
        assert killed is not None and killed.last_seen_at is not None
        # Not before the offline timeout (4 s), counted from its last heartbeat as recorded
        # (under load the last one may be more than a heartbeat before the kill).
        assert (killed.state_since - killed.last_seen_at).total_seconds() >= 4
    assert states(engine)["kiosk-a"] == states(engine)["kiosk-c"] == "online"
    wait_for(lambda: webhook.kinds("kiosk-b") == ["down"], 10, "the down alert's webhook")
    fleet["kiosk-b"].start()
    fleet["kiosk-b"].wait_healthy()
    wait_for(lambda: states(engine)["kiosk-b"] == "online", 15, "kiosk-b back online")
    wait_for(lambda: webhook.kinds("kiosk-b") == ["down", "up"], 10, "the up alert's webhook")
    time.sleep(2)  # several more rounds of judging by all three: still one alert each way
    assert alert_kinds(engine, "kiosk-b") == ["down", "up"]
    assert alert_kinds(engine, "kiosk-a") == alert_kinds(engine, "kiosk-c") == []
    assert webhook.kinds("kiosk-b") == ["down", "up"]
    assert {body["kind"] for body in webhook.received} == {"down", "up"}

    # The fleet as the API sees it, and each kiosk's own log lines, kept in the database.
    status, listed = api(fleet["kiosk-b"].url, operator.token, "/api/v1/kiosks?building=tower-1")
    assert status == 200 and [k["id"] for k in listed["kiosks"]] == ["kiosk-a", "kiosk-b"]
    status, logged = api(fleet["kiosk-b"].url, operator.token, "/api/v1/kiosks/kiosk-a/logs")
    assert status == 200 and any("done" in r["message"] for r in logged["records"]), logged

    # A revoked token is refused, by every kiosk.
    with Session(engine) as db:
        tokens.revoke(db, operator_key)
    for station in fleet.values():
        status, refused = api(station.url, operator.token, "/api/v1/kiosks")
        assert status == 401 and refused["error"] == "unauthorized"
    assert KioskState.OFFLINE.value not in states(engine).values()
