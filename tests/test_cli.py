"""The `kiosk` command: db upgrade, staff create, serve on an empty instance, config errors."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main


def _env(instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return {**env, "KIOSK_INSTANCE_PATH": str(instance), **extra}


def _tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }


def test_db_upgrade_and_staff_create(tmp_path: Path) -> None:
    runner = CliRunner()
    instance = tmp_path / "instance"
    result = runner.invoke(main, ["--instance", str(instance), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert {"appeal", "staff", "print_job", "alembic_version"} <= _tables(instance / "kiosk.db")
    result = runner.invoke(
        main,
        [
            "--instance",
            str(instance),
            "staff",
            "create",
            "wang",
            "--name",
            "王主任",
            "--role",
            "admin",
        ],
        input="long enough password\nlong enough password\n",
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(instance / "kiosk.db") as connection:
        (hash_,) = connection.execute(
            "SELECT password_hash FROM staff WHERE username='wang'"
        ).fetchone()
    assert hash_.startswith("$argon2id$") and "long enough" not in hash_
    again = runner.invoke(
        main,
        ["--instance", str(instance), "staff", "create", "wang"],
        env={"KIOSK_NEW_STAFF_PASSWORD": "x" * 12},
    )
    assert again.exit_code == 1 and "username: 该用户名已被使用。" in again.output


def test_bad_configuration_is_one_clear_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--instance", str(tmp_path), "db", "upgrade"], env={"KIOSK_IDLE_SECONDS": "a minute"}
    )
    assert result.exit_code == 1
    assert "KIOSK_IDLE_SECONDS='a minute' (environment)" in result.output
    assert "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_creates_the_schema_on_an_empty_instance(tmp_path: Path) -> None:
    port = _free_port()
    instance = tmp_path / "instance"
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(port)],
        env=_env(instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=1
                ) as response:
                    body = response.read().decode()
                    break
            except OSError:
                assert process.poll() is None, "serve exited"
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.1)
        assert '"database":"ok"' in body.replace(" ", "")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert "楼宇政务服务驿站" in response.read().decode()
            assert response.headers["Cache-Control"] == "no-store"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "appeal" in _tables(instance / "kiosk.db")


def test_serve_refuses_an_outdated_schema(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    CliRunner().invoke(main, ["--instance", str(instance), "db", "upgrade"])
    with sqlite3.connect(instance / "kiosk.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0000'")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(_free_port())],
        env=_env(instance),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "kiosk db upgrade" in result.stderr


@pytest.mark.parametrize("value", ["tcp://", "lp0", "tcp://printer:99999"])
def test_bad_printer_url_stops_the_start(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(
        main, ["--instance", str(tmp_path), "db", "upgrade"], env={"KIOSK_RECEIPT_PRINTER": value}
    )
    assert (
        result.exit_code == 1
        and "KIOSK_RECEIPT_PRINTER" in result.output
        and value in result.output
    )


def test_printer_test_prints_the_test_slip(tmp_path: Path) -> None:
    from tests.support.escpos_decoder import decode
    from tests.support.fake_printer import FakePrinter

    with FakePrinter() as printer:
        result = CliRunner().invoke(
            main,
            ["--instance", str(tmp_path), "printer", "test", "--printer", printer.url],
            env={"KIOSK_ID": "lobby-7", "KIOSK_PUBLIC_URL": "https://kiosk.example.gov.cn"},
        )
        assert result.exit_code == 0, result.output
        assert "printed on" in result.output and "confirmed by process_id" in result.output
        slip = decode(printer.wait_for_jobs(1, timeout=5)[0])
    assert "打印测试 / Print test" in slip.text and "lobby-7" in slip.text
    assert slip.qr_payloads == ["https://kiosk.example.gov.cn/healthz"]
    assert len(slip.cuts) == 1


@pytest.mark.parametrize(
    ("env", "link"),
    [
        ({"KIOSK_PORT": "8123"}, "http://127.0.0.1:8123/healthz"),
        ({"KIOSK_HOST": "0.0.0.0", "KIOSK_PORT": "9000"}, "http://127.0.0.1:9000/healthz"),
        ({"KIOSK_HOST": "kiosk-7.lan"}, "http://kiosk-7.lan:8080/healthz"),
    ],
)
def test_the_test_slip_links_to_the_port_the_kiosk_serves_on(
    tmp_path: Path, env: dict[str, str], link: str
) -> None:
    from tests.support.escpos_decoder import decode
    from tests.support.fake_printer import FakePrinter

    with FakePrinter() as printer:
        args = ["--instance", str(tmp_path), "printer", "test", "--printer", printer.url]
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 0, result.output
        slip = decode(printer.wait_for_jobs(1, timeout=5)[0])
    assert slip.qr_payloads == [link]


def test_serve_says_once_where_links_go_without_a_public_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import waitress

    served: list[dict[str, object]] = []

    def fake_serve(app: object, **options: object) -> None:
        from kiosk.web import public_link

        with app.test_request_context(base_url="http://evil.example"):  # type: ignore[attr-defined]
            options["link"] = public_link("public.appeal_status", token="t")
        served.append(options)

    monkeypatch.setattr(waitress, "serve", fake_serve)
    env = {"KIOSK_PORT": "8123", "KIOSK_PRINT_WORKER": "false", "KIOSK_FLEET_AGENT": "false"}
    args = ["--instance", str(tmp_path), "serve"]
    with caplog.at_level("WARNING", logger="kiosk"):
        assert CliRunner().invoke(main, args, env=env).exit_code == 0
        assert CliRunner().invoke(main, [*args, "--port", "9001"], env=env).exit_code == 0
        public = {**env, "KIOSK_PUBLIC_URL": "https://kiosk.example.gov.cn"}
        assert CliRunner().invoke(main, args, env=public).exit_code == 0
    assert [(o["port"], o["link"]) for o in served] == [
        (8123, "http://127.0.0.1:8123/status/t"),
        (9001, "http://127.0.0.1:9001/status/t"),  # --port is where it listens, and links go
        (8123, "https://kiosk.example.gov.cn/status/t"),
    ]
    warnings = [r.getMessage() for r in caplog.records if "KIOSK_PUBLIC_URL" in r.getMessage()]
    assert warnings == [
        "KIOSK_PUBLIC_URL is not set: QR codes and slips link to http://127.0.0.1:8123, where "
        "a phone may not reach; set it to the address phones use",
        "KIOSK_PUBLIC_URL is not set: QR codes and slips link to http://127.0.0.1:9001, where "
        "a phone may not reach; set it to the address phones use",
    ]  # once a start, and not when it is set


def test_serve_runs_as_many_request_threads_as_it_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 by default (more only take turns on one core: bench/pages.py), KIOSK_THREADS in the
    environment, --threads over both; nonsense is refused before anything listens."""
    import waitress

    threads: list[object] = []
    monkeypatch.setattr(
        waitress, "serve", lambda app, **options: threads.append(options["threads"])
    )
    env = {"KIOSK_PRINT_WORKER": "false", "KIOSK_FLEET_AGENT": "false"}
    args = ["--instance", str(tmp_path), "serve"]
    assert CliRunner().invoke(main, args, env=env).exit_code == 0
    assert CliRunner().invoke(main, args, env={**env, "KIOSK_THREADS": "2"}).exit_code == 0
    told = CliRunner().invoke(main, [*args, "--threads", "6"], env={**env, "KIOSK_THREADS": "2"})
    assert told.exit_code == 0
    assert threads == [4, 2, 6]
    refused = CliRunner().invoke(main, args, env={**env, "KIOSK_THREADS": "0"})
    assert refused.exit_code != 0 and "threads" in refused.output.lower()
    assert CliRunner().invoke(main, [*args, "--threads", "0"], env=env).exit_code == 2
    assert threads == [4, 2, 6]


