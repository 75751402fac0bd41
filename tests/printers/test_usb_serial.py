"""usb:// and serial:// without hardware: python-escpos's Usb and Serial replaced by fakes.

The fakes stand in for python-escpos's classes and the pyusb/pyserial objects they hold in
`.device`; they answer DLE EOT like the fake network printer does (its ANSWERS table).
"""

from __future__ import annotations

import errno
from collections import deque
from typing import Any

import pytest
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import serial as escpos_serial
from escpos.printer import usb as escpos_usb

import printers.serial
import printers.usb
from printers import (
    DEFAULT_PROFILE,
    PrinterConfigError,
    PrinterState,
    PrinterUnavailable,
    SerialPrinter,
    UsbPrinter,
    encode_receipt,
    open_receipt_printer,
)
from tests.printers.conftest import sample_receipt
from tests.support.fake_printer import ANSWERS


class SerialTimeoutException(OSError):
    """Named like pyserial's, which the driver recognises by name."""


class Wire:
    """The printer at the end of the cable: takes bytes, answers status requests."""

    def __init__(self) -> None:
        self.state = "ready"
        self.present = True
        self.stalled = False
        self.written = bytearray()
        self.queries: list[int] = []
        self.answers: deque[int] = deque()
        self.opened: list[dict[str, Any]] = []
        self.closed = 0
        self.flushed = 0

    def take(self, data: bytes) -> None:
        if self.stalled:
            raise OSError(errno.ETIMEDOUT, "Operation timed out")
        if len(data) == 3 and data[:2] == b"\x10\x04":
            self.queries.append(data[2])
            self.answers.extend(ANSWERS[self.state].get(data[2], b""))
        else:
            self.written += data

    def answer(self) -> int | None:
        return self.answers.popleft() if self.answers else None


class FakeUsbDevice:
    def __init__(self, wire: Wire) -> None:
        self.wire = wire

    def write(self, endpoint: int, data: bytes, timeout_ms: int) -> int:
        assert endpoint == 0x01 and timeout_ms > 0
        self.wire.take(bytes(data))
        return len(data)

    def read(self, endpoint: int, size: int, timeout_ms: int) -> list[int]:
        assert endpoint == 0x82 and size >= 1 and timeout_ms > 0
        value = self.wire.answer()
        if value is None:
            raise OSError(errno.ETIMEDOUT, "Operation timed out")
        return [value]


class FakePort:
    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.timeout: float | None = None
        self.write_timeout: float | None = None
        self.out_waiting = 0

    def write(self, data: bytes) -> int:
        assert self.write_timeout is not None and self.write_timeout > 0
        try:
            self.wire.take(bytes(data))
        except OSError:
            raise SerialTimeoutException("Write timeout") from None
        return len(data)

    def read(self, size: int) -> bytes:
        value = self.wire.answer()
        return b"" if value is None else bytes([value])

    def reset_output_buffer(self) -> None:
        self.wire.flushed += 1

    def close(self) -> None:
        self.wire.closed += 1


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    """A printer behind fake python-escpos Usb and Serial classes (deps look installed)."""
    cable = Wire()

    class FakeEscpos:
        def __init__(self, **kwargs: Any) -> None:
            self.kwargs = kwargs
            self.device: Any = None

        def open(self) -> None:
            if not cable.present:
                raise DeviceNotFoundError("Unable to open printer:\nNo such file or directory")
            cable.opened.append(self.kwargs)
            self.device = FakeUsbDevice(cable) if "idVendor" in self.kwargs else FakePort(cable)

        def close(self) -> None:
            cable.closed += 1

    monkeypatch.setattr(escpos_usb, "is_usable", lambda: True)
    monkeypatch.setattr(escpos_serial, "is_usable", lambda: True)
    monkeypatch.setattr(printers.usb, "escpos_usb_class", lambda: FakeEscpos)
    monkeypatch.setattr(printers.serial, "escpos_serial_class", lambda: FakeEscpos)
    return cable


# The fake wire answers DLE EOT but not the confirmation requests: these printers are set up
# as ones that cannot confirm (the confirmations are tested over tcp:// against the fake).
def usb(url: str = "usb://0x0416:0x5011?confirm=none", timeout: float = 2.0) -> UsbPrinter:
    printer = open_receipt_printer(url, timeout=timeout)
    assert isinstance(printer, UsbPrinter)
    return printer


