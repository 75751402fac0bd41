"""Licence printer URLs and the spool, dummy and CUPS drivers (CUPS end to end: test_cups.py)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers.base import PrinterConfigError, PrinterUnavailable
from printers.licence import (
    CupsLicencePrinter,
    DummyLicencePrinter,
    SpoolLicencePrinter,
    licence_schemes,
    open_licence_printer,
)
from printers.licence.registry import safe_job_name

PDF = b"%PDF-1.4\n% a licence\n%%EOF\n"


def test_the_schemes() -> None:
    assert set(licence_schemes()) >= {"cups", "spool", "dummy"}


@pytest.mark.parametrize(
    ("url", "queue", "server"),
    [
        ("cups://licence", "licence", None),
        ("cups://Kiosk_PDF-2", "Kiosk_PDF-2", None),
        ("cups://127.0.0.1:6310/kiosk-pdf", "kiosk-pdf", "127.0.0.1:6310"),
        ("cups://print.lan/licence", "licence", "print.lan:631"),
        ("cups://[::1]:631/licence", "licence", "[::1]:631"),
        ("  cups:///licence ", "licence", None),
    ],
)
def test_cups_urls(url: str, queue: str, server: str | None) -> None:
    printer = open_licence_printer(url)
    assert isinstance(printer, CupsLicencePrinter)
    assert (printer.queue, printer.server, printer.timeout) == (queue, server, 30.0)


def test_spool_and_dummy_urls(tmp_path: Path) -> None:
    spool = open_licence_printer(f"spool://{tmp_path}/out%20box")
    assert isinstance(spool, SpoolLicencePrinter)
    assert spool.folder == tmp_path / "out box"
    assert isinstance(open_licence_printer("dummy://?keep=3"), DummyLicencePrinter)


@pytest.mark.parametrize(
    "url",
    [
        "cups://",
        "cups://-d",
        "cups://two words",
        "cups://host:99999/licence",
        "cups://host/licence?copies=2",
        "cups://user@host/licence",
        "spool://relative/folder",
        "spool://host/abs",
        "spool:///abs?x=1",
        "dummy://somewhere",
        "dummy://?keep=0",
        "dummy://?colour=red",
        "lpr://licence",
        "/var/spool/licences",
    ],
)
def test_a_bad_url_is_a_config_error_naming_it(url: str) -> None:
    with pytest.raises(PrinterConfigError) as caught:
        open_licence_printer(url)
    assert repr(url.strip()) in str(caught.value)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_a_bad_timeout_is_a_config_error(timeout: float) -> None:
    with pytest.raises(PrinterConfigError, match="timeout"):
        open_licence_printer("dummy://", timeout=timeout)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("YZ-20261124-0007", "YZ-20261124-0007"),
        ("../../etc/passwd", "etc_passwd"),
        (".hidden", "hidden"),
        ("营业执照 长沙芙蓉/云智", "营业执照_长沙芙蓉_云智"),
        ("a\x00b\nc", "a_b_c"),
        ("", "licence"),
        ("///", "licence"),
        ("x" * 200, "x" * 80),
    ],
)
def test_job_names_are_safe_file_names(name: str, safe: str) -> None:
    assert safe_job_name(name) == safe


def test_spool_writes_the_exact_bytes_atomically(tmp_path: Path) -> None:
    folder = tmp_path / "spool" / "licences"
    printer = open_licence_printer(f"spool://{folder}")
    assert printer.status().ready
    printer.print_pdf(PDF, name="YZ/0007")
    assert [p.name for p in folder.iterdir()] == ["YZ_0007.pdf"]  # no .tmp left behind
    assert (folder / "YZ_0007.pdf").read_bytes() == PDF
    assert (folder / "YZ_0007.pdf").stat().st_mode & 0o777 == 0o644
    printer.print_pdf(PDF + b"retry", name="YZ/0007")  # a retried job replaces its file
    assert (folder / "YZ_0007.pdf").read_bytes() == PDF + b"retry"


def test_spool_refuses_bytes_that_are_not_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PDF"):
        open_licence_printer(f"spool://{tmp_path}").print_pdf(b"<html>", name="x")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write to (for root, who ignores permission bits: chattr +i)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    made = chattr and subprocess.run([chattr, "+i", str(folder)], capture_output=True, timeout=10)
    if not made or made.returncode != 0:
        pytest.skip("running as root and chattr +i is not available here")
    try:
        yield folder
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True, timeout=10)


def test_spool_to_a_read_only_folder_is_unavailable(read_only_folder: Path) -> None:
    printer = open_licence_printer(f"spool://{read_only_folder}")
    with pytest.raises(PrinterUnavailable, match=str(read_only_folder)) as caught:
        printer.print_pdf(PDF, name="licence")
    assert "ermitted" in str(caught.value) or "denied" in str(caught.value)
    assert list(read_only_folder.iterdir()) == []


def test_spool_on_a_full_disk_is_unavailable_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    printer = open_licence_printer(f"spool://{tmp_path}")
    with pytest.raises(PrinterUnavailable, match="No space left on device"):
        printer.print_pdf(PDF, name="licence")
    assert list(tmp_path.iterdir()) == []


def test_spool_where_a_file_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    printer = open_licence_printer(f"spool://{tmp_path}/file/licences")
    assert printer.status().state == "offline"
    with pytest.raises(PrinterUnavailable, match="Not a directory"):
        printer.print_pdf(PDF, name="licence")


def test_dummy_keeps_the_last_jobs() -> None:
    printer = open_licence_printer("dummy://?keep=2")
    assert isinstance(printer, DummyLicencePrinter)
    for number in range(3):
        printer.print_pdf(PDF + str(number).encode(), name=f"job {number}")
    assert [name for name, _ in printer.jobs] == ["job_1", "job_2"]
    assert printer.last_pdf == PDF + b"2"


def test_dummy_can_be_made_to_refuse() -> None:
    printer = DummyLicencePrinter()
    printer.offline = "paper jam"
    assert printer.status().state == "offline"
    assert not printer.status().ready
    with pytest.raises(PrinterUnavailable, match="paper jam"):
        printer.print_pdf(PDF, name="x")
    assert printer.jobs == []


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (1: privileged and never used)."""
    return 1


def test_cups_without_a_server_is_unavailable(closed_port: int) -> None:
    if shutil.which("lp") is None:
        pytest.skip("lp is not installed (Debian package cups-client)")
    printer = open_licence_printer(f"cups://127.0.0.1:{closed_port}/licence", timeout=5)
    with pytest.raises(PrinterUnavailable, match=r"CUPS queue licence: .*lp"):
        printer.print_pdf(PDF, name="x")
    status = printer.status()
    assert status.state == "offline" and status.detail


def test_cups_without_lp_installed_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    printer = open_licence_printer("cups://licence")
    with pytest.raises(PrinterUnavailable, match="cups-client"):
        printer.print_pdf(PDF, name="x")
    assert printer.status().state == "offline"


def test_cups_timeout_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "lp"
    slow.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 5\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    printer = open_licence_printer("cups://licence", timeout=0.3)
    with pytest.raises(PrinterUnavailable, match=r"lp timed out after 0.3 s"):
        printer.print_pdf(PDF, name="x")
