"""The printer misbehaves: every slip is printed once (plus copies marked 补打), or staff see it.

Each fault of the outside test, on the fake printer (which confirms a slip only once it has
printed it, at a set speed), with time scaled down: slips expire after 10 s, a printer that
answers nothing is asked again after 1 s. Counts per fault are printed (run with -s) and,
when PRINT_FAULT_COUNTS names a file, appended to it. The kill -9 rows run `kiosk serve` in
a process of its own and kill it the moment the printer cuts a slip.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk.models import Appeal
from kiosk.services import slips
from kiosk.services.printing import PrintWorker, outbox, worker
from tests.conftest import TEST_SECRET
from tests.support.fake_printer import FakePrinter, Slip
from tests.support.print_faults import Counts, all_final, classify, screen_check

MAX_AGE = 10  # seconds: the smallest the settings allow


@pytest.fixture
def fast_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scaled time: look at the outbox often, ask a faulty printer again after 1 s."""
    monkeypatch.setattr(worker, "POLL_INTERVAL", 0.1)
    monkeypatch.setattr(worker, "HOLD", timedelta(seconds=1))
    monkeypatch.setattr(outbox, "backoff", lambda attempts: timedelta(seconds=0.5))


def _submit(app: Flask, make_appeal: Callable[..., Appeal]) -> str:
    def slip(appeal: Appeal) -> dict[str, object]:
        url = f"http://kiosk.test/status/{appeal.token}"
        return slips.appeal_slip(appeal, app.config["KIOSK"], "芙蓉国际金融中心", url)

    return make_appeal(slip=slip).reference


def _run(
    app: Flask,
    make_app: Callable[..., Flask],
    make_appeal: Callable[..., Appeal],
    printer: FakePrinter,
    *,
    fault: str,
    count: int,
    spacing: float,
    at: Callable[[int], None] = lambda index: None,
    seconds: float = 25.0,
) -> Counts:
    """Submit `count` appeals `spacing` s apart with a worker printing; count what came out."""
    settings = make_app(
        receipt_printer=printer.url, printer_timeout=2.0, slip_max_age_seconds=MAX_AGE,
        print_retry_limit=4,
    ).config["KIOSK"]  # fmt: skip
    factory = app.extensions["kiosk.sessionmaker"]
    printing = PrintWorker(factory, settings)
    counts = Counts(f"{fault} [{app.extensions['kiosk.engine'].dialect.name}]")
    references: list[str] = []
    printing.start()
    try:
        for index in range(count):
            at(index)
            references.append(_submit(app, make_appeal))
            printing.wake()
            _watch(factory, printer, references, counts, spacing)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            _watch(factory, printer, references, counts, 0.1)
            with factory() as db:
                if all_final(db, references) and printer.idle:
                    break
        else:
            pytest.fail(f"{fault}: not every job came to rest in {seconds} s")
    finally:
        printing.stop()
    with factory() as db:
        classify(db, printer.out(), references, MAX_AGE, counts)
    counts.report()
    return counts


def _watch(factory: Callable[[], object], printer: FakePrinter, references: list[str],
           counts: Counts, seconds: float) -> None:  # fmt: skip
    """Look at what each tenant's screen says, for `seconds`."""
    until = time.monotonic() + seconds
    while True:
        with factory() as db:  # type: ignore[attr-defined]
            screen_check(db, printer.out, references, counts)
        if time.monotonic() >= until:
            return
        time.sleep(0.05)


def _assert_sound(counts: Counts) -> None:
    assert counts.problems == [], counts.line()
    assert counts.twice == counts.lost == counts.late == counts.said_printed_early == 0


@pytest.mark.usefixtures("fast_worker")
def test_connection_reset_mid_slip(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal]
) -> None:
    # each slip's first connection is reset after 300 bytes: a torn piece, then a whole copy
    with FakePrinter(speed=20_000, reset_after=300, resets=5) as printer:
        counts = _run(app, make_app, make_appeal, printer, fault="reset after 300 bytes",
                      count=10, spacing=0.2)  # fmt: skip
    _assert_sound(counts)
    assert counts.marked_only + counts.once_plus_marked >= 1  # a retried slip says 补打
    assert counts.once + counts.marked_only + counts.once_plus_marked == 10


def _later(seconds: float, action: Callable[[], None]) -> None:
    threading.Timer(seconds, action).start()


@pytest.mark.usefixtures("fast_worker")
def test_hang_then_power_cycle(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal]
) -> None:
    with FakePrinter(speed=4000) as printer:

        def fault(index: int) -> None:
            if index == 3:
                printer.hang()
                _later(3.0, printer.power_cycle)

        counts = _run(app, make_app, make_appeal, printer, fault="hang 3 s then power-cycle",
                      count=10, spacing=0.25, at=fault)  # fmt: skip
    _assert_sound(counts)