def serial(url: str = "serial:///dev/ttyUSB0?baudrate=19200&confirm=none") -> SerialPrinter:
    printer = open_receipt_printer(url, timeout=2)
    assert isinstance(printer, SerialPrinter)
    return printer


def test_usb_without_pyusb_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(escpos_usb, "is_usable", lambda: False)
    with pytest.raises(PrinterConfigError, match=r"need pyusb: pip install pyusb"):
        open_receipt_printer("usb://0416:5011")


def test_serial_without_pyserial_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(escpos_serial, "is_usable", lambda: False)
    with pytest.raises(PrinterConfigError, match=r"need pyserial: pip install pyserial"):
        open_receipt_printer("serial:///dev/ttyUSB0")


@pytest.mark.skipif(escpos_usb.is_usable(), reason="pyusb is installed here")
def test_this_machine_has_no_pyusb_and_says_so() -> None:
    with pytest.raises(PrinterConfigError, match="pyusb"):
        open_receipt_printer("usb://0416:5011")


def test_usb_asks_then_prints_and_closes(wire: Wire) -> None:
    printer = usb()
    printer.print_receipt(sample_receipt())
    assert bytes(wire.written) == encode_receipt(sample_receipt(), profile=DEFAULT_PROFILE)
    assert wire.queries == [1, 2, 4]
    assert wire.opened == [
        {"idVendor": 0x0416, "idProduct": 0x5011, "timeout": 2000, "in_ep": 0x82, "out_ep": 0x01}
    ]
    assert wire.closed == 1
    assert printer.last_status.state is PrinterState.READY


def test_usb_paper_out_is_refused_without_sending(wire: Wire) -> None:
    wire.state = "paper_out"
    with pytest.raises(PrinterUnavailable) as raised:
        usb().print_receipt(sample_receipt())
    assert raised.value.state is PrinterState.PAPER_OUT
    assert wire.written == b"" and wire.closed == 1


def test_usb_mute_printer_is_unknown_and_prints(wire: Wire) -> None:
    wire.state = "mute"
    printer = usb(timeout=0.2)
    assert printer.status().state is PrinterState.UNKNOWN
    printer.print_receipt(sample_receipt())
    assert wire.written


def test_usb_unplugged(wire: Wire) -> None:
    wire.present = False
    printer = usb()
    status = printer.status()
    assert status.state is PrinterState.OFFLINE
    assert status.detail.startswith("USB printer 0416:5011 not found: unplugged")
    with pytest.raises(PrinterUnavailable, match="not found"):
        printer.print_receipt(sample_receipt())


def test_usb_printer_that_stops_taking_data(wire: Wire) -> None:
    printer = usb()
    assert printer.status().state is PrinterState.READY
    wire.stalled = True
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_receipt(sample_receipt())
    assert str(raised.value) == "USB printer 0416:5011 stopped taking data: timed out after 2 s"
    assert wire.closed == 2


def test_serial_asks_then_prints(wire: Wire) -> None:
    printer = serial()
    printer.print_receipt(sample_receipt(), reprint=True)
    expected = encode_receipt(sample_receipt(), profile=DEFAULT_PROFILE, reprint=True)
    assert bytes(wire.written) == expected
    assert wire.queries == [1, 2, 4]
    (opened,) = wire.opened
    assert (opened["devfile"], opened["baudrate"]) == ("/dev/ttyUSB0", 19200)
    assert wire.closed == 1 and wire.flushed == 0


def test_serial_cover_open_is_refused(wire: Wire) -> None:
    wire.state = "cover_open"
    with pytest.raises(PrinterUnavailable) as raised:
        serial().print_receipt(sample_receipt())
    assert raised.value.state is PrinterState.COVER_OPEN
    assert wire.written == b""


def test_serial_write_timeout_drops_what_is_left(wire: Wire) -> None:
    printer = serial()
    printer.status()
    wire.stalled = True
    with pytest.raises(PrinterUnavailable, match=r"/dev/ttyUSB0 stopped taking data: timed out"):
        printer.print_receipt(sample_receipt())
    assert wire.flushed == 1  # the kernel's buffer is emptied, not drained later


def test_serial_port_that_cannot_be_opened(wire: Wire) -> None:
    wire.present = False
    with pytest.raises(PrinterUnavailable) as raised:
        serial().print_receipt(sample_receipt())
    assert str(raised.value) == (
        "serial printer /dev/ttyUSB0 could not be opened: No such file or directory"
    )
