"""A serve process killed while a slip is in flight: after a restart the slip prints once."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from kiosk import create_app
from kiosk.db import upgrade
from kiosk.services import slips
from kiosk.services.appeals import AppealDraft, submit_appeal
from tests.conftest import TEST_SECRET
from tests.support.escpos_decoder import decode
from tests.support.fake_printer import FakePrinter


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _job_status(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        return str(connection.execute("SELECT status FROM print_job").fetchone()[0])


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_killed_mid_job_prints_exactly_once_after_restart(
    tmp_path: Path, keyboard_index: Callable[[Path], None]
) -> None:
    instance = tmp_path / "instance"
    keyboard_index(instance)
    with FakePrinter(state="mute") as printer:  # each status query waits out its timeout
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        env |= {
            "KIOSK_INSTANCE_PATH": str(instance),
            "KIOSK_RECEIPT_PRINTER": printer.url,
            "KIOSK_SECRET_KEY": TEST_SECRET,
            "KIOSK_PRINTER_TIMEOUT": "3",
        }
        app = create_app({"receipt_printer": printer.url, "secret_key": TEST_SECRET}, instance)
        upgrade(app.extensions["kiosk.engine"])
        with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:
            draft = AppealDraft(uuid.uuid4().hex, None, "长沙测试公司", "", "other", "测试", "张三",
                                "13800000000", "zh_CN")  # fmt: skip
            appeal = submit_appeal(
                db, app.config["KIOSK"], draft,
                slip=lambda a: slips.appeal_slip(a, app.config["KIOSK"], "芙蓉", "http://k/s/x"),
            )  # fmt: skip
        app.extensions["kiosk.engine"].dispose()
        database = instance / "kiosk.db"

        def serve() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(_free_port())],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        first = serve()
        try:
            _wait_for(lambda: _job_status(database) == "printing", 20, "the job to be claimed")
        finally:
            first.send_signal(signal.SIGKILL)  # no clean-up of any kind
            first.wait(10)
        assert _job_status(database) == "printing"
        assert printer.jobs == []  # the slip itself never reached the printer

        printer.state = "ready"
        second = serve()
        try:
            _wait_for(
                lambda: _job_status(database) == "printed", 20, "the job to print after restart"
            )
        finally:
            second.terminate()
            second.wait(10)
    (job,) = printer.jobs  # once, not twice
    slip = decode(job)
    assert appeal.reference in slip.text and len(slip.cuts) == 1
