"""file:// appends each job's exact bytes to a device node or file, with a timeout."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from printers import (
    DEFAULT_PROFILE,
    FilePrinter,
    PrinterState,
    PrinterUnavailable,
    encode_receipt,
    open_receipt_printer,
)
from tests.printers.conftest import sample_receipt
from tests.support.escpos_decoder import decode


def open_file(path: Path | str, timeout: float = 2.0) -> FilePrinter:
    printer = open_receipt_printer(f"file://{path}", timeout=timeout)
    assert isinstance(printer, FilePrinter)
    return printer


def test_writes_the_exact_bytes_and_appends(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    printer = open_file(target)
    printer.print_receipt(sample_receipt("SQ-1"))
    printer.print_receipt(sample_receipt("SQ-2"), reprint=True)
    first = encode_receipt(sample_receipt("SQ-1"), profile=DEFAULT_PROFILE)
    second = encode_receipt(sample_receipt("SQ-2"), profile=DEFAULT_PROFILE, reprint=True)
    assert target.read_bytes() == first + second
    assert decode(first).lines[2].text == "诉求编号 SQ-1"


def test_status_is_unknown_when_writable_and_offline_otherwise(tmp_path: Path) -> None:
    assert open_file(tmp_path / "new.bin").status().state is PrinterState.UNKNOWN
    missing = open_file(tmp_path / "no" / "such" / "file").status()
    assert missing.state is PrinterState.OFFLINE and missing.detail.endswith("not found")
    assert open_file("/dev/usb/lp9").status().state is PrinterState.OFFLINE


def test_a_read_only_file_is_offline(tmp_path: Path) -> None:
    read_only = tmp_path / "ro"
    read_only.write_bytes(b"")
    read_only.chmod(0o444)
    if os.access(read_only, os.W_OK):
        pytest.skip("running as root, who may write to read-only files")
    assert open_file(read_only).status().detail.endswith("not writable")


def test_a_missing_device_is_never_created(tmp_path: Path) -> None:
    printer = open_file("/dev/usb/lp9-kiosk-test")
    with pytest.raises(PrinterUnavailable, match=r"not found \(printer unplugged"):
        printer.print_receipt(sample_receipt())
    assert not Path("/dev/usb/lp9-kiosk-test").exists()
    with pytest.raises(PrinterUnavailable, match="not found"):
        open_file(tmp_path / "no-folder" / "lp0").print_receipt(sample_receipt())


def test_a_device_that_stops_taking_data_times_out(tmp_path: Path) -> None:
    fifo = tmp_path / "printer"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # opened, never read: a full buffer
    try:
        printer = open_file(fifo, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(PrinterUnavailable) as raised:
            printer.send(b"x" * 1_000_000)  # more than a pipe holds (64 kB)
        assert 0.25 < time.monotonic() - started < 1.5
        assert (
            str(raised.value) == f"printer file {fifo} stopped taking data: timed out after 0.3 s"
        )
    finally:
        os.close(reader)


def test_jobs_on_one_path_do_not_interleave(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    printer = open_file(target)
    jobs = [bytes([65 + n]) * 200_000 for n in range(4)]
    threads = [threading.Thread(target=printer.send, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    data = target.read_bytes()
    assert sorted(data[i * 200_000 : (i + 1) * 200_000] for i in range(4)) == jobs
