"""Printer drivers for the kiosk. This package never imports flask or kiosk.

The app calls `open_receipt_printer(url, timeout=...)` once per configured printer, then
`printer.print_receipt(receipt, reprint=...)` per slip and `printer.status()` to show the
printer's state; `render_png(receipt)` draws a slip for previews. See `printers.profile` for
the URL query options and each driver module for its URL shape.
"""

# First, so python-escpos is imported without touching logging (see the module).
from printers import _escpos_import  # noqa: F401  # isort: skip

# Importing the driver modules registers their URL schemes.
from printers import cups, dummy, file, serial, tcp, usb, virtual
from printers.base import (
    Confirmation,
    Delivery,
    PrinterBusy,
    PrinterConfigError,
    PrinterError,
    PrinterTooSlow,
    PrinterUnavailable,
    PrinterURL,
    ReceiptPrinter,
    parse_printer_url,
)
from printers.cups import CupsPrinter
from printers.document import Feed, QRCode, Receipt, Rule, Text
from printers.dummy import DummyPrinter
from printers.escpos import REPRINT_MARK, encode_receipt
from printers.file import FilePrinter
from printers.glyphs import cjk_font
from printers.preview import render_image, render_png
from printers.profile import DEFAULT_PROFILE, PrinterProfile
from printers.registry import open_receipt_printer, register_driver, registered_schemes
from printers.serial import SerialPrinter
from printers.status import PrinterState, PrinterStatus
from printers.tcp import TcpPrinter
from printers.usb import UsbPrinter
from printers.virtual import VirtualPrinter

__all__ = [
    "DEFAULT_PROFILE",
    "REPRINT_MARK",
    "Confirmation",
    "CupsPrinter",
    "Delivery",
    "DummyPrinter",
    "Feed",
    "FilePrinter",
    "PrinterBusy",
    "PrinterConfigError",
    "PrinterError",
    "PrinterProfile",
    "PrinterState",
    "PrinterStatus",
    "PrinterTooSlow",
    "PrinterURL",
    "PrinterUnavailable",
    "QRCode",
    "Receipt",
    "ReceiptPrinter",
    "Rule",
    "SerialPrinter",
    "TcpPrinter",
    "Text",
    "UsbPrinter",
    "VirtualPrinter",
    "cjk_font",
    "cups",
    "dummy",
    "encode_receipt",
    "file",
    "open_receipt_printer",
    "parse_printer_url",
    "register_driver",
    "registered_schemes",
    "render_image",
    "render_png",
    "serial",
    "tcp",
    "usb",
    "virtual",
]