def test_printer_test_says_why_nothing_printed(tmp_path: Path) -> None:
    from tests.support.fake_printer import FakePrinter

    with FakePrinter(mode="refuse") as closed:
        result = CliRunner().invoke(
            main, ["--instance", str(tmp_path), "printer", "test", "--printer", closed.url]
        )
    assert result.exit_code == 1 and "not printed" in result.output and "refused" in result.output


@pytest.mark.parametrize(
    ("said", "exit_code", "ready"),
    [("ready", 0, True), ("paper_near_end", 0, True), ("paper_out", 1, False),
     ("cover_open", 1, False), ("mute", 1, False)],
)  # fmt: skip
def test_printer_status_is_json_and_exits_non_zero_unless_ready(
    tmp_path: Path, said: str, exit_code: int, ready: bool
) -> None:
    import json

    from tests.support.fake_printer import FakePrinter

    with FakePrinter() as printer:
        printer.state = said
        result = CliRunner().invoke(
            main, ["--instance", str(tmp_path), "printer", "status", "--printer", printer.url]
        )
    assert result.exit_code == exit_code, result.output
    body = json.loads(result.output)
    assert body["ready"] is ready and body["printer"] == printer.url
    # a printer that should confirm slips (the default) yet answers nothing is not answering
    assert body["state"] == ("not_answering" if said == "mute" else said)


def test_printer_commands_refuse_a_bad_url(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--instance", str(tmp_path), "printer", "status", "--printer", "lpt1"]
    )
    assert result.exit_code == 1 and "lpt1" in result.output
