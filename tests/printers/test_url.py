"""Printer URLs, their options, and the driver registry."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from printers import (
    DummyPrinter,
    PrinterConfigError,
    PrinterProfile,
    PrinterURL,
    TcpPrinter,
    open_receipt_printer,
    parse_printer_url,
    registered_schemes,
)
from printers import registry as registry_module
from tests.support.fake_printer import FakePrinter


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("ftp://x", "ftp://x"),
        ("tcp://", "tcp://"),
        ("tcp://h:99999", "99999"),
        ("tcp://h:0", "tcp://h:0"),
        ("tcp://h:port", "port"),
        ("tcp://:9100", "tcp://:9100"),
        ("tcp://h:9100/queue", "/queue"),
        ("tcp://h:9100?paper=70", "paper=70"),
        ("tcp://h:9100?paper=", "paper="),
        ("tcp://h?chinese=maybe", "chinese=maybe"),
        ("tcp://h?qr=svg", "qr=svg"),
        ("tcp://h?colour=red", "colour"),
        ("dummy://?paper=70", "paper=70"),
        ("10.0.0.5:9100", "10.0.0.5:9100"),
        ("", "unknown scheme"),
    ],
)
def test_bad_urls_name_the_value(url: str, named: str) -> None:
    with pytest.raises(PrinterConfigError) as raised:
        parse_printer_url(url)
    assert named in str(raised.value)


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(
        PrinterConfigError,
        match=r"known: cups://, dummy://, file://, serial://, tcp://, usb://, virtual://",
    ):
        parse_printer_url("lpd://printer")


def test_tcp_url_with_paper_option() -> None:
    url = parse_printer_url("tcp://10.0.0.5:9100?paper=58")
    assert url == PrinterURL("tcp", host="10.0.0.5", port=9100, options={"paper": "58"})
    assert url.profile == PrinterProfile(paper_mm=58, chars=32, dots=384)
    assert str(url) == "tcp://10.0.0.5:9100"


def test_defaults_port_9100_and_80mm() -> None:
    url = parse_printer_url("TCP://Printer.Lobby.local")
    assert (url.scheme, url.host, url.port) == ("tcp", "printer.lobby.local", 9100)
    assert url.profile == PrinterProfile(80, 48, 576, chinese_mode=True, native_qr=True)


def test_all_options() -> None:
    url = parse_printer_url("tcp://h:9101?Paper=58mm&chinese=off&qr=IMAGE")
    assert url.port == 9101
    assert url.profile == PrinterProfile(58, 32, 384, chinese_mode=False, native_qr=False)


@pytest.mark.parametrize(("value", "expected"), [("on", True), ("1", True), ("no", False)])
def test_chinese_option_values(value: str, expected: bool) -> None:
    assert parse_printer_url(f"tcp://h?chinese={value}").profile.chinese_mode is expected


def test_ipv6_host() -> None:
    url = parse_printer_url("tcp://[::1]:9100")
    assert url.host == "::1"
    assert str(url) == "tcp://[::1]:9100"


def test_dummy_url() -> None:
    assert parse_printer_url("dummy://") == PrinterURL("dummy")
    assert parse_printer_url("dummy://?paper=58").profile.chars == 32


def test_registered_schemes() -> None:
    assert registered_schemes() == ("cups", "dummy", "file", "serial", "tcp", "usb", "virtual")


def test_open_returns_the_driver_without_connecting(
    fake_printer: Callable[..., FakePrinter],
) -> None:
    fake = fake_printer()
    printer = open_receipt_printer(fake.url + "?paper=58", timeout=1.5)
    assert isinstance(printer, TcpPrinter)
    assert (printer.host, printer.port, printer.timeout) == ("127.0.0.1", fake.port, 1.5)
    assert printer.profile.chars == 32
    assert fake.connections == 0
    assert isinstance(open_receipt_printer("dummy://"), DummyPrinter)


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_open_rejects_a_useless_timeout(timeout: float) -> None:
    with pytest.raises(PrinterConfigError, match="timeout"):
        open_receipt_printer("dummy://", timeout=timeout)


def test_parse_consults_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "_DRIVERS", dict(registry_module._DRIVERS))

    @registry_module.register_driver("lpd")
    class LpdPrinter(DummyPrinter):
        pass

    assert parse_printer_url("lpd://") == PrinterURL("lpd")
    assert isinstance(open_receipt_printer("lpd://"), LpdPrinter)
    with pytest.raises(RuntimeError, match="already registered"):
        registry_module.register_driver("lpd")(DummyPrinter)
    with pytest.raises(PrinterConfigError, match="names no host or path"):
        parse_printer_url("lpd://host/queue")


def test_printers_never_imports_flask_or_kiosk() -> None:
    code = (
        "import sys, logging, socket, printers; "
        "printers.open_receipt_printer('dummy://').print_receipt(printers.Receipt()); "
        # a tcp:// job too: python-escpos's Network.close() would call logging.basicConfig()
        "s = socket.create_server(('127.0.0.1', 0)); "
        "url = f'tcp://127.0.0.1:{s.getsockname()[1]}?confirm=none'; "
        "printers.open_receipt_printer(url, timeout=0.1).print_receipt(printers.Receipt()); "
        "s.close(); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'kiosk')); "
        "assert not bad, bad; "
        # python-escpos's import-time logging.basicConfig() is undone
        "assert logging.getLogger().handlers == [], logging.getLogger().handlers"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_importing_the_drivers_leaves_no_folder_in_tmp(tmp_path: Path) -> None:
    """python-escpos makes a temp folder per process unless it is told where to cache."""
    import os
    import subprocess
    import sys

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env |= {"TMPDIR": str(scratch), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", "import printers"], env=env, check=True, timeout=60)
    assert list(scratch.iterdir()) == []
    cached = sorted(p.name for p in (tmp_path / "cache" / "lobby-kiosk" / "escpos").iterdir())
    assert len(cached) == 2 and cached[0].endswith("capabilities.pickle"), cached
    assert cached[1] == "import.lock"


def test_processes_starting_together_never_read_a_half_written_cache(tmp_path: Path) -> None:
    """python-escpos writes its profile cache in place; the first processes to start (a kiosk
    and its commands, test workers) must not read it half-written."""
    import os
    import subprocess
    import sys

    for attempt in range(3):
        env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
        env["XDG_CACHE_HOME"] = str(tmp_path / f"cache-{attempt}")  # empty: all must write it
        started = [
            subprocess.Popen(
                [sys.executable, "-c", "import printers"], env=env, stderr=subprocess.PIPE
            )
            for _ in range(8)
        ]
        errors = [p.communicate(timeout=60)[1].decode() for p in started]
        failed = [error[-300:] for p, error in zip(started, errors, strict=True) if p.returncode]
        assert failed == []
