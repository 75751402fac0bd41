"""The ``serial:///dev/ttyUSB0?baudrate=9600`` printer: ESC/POS over a serial port.

Through python-escpos's `Serial` (8 data bits, no parity, one stop bit, DSR/DTR flow control,
its defaults), which needs pyserial (``pip install pyserial``); without it the URL still
parses and opening it is a `PrinterConfigError` saying what to install. ``baudrate`` is one
of 1200-115200 (default 9600) and must match the printer's DIP switches.

Each job opens the port, asks the status (DLE EOT, see `printers.stream`), writes the slip
and waits until the port has sent it, all within the timeout. At 9600 baud a port sends
about 960 bytes a second: a slip with images (several kB) needs a timeout of many seconds.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any
from urllib.parse import SplitResult, unquote

from printers._escpos_import import root_logging_untouched
from printers.base import PrinterUnavailable, PrinterURL
from printers.registry import register_driver
from printers.stream import StreamPrinter

__all__ = ["BAUDRATES", "SerialPrinter"]

BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_DRAIN_POLL = 0.01  # seconds between looks at the bytes still waiting in the port


def _parse(parts: SplitResult, options: dict[str, str]) -> PrinterURL:
    path = unquote(parts.path)
    if parts.netloc or not path.startswith("/") or path.endswith("/") or "\x00" in path:
        raise ValueError(
            f"{parts.netloc + path!r} is not a device path, e.g. serial:///dev/ttyUSB0"
        )
    baudrate(options)
    return PrinterURL("serial", path=path, options=options)


def baudrate(options: dict[str, str]) -> int:
    """The baudrate option; ValueError naming a value that is not in `BAUDRATES`."""
    raw = options.get("baudrate", "9600").strip()
    if not raw.isdigit() or int(raw) not in BAUDRATES:
        known = ", ".join(map(str, BAUDRATES))
        raise ValueError(f"baudrate={options['baudrate']} is not one of {known}")
    return int(raw)


def _requires() -> str | None:
    from escpos.printer import serial as escpos_serial

    if escpos_serial.is_usable():
        return None
    return "serial:// printers need pyserial: pip install pyserial"


def escpos_serial_class() -> Any:
    """python-escpos's Serial class (a function, so tests can put a fake port behind it)."""
    from escpos.printer import Serial

    return Serial


@register_driver("serial", options=("baudrate",), parse=_parse, requires=_requires)
class SerialPrinter(StreamPrinter):
    """A receipt printer on a serial port."""

    kind = "serial"

    def __init__(self, url: PrinterURL, *, timeout: float) -> None:
        """Remember the port; it is opened per job."""
        super().__init__(url, timeout=timeout)
        self.path = url.path
        self.baudrate = baudrate(url.options)

    @property
    def name(self) -> str:
        """E.g. "serial printer /dev/ttyUSB0"."""
        return f"serial printer {self.path}"

    @property
    def device_key(self) -> str:
        """The device path."""
        return self.path

    def _open(self, deadline: float) -> _SerialChannel:
        from escpos.exceptions import DeviceNotFoundError

        left = self._left(deadline, "was busy with another job")
        port = escpos_serial_class()(devfile=self.path, baudrate=self.baudrate, timeout=left)
        try:
            with root_logging_untouched():
                port.open()
        except DeviceNotFoundError as exc:
            message = str(getattr(exc, "msg", "")).strip()
            reason = message.splitlines()[-1].strip() if message else "not found"
            raise PrinterUnavailable(f"{self.name} could not be opened: {reason}") from None
        return _SerialChannel(self, port.device)


class _SerialChannel:
    """One opened serial port (a pyserial `Serial`)."""

    def __init__(self, printer: SerialPrinter, port: Any) -> None:
        self._printer = printer
        self._port = port

    def write(self, data: bytes, deadline: float) -> None:
        """Write all of `data` and wait until the port sent it, before the deadline."""
        try:
            self._port.write_timeout = self._printer._left(deadline, "answered too slowly")
            self._port.write(data)
            # the kernel buffers a few kB: the slip is only sent once that has drained
            while self._port.out_waiting:
                if time.monotonic() >= deadline:
                    raise TimeoutError
                time.sleep(_DRAIN_POLL)
        except TimeoutError:
            raise self._printer._timed_out("stopped taking data") from None
        except OSError as exc:  # pyserial's SerialException is an OSError
            if type(exc).__name__ == "SerialTimeoutException":
                raise self._printer._timed_out("stopped taking data") from None
            raise PrinterUnavailable(f"{self._printer.name}: {exc}") from None

    def read_byte(self, timeout: float) -> int | None:
        """One byte, or None if none came within `timeout` seconds."""
        try:
            self._port.timeout = timeout
            data = self._port.read(1)
        except OSError:
            return None
        return int(data[0]) if data else None

    def close(self, *, abort: bool) -> None:
        """Close the port; `abort` first drops what the kernel has not sent yet."""
        with contextlib.suppress(OSError):
            if abort:
                # closing a tty otherwise waits up to 30 s for its buffer to drain
                self._port.reset_output_buffer()
            self._port.close()
