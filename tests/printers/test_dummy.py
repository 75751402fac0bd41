"""The dummy:// driver keeps recent jobs for inspection and never fails."""

from __future__ import annotations

import threading

import pytest

from printers import (
    DummyPrinter,
    PrinterState,
    PrinterUnavailable,
    Receipt,
    Text,
    open_receipt_printer,
)
from tests.printers.conftest import sample_receipt
from tests.support.escpos_decoder import decode


def open_dummy(url: str = "dummy://") -> DummyPrinter:
    printer = open_receipt_printer(url)
    assert isinstance(printer, DummyPrinter)
    return printer


def test_keeps_the_bytes_it_was_sent() -> None:
    printer = open_dummy()
    assert printer.jobs == []
    printer.print_receipt(sample_receipt(), reprint=True)
    assert printer.last_job is not None
    slip = decode(printer.last_job)
    assert slip.lines[0].text == "补打 / REPRINT"
    assert "类别：政策兑现" in slip.text
    assert len(slip.cuts) == 1


def test_keeps_only_the_last_fifty() -> None:
    printer = open_dummy()
    for number in range(55):
        printer.print_receipt(Receipt((Text(f"job {number}"),)))
    jobs = printer.jobs
    assert len(jobs) == 50
    assert decode(jobs[0]).lines[0].text == "job 5"
    assert decode(jobs[-1]).lines[0].text == "job 54"
    printer.clear()
    assert printer.jobs == []


def test_paper_option_applies() -> None:
    printer = open_dummy("dummy://?paper=58")
    printer.print_receipt(sample_receipt())
    assert printer.last_job is not None
    assert "-" * 32 in decode(printer.last_job).text.splitlines()


def test_concurrent_prints_are_all_kept() -> None:
    printer = DummyPrinter(open_dummy().url, max_jobs=1000)

    def run() -> None:
        for _ in range(50):
            printer.print_receipt(sample_receipt())
            assert printer.jobs

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(printer.jobs) == 200


def test_state_from_the_url_refuses_like_a_real_printer() -> None:
    printer = open_dummy("dummy://?state=paper_out")
    assert printer.status().state is PrinterState.PAPER_OUT
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_receipt(sample_receipt())
    assert raised.value.state is PrinterState.PAPER_OUT
    assert printer.jobs == []
    printer.state = PrinterState.PAPER_NEAR_END  # staff loaded a nearly empty roll
    printer.print_receipt(sample_receipt())
    assert len(printer.jobs) == 1
    assert printer.last_status.can_print


def test_ready_by_default_and_unknown_still_prints() -> None:
    assert open_dummy().status().state is PrinterState.READY
    printer = open_dummy("dummy://?state=unknown")
    printer.print_receipt(sample_receipt())
    assert len(printer.jobs) == 1