@pytest.mark.usefixtures("fast_worker")
def test_hang_then_resume(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal]
) -> None:
    with FakePrinter(speed=4000) as printer:

        def fault(index: int) -> None:
            if index == 3:
                printer.hang()
                _later(3.0, printer.resume)

        counts = _run(app, make_app, make_appeal, printer, fault="hang 3 s then resume",
                      count=10, spacing=0.25, at=fault)  # fmt: skip
    _assert_sound(counts)


@pytest.mark.usefixtures("fast_worker")
def test_trickling_printer(
    app: Flask, make_app: Callable[..., Flask], make_appeal: Callable[..., Appeal]
) -> None:
    # 300 bytes/s: a slip takes several seconds; a backed-up queue would print them late
    with FakePrinter(speed=300) as printer:
        counts = _run(app, make_app, make_appeal, printer, fault="trickle 300 bytes/s",
                      count=6, spacing=0.1, seconds=30)  # fmt: skip
    _assert_sound(counts)
    assert counts.shown_to_staff >= 1  # some could not come out in time: staff see them


# kill -9 of `kiosk serve`: the process is started, killed, and started again


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(database_url: str, printer: FakePrinter, instance: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env |= {
        "KIOSK_INSTANCE_PATH": str(instance),
        "KIOSK_DATABASE_URL": database_url,
        "KIOSK_RECEIPT_PRINTER": printer.url,
        "KIOSK_SECRET_KEY": TEST_SECRET,
        "KIOSK_PRINTER_TIMEOUT": "2",
        "KIOSK_SLIP_MAX_AGE_SECONDS": str(MAX_AGE * 3),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(_free_port())],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextmanager
def _database_busy(database_url: str) -> Iterator[None]:
    """Hold the print outbox's table locked (the database is busy) inside the block."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        url = url.set(drivername="sqlite")
    else:
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text("BEGIN"))
                connection.execute(text("LOCK TABLE print_job IN EXCLUSIVE MODE"))
            yield
            connection.rollback()
    finally:
        engine.dispose()


def _killed_at_the_cut(
    app: Flask,
    make_appeal: Callable[..., Appeal],
    database_url: str,
    tmp_path: Path,
    keyboard_index: Callable[[Path], None],
    *,
    fault: str,
    busy: bool,
    count: int = 4,
) -> Counts:
    references = [_submit(app, make_appeal) for _ in range(count)]
    factory = app.extensions["kiosk.sessionmaker"]
    engine = app.extensions["kiosk.engine"]
    counts = Counts(f"{fault} [{engine.dialect.name}]")
    engine.dispose()
    keyboard_index(tmp_path / "one")
    keyboard_index(tmp_path / "two")
    with FakePrinter(speed=8000) as printer:
        first = _serve(database_url, printer, tmp_path / "one")
        killed = threading.Event()

        def kill(slip: Slip) -> None:
            printer.on_cut = None
            if not busy:
                first.send_signal(signal.SIGKILL)  # before the confirmation is answered
                killed.set()
                return

            def later() -> None:  # it has the confirmation and waits for the database
                with _database_busy(database_url):
                    time.sleep(1.0)
                    first.send_signal(signal.SIGKILL)
                    first.wait(10)
                killed.set()

            threading.Thread(target=later).start()
            time.sleep(0.3)  # the lock is taken before the confirmation is answered

        printer.on_cut = kill
        try:
            assert killed.wait(30), "no slip was cut"
        finally:
            first.kill()
            first.wait(10)
        second = _serve(database_url, printer, tmp_path / "two")
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with factory() as db:
                    screen_check(db, printer.out, references, counts)
                    if all_final(db, references) and printer.idle:
                        break
                time.sleep(0.1)
        finally:
            second.terminate()
            second.wait(10)
        with factory() as db:
            classify(db, printer.out(), references, MAX_AGE * 3, counts)
    counts.report()
    return counts


def test_kill_9_at_the_cut(
    app: Flask,
    make_appeal: Callable[..., Appeal],
    database_url: str,
    tmp_path: Path,
    keyboard_index: Callable[[Path], None],
) -> None:
    counts = _killed_at_the_cut(app, make_appeal, database_url, tmp_path, keyboard_index,
                                fault="kill -9 at the cut", busy=False)  # fmt: skip
    _assert_sound(counts)
    assert counts.once_plus_marked == 1  # the slip out when it died, and its 补打 copy


def test_kill_9_with_the_database_busy(
    app: Flask,
    make_appeal: Callable[..., Appeal],
    database_url: str,
    tmp_path: Path,
    keyboard_index: Callable[[Path], None],
) -> None:
    counts = _killed_at_the_cut(app, make_appeal, database_url, tmp_path, keyboard_index,
                                fault="kill -9 with the database busy", busy=True)  # fmt: skip
    _assert_sound(counts)
    assert counts.once_plus_marked == 1
