"""The ``usb://VID:PID`` printer: ESC/POS over USB bulk endpoints, through python-escpos's `Usb`.

``usb://0416:5011`` or ``usb://0x0416:0x5011`` (vendor and product id in hex, as ``lsusb``
shows them); ``?out_ep=0x01&in_ep=0x82`` choose the endpoints (those are the defaults).
Needs pyusb and libusb (``pip install pyusb``; Debian: libusb-1.0-0) and permission to use
the device (a udev rule giving the kiosk user access). Without pyusb the URL still parses and
opening it is a `PrinterConfigError` saying what to install.

Each job opens the device, asks its status over the bulk-in endpoint (DLE EOT, see
`printers.stream`) and writes the slip to the bulk-out endpoint, all with timeouts, then
releases it in ``finally``.
"""

from __future__ import annotations

import contextlib
import errno
import re
from typing import Any
from urllib.parse import SplitResult

from printers._escpos_import import root_logging_untouched
from printers.base import PrinterConfigError, PrinterUnavailable, PrinterURL
from printers.registry import register_driver
from printers.stream import StreamPrinter

__all__ = ["UsbPrinter"]

_ID = re.compile(r"(?:0x)?([0-9a-f]{1,4})", re.IGNORECASE)
_ENDPOINTS = {"in_ep": (0x82, range(0x81, 0x90)), "out_ep": (0x01, range(0x01, 0x10))}
_READ_SIZE = 64  # bytes: a whole full-speed packet, so a longer answer cannot overflow


def _parse(parts: SplitResult, options: dict[str, str]) -> PrinterURL:
    vendor, colon, product = parts.netloc.partition(":")
    ids = [_ID.fullmatch(part) for part in (vendor, product)]
    numbers = [int(match.group(1), 16) for match in ids if match]
    if not colon or len(numbers) != 2 or 0 in numbers:
        raise ValueError(
            f"{parts.netloc!r} is not a vendor:product id in hex, e.g. usb://0416:5011"
        )
    if parts.path not in ("", "/"):
        raise ValueError(f"a usb:// URL has no path ({parts.path!r})")
    for name in _ENDPOINTS:
        endpoint(options, name)
    return PrinterURL("usb", host="{:04x}:{:04x}".format(*numbers), options=options)


def endpoint(options: dict[str, str], name: str) -> int:
    """The in_ep or out_ep option as a number; ValueError naming a bad one."""
    default, allowed = _ENDPOINTS[name]
    if name not in options:
        return default
    try:
        value = int(options[name].strip(), 0)
    except ValueError:
        value = -1
    if value not in allowed:
        example = f"{name}=0x{default:02x}"
        raise ValueError(
            f"{name}={options[name]} is not a USB {name[:-3].upper()} endpoint "
            f"0x{allowed[0]:02x}-0x{allowed[-1]:02x} (e.g. {example})"
        )
    return value


def _requires() -> str | None:
    from escpos.printer import usb as escpos_usb

    if escpos_usb.is_usable():
        return None
    return "usb:// printers need pyusb: pip install pyusb (and Debian's libusb-1.0-0)"


def escpos_usb_class() -> Any:
    """python-escpos's Usb class (a function, so tests can put a fake device behind it)."""
    from escpos.printer import Usb

    return Usb


@register_driver("usb", options=tuple(_ENDPOINTS), parse=_parse, requires=_requires)
class UsbPrinter(StreamPrinter):
    """A receipt printer on USB, found by vendor and product id."""

    kind = "usb"

    def __init__(self, url: PrinterURL, *, timeout: float) -> None:
        """Remember the ids and endpoints; the device is opened per job."""
        super().__init__(url, timeout=timeout)
        vendor, product = url.host.split(":")
        self.vendor, self.product = int(vendor, 16), int(product, 16)
        self.in_ep = endpoint(url.options, "in_ep")
        self.out_ep = endpoint(url.options, "out_ep")

    @property
    def name(self) -> str:
        """E.g. "USB printer 0416:5011"."""
        return f"USB printer {self.url.host}"

    @property
    def device_key(self) -> str:
        """vendor:product."""
        return self.url.host

    def _open(self, deadline: float) -> _UsbChannel:
        from escpos.exceptions import DeviceNotFoundError

        self._left(deadline, "was busy with another job")
        device = escpos_usb_class()(
            idVendor=self.vendor,
            idProduct=self.product,
            timeout=int(self.timeout * 1000),  # milliseconds
            in_ep=self.in_ep,
            out_ep=self.out_ep,
        )
        try:
            with root_logging_untouched():
                device.open()
        except DeviceNotFoundError:
            raise PrinterUnavailable(
                f"{self.name} not found: unplugged, switched off, or no permission to use it"
            ) from None
        except ValueError as exc:  # pyusb's NoBackendError: libusb is missing
            raise PrinterConfigError(
                f"{self.name}: pyusb found no USB library ({exc}); install libusb-1.0-0"
            ) from None
        return _UsbChannel(self, device)


class _UsbChannel:
    """One opened USB printer (python-escpos `Usb`, its pyusb device in `.device`)."""

    def __init__(self, printer: UsbPrinter, device: Any) -> None:
        self._printer = printer
        self._device = device

    def write(self, data: bytes, deadline: float) -> None:
        """One bulk-out transfer of all of `data` before the deadline."""
        left = self._printer._left(deadline, "answered too slowly")
        try:
            self._device.device.write(self._printer.out_ep, data, max(1, int(left * 1000)))
        except OSError as exc:  # pyusb's USBError and USBTimeoutError are OSErrors
            if _timed_out(exc):
                raise self._printer._timed_out("stopped taking data") from None
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise PrinterUnavailable(f"{self._printer.name}: {reason}") from None

    def read_byte(self, timeout: float) -> int | None:
        """The first byte of one bulk-in read, or None."""
        try:
            data = self._device.device.read(
                self._printer.in_ep, _READ_SIZE, max(1, int(timeout * 1000))
            )
        except OSError:
            return None
        return int(data[0]) if len(data) else None

    def close(self, *, abort: bool) -> None:
        """Release the device (USB has nothing queued in the kernel to drop)."""
        with root_logging_untouched(), contextlib.suppress(OSError):
            self._device.close()


def _timed_out(exc: OSError) -> bool:
    return exc.errno == errno.ETIMEDOUT or type(exc).__name__ == "USBTimeoutError"
