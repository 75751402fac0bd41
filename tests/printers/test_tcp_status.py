"""Status over tcp://: the fake printer answers DLE EOT as a configured state."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from printers import PrinterState, PrinterUnavailable, TcpPrinter, open_receipt_printer
from printers.locks import device_lock
from tests.printers.conftest import sample_receipt
from tests.support.escpos_decoder import StatusRequest, decode
from tests.support.fake_printer import FakePrinter

Start = Callable[..., FakePrinter]


def tcp(url: str, timeout: float = 2.0) -> TcpPrinter:
    printer = open_receipt_printer(url, timeout=timeout)
    assert isinstance(printer, TcpPrinter)
    return printer


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("ready", PrinterState.READY),
        ("paper_near_end", PrinterState.PAPER_NEAR_END),
        ("paper_out", PrinterState.PAPER_OUT),
        ("cover_open", PrinterState.COVER_OPEN),
        ("offline", PrinterState.OFFLINE),
    ],
)
def test_status_reports_what_the_printer_says(
    fake_printer: Start, state: str, expected: PrinterState
) -> None:
    fake = fake_printer(state=state)
    printer = tcp(fake.url)
    status = printer.status()
    assert status.state is expected
    assert printer.last_status == status
    (connection,) = fake.wait_for_closed(1)
    assert connection.print_bytes == b""  # asking prints nothing
    assert connection.queries == [1, 2, 4]
    assert fake.jobs == []


@pytest.mark.parametrize("state", ["paper_out", "cover_open", "offline"])
def test_slip_is_not_sent_to_a_printer_that_is_down(fake_printer: Start, state: str) -> None:
    fake = fake_printer(state=state)
    with pytest.raises(PrinterUnavailable) as raised:
        tcp(fake.url).print_receipt(sample_receipt())
    assert raised.value.state == state
    assert "the slip was not sent" in str(raised.value)
    (connection,) = fake.wait_for_closed(1)
    assert connection.queries == [1, 2, 4]
    assert connection.print_bytes == b""  # not one byte of the slip
    assert fake.jobs == []


def test_paper_near_end_still_prints_and_says_so(fake_printer: Start) -> None:
    fake = fake_printer(state="paper_near_end")
    printer = tcp(fake.url)
    printer.print_receipt(sample_receipt())
    (job,) = fake.wait_for_jobs(1)
    assert decode(job).of_type(StatusRequest) == []  # the queries are not part of the job
    assert fake.history[0].queries == [1, 2, 4]
    assert printer.last_status.state is PrinterState.PAPER_NEAR_END


def test_a_mute_printer_is_unknown_and_still_prints(fake_printer: Start) -> None:
    fake = fake_printer(state="mute", model="basic")
    printer = tcp(fake.url + "?confirm=none", timeout=0.15)  # a printer set up as one that
    # never answers anything
    started = time.monotonic()
    status = printer.status()
    assert time.monotonic() - started < 0.15 + 0.5  # one wait of min(timeout, 1 s)
    assert status.state is PrinterState.UNKNOWN
    assert status.detail == "no answer to DLE EOT 1"
    printer.print_receipt(sample_receipt())
    (job,) = fake.wait_for_jobs(1)
    assert "类别：政策兑现" in decode(job).text
    assert printer.last_status.state is PrinterState.UNKNOWN
    assert [c.queries for c in fake.wait_for_closed(2)] == [[1], [1]]


def test_garbage_answers_are_unknown_and_the_slip_prints(fake_printer: Start) -> None:
    fake = fake_printer()
    fake.answers = {1: b"\xff"}
    printer = tcp(fake.url)
    printer.print_receipt(sample_receipt())
    assert printer.last_status.detail == "unexpected answer 0xFF to DLE EOT 1"
    assert len(fake.wait_for_jobs(1)) == 1


def test_paper_out_mid_queue(fake_printer: Start) -> None:
    fake = fake_printer()
    printer = tcp(fake.url)
    printer.print_receipt(sample_receipt("SQ-1"))
    fake.state = "paper_out"  # the roll ran out after the first slip
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_receipt(sample_receipt("SQ-2"))
    assert raised.value.state is PrinterState.PAPER_OUT
    assert printer.status().state is PrinterState.PAPER_OUT
    fake.state = "ready"  # staff loaded paper
    printer.print_receipt(sample_receipt("SQ-2"))
    jobs = fake.wait_for_jobs(2)
    assert [decode(job).lines[2].text for job in jobs] == ["诉求编号 SQ-1", "诉求编号 SQ-2"]
    assert len(fake.wait_for_closed(4)) == 4  # two slips, one refusal, one status check


def test_connection_refused_is_offline_for_status_and_has_no_state(fake_printer: Start) -> None:
    fake = fake_printer("refuse")
    printer = tcp(fake.url, timeout=5)
    started = time.monotonic()
    status = printer.status()
    assert time.monotonic() - started < 0.5
    assert status.state is PrinterState.OFFLINE
    assert status.detail == f"printer 127.0.0.1:{fake.port} refused the connection"
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_receipt(sample_receipt())
    assert raised.value.state is None  # unreachable: the printer said nothing


def test_status_never_raises(fake_printer: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    printer = tcp(fake_printer().url)

    def broken(*args: object, **kwargs: object) -> socket.socket:
        raise RuntimeError("driver bug")

    monkeypatch.setattr(socket, "create_connection", broken)
    status = printer.status()
    assert status.state is PrinterState.UNKNOWN
    assert status.detail == "status query failed: RuntimeError: driver bug"


def test_status_while_a_job_holds_the_printer_too_long_is_unknown(fake_printer: Start) -> None:
    fake = fake_printer()
    printer = tcp(fake.url, timeout=0.1)
    with device_lock("tcp", printer.address):  # a job in another thread
        status = printer.status()
    assert status.state is PrinterState.UNKNOWN
    assert status.detail.endswith("is busy: another print job held it for more than 0.1 s")
    assert fake.connections == 0


def test_a_confirming_printer_that_answers_nothing_is_not_answering(fake_printer: Start) -> None:
    fake = fake_printer()
    fake.hang()  # takes the connection, reads nothing, answers nothing
    printer = tcp(fake.url, timeout=0.3)
    assert printer.status().state is PrinterState.NOT_ANSWERING
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_receipt(sample_receipt())
    assert raised.value.state is PrinterState.NOT_ANSWERING and not raised.value.partial
    fake.power_cycle()
    assert fake.out() == []  # nothing was sent to it
