"""The tcp:// driver against the fake network printer in tests/support."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from printers import (
    Confirmation,
    PrinterState,
    PrinterUnavailable,
    Receipt,
    TcpPrinter,
    Text,
    open_receipt_printer,
)
from tests.printers.conftest import TRACK_URL, sample_receipt
from tests.support.escpos_decoder import Init, RasterImage, decode
from tests.support.fake_printer import FakePrinter

Start = Callable[..., FakePrinter]
# More than the loopback socket buffers hold (a few MB), so a printer that stops reading
# makes the send block until the timeout.
BIG = Receipt((Text("x" * 12_000_000),))


def expect_unavailable(url: str, timeout: float, receipt: Receipt) -> None:
    """Print in a background thread; a failed assertion there fails the test (via pytest)."""
    with pytest.raises(PrinterUnavailable):
        open_receipt_printer(url, timeout=timeout).print_receipt(receipt)


def test_chinese_receipt_reaches_the_printer(fake_printer: Start) -> None:
    fake = fake_printer()
    open_receipt_printer(fake.url, timeout=2).print_receipt(sample_receipt())
    (job,) = fake.wait_for_jobs(1)
    slip = decode(job)
    assert "诉求编号 SQ-20261124-0042" in slip.text.splitlines()
    assert "类别：政策兑现" in slip.text.splitlines()
    assert slip.qr_payloads == [TRACK_URL]
    assert len(slip.cuts) == 1
    assert slip.drawer_kicks == []
    assert fake.connections == 1


def test_58mm_printer_gets_32_column_rules(fake_printer: Start) -> None:
    fake = fake_printer()
    open_receipt_printer(fake.url + "?paper=58", timeout=2).print_receipt(sample_receipt())
    (job,) = fake.wait_for_jobs(1)
    assert "-" * 32 in decode(job).text.splitlines()
    assert "-" * 33 not in decode(job).text


def test_reprint_over_the_network(fake_printer: Start) -> None:
    fake = fake_printer()
    open_receipt_printer(fake.url, timeout=2).print_receipt(sample_receipt(), reprint=True)
    (job,) = fake.wait_for_jobs(1)
    assert decode(job).lines[0].text == "补打 / REPRINT"


def test_one_connection_per_job(fake_printer: Start) -> None:
    fake = fake_printer()
    printer = open_receipt_printer(fake.url, timeout=2)
    for number in ("A-1", "A-2", "A-3"):
        printer.print_receipt(sample_receipt(number))
    jobs = fake.wait_for_jobs(3)
    assert fake.connections == 3
    numbers = [decode(job).lines[2].text for job in jobs]
    assert numbers == ["诉求编号 A-1", "诉求编号 A-2", "诉求编号 A-3"]


def test_refused_connection_fails_fast(fake_printer: Start) -> None:
    fake = fake_printer("refuse")
    printer = open_receipt_printer(fake.url, timeout=5)
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_receipt(sample_receipt())
    assert time.monotonic() - started < 0.5
    assert str(raised.value) == f"printer 127.0.0.1:{fake.port} refused the connection"


@pytest.mark.parametrize("mode", ["silent", "stalled"])
def test_printer_that_stops_reading_times_out(fake_printer: Start, mode: str) -> None:
    fake = fake_printer(mode)
    # set up as a printer that does not confirm, so the status silence is not "hung"
    printer = open_receipt_printer(fake.url + "?confirm=none", timeout=0.25)
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_receipt(BIG)
    elapsed = time.monotonic() - started
    # no answer to the status request (one wait), then the slip's own timeout
    assert 0.45 < elapsed < 0.5 + 2.0
    assert str(raised.value) == (
        f"printer 127.0.0.1:{fake.port} stopped taking data: timed out after 0.25 s"
    )
    assert fake.connections == 1


def test_a_small_job_fits_a_silent_printers_buffer(fake_printer: Start) -> None:
    # Worth knowing: without a confirmation, a printer that takes the bytes into its
    # buffer (or the kernel's) but never prints looks like success: "sent, not confirmed".
    fake = fake_printer("silent")
    url = fake.url + "?confirm=none"
    delivery = open_receipt_printer(url, timeout=0.2).print_receipt(sample_receipt())
    assert delivery.confirmation is Confirmation.NONE
    assert fake.wait_for_connections(1) == 1
    # A printer that confirms is not taken in: its silence makes it "not answering".
    with pytest.raises(PrinterUnavailable) as raised:
        open_receipt_printer(fake.url, timeout=0.2).print_receipt(sample_receipt())
    assert raised.value.state is PrinterState.NOT_ANSWERING


def test_jobs_on_one_printer_never_interleave(fake_printer: Start) -> None:
    fake = fake_printer(read_delay=0.002)
    printer = open_receipt_printer(fake.url, timeout=5)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        barrier.wait()
        try:
            for index in range(3):
                printer.print_receipt(sample_receipt(f"{name}-{index}"))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in "ABCD"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    jobs = fake.wait_for_jobs(12)
    seen = set()
    for job in jobs:
        slip = decode(job)  # a mixed-up job would not even decode
        assert len(slip.of_type(Init)) == 1
        assert len(slip.cuts) == 1
        assert slip.commands[-1] == slip.cuts[0]
        seen.add(slip.lines[2].text)
    assert seen == {f"诉求编号 {name}-{index}" for name in "ABCD" for index in range(3)}


def test_second_job_waits_for_the_first_on_the_same_printer(fake_printer: Start) -> None:
    fake = fake_printer("stalled")
    url = fake.url + "?confirm=none"  # a printer that cannot confirm: only the write times out
    first = open_receipt_printer(url, timeout=0.25)  # about 0.5 s: status, then data
    second = open_receipt_printer(url, timeout=0.8)
    results: dict[str, BaseException | None] = {}

    def run(name: str, printer: object, receipt: Receipt) -> None:
        assert isinstance(printer, TcpPrinter)
        try:
            printer.print_receipt(receipt)
            results[name] = None
        except PrinterUnavailable as exc:
            results[name] = exc

    one = threading.Thread(target=run, args=("first", first, BIG))
    one.start()
    fake.wait_for_connections(1)
    two = threading.Thread(target=run, args=("second", second, sample_receipt()))
    two.start()
    time.sleep(0.2)
    assert fake.connections == 1  # the second job waits for the lock, not on the wire
    one.join(5)
    two.join(5)
    assert isinstance(results["first"], PrinterUnavailable)
    assert results["second"] is None  # a small job fits in the buffers once it gets its turn
    assert fake.wait_for_connections(2) == 2


def test_a_stuck_printer_does_not_block_another_printer(fake_printer: Start) -> None:
    stuck = fake_printer("stalled")
    other = fake_printer()
    url = stuck.url + "?confirm=none"
    blocked = threading.Thread(target=expect_unavailable, args=(url, 0.25, BIG))
    blocked.start()
    stuck.wait_for_connections(1)
    started = time.monotonic()
    open_receipt_printer(other.url, timeout=1).print_receipt(sample_receipt())
    assert time.monotonic() - started < 0.5
    blocked.join(5)


def test_waiting_longer_than_the_timeout_for_a_busy_printer(fake_printer: Start) -> None:
    fake = fake_printer("stalled")
    url = fake.url + "?confirm=none"
    holder = threading.Thread(target=expect_unavailable, args=(url, 0.25, BIG))
    holder.start()
    fake.wait_for_connections(1)
    with pytest.raises(PrinterUnavailable, match=r"busy: another print job held it for more"):
        open_receipt_printer(url, timeout=0.1).print_receipt(sample_receipt())
    holder.join(5)
    assert fake.connections == 1


def test_unreachable_messages_are_short() -> None:
    printer = TcpPrinter(open_receipt_printer("tcp://127.0.0.1:9").url, timeout=1)
    assert printer.address == "127.0.0.1:9"
    message = str(printer._unavailable(OSError(113, "No route to host")))
    assert message == "printer 127.0.0.1:9 unreachable: No route to host"
    assert str(printer._unavailable(BrokenPipeError(32, "Broken pipe"))) == (
        "printer 127.0.0.1:9 dropped the connection"
    )


def test_a_rare_name_reaches_the_printer_as_an_image(fake_printer: Start) -> None:
    fake = fake_printer()
    receipt = Receipt((Text("申请人：𠮷田"), Text("诉求编号 SQ-1")))
    open_receipt_printer(fake.url + "?paper=58", timeout=2).print_receipt(receipt)
    slip = decode(fake.wait_for_jobs(1)[0])
    (image,) = slip.of_type(RasterImage)
    assert (image.width, image.height) == (384, 30)
    assert slip.lines[0].text == "诉求编号 SQ-1"
