"""Printer drivers for the kiosk. This package never imports flask or kiosk.

The app calls `open_receipt_printer(url, timeout=...)` once per configured printer and then
`printer.print_receipt(receipt, reprint=...)` per slip; see `printers.profile` for the URL
query options.
"""

# First, so python-escpos is imported without touching logging (see the module).
from printers import _escpos_import  # noqa: F401  # isort: skip

# Importing the driver modules registers their URL schemes (tcp://, dummy://).
from printers import dummy, tcp
from printers.base import (
    PrinterConfigError,
    PrinterError,
    PrinterUnavailable,
    PrinterURL,
    ReceiptPrinter,
    parse_printer_url,
)
from printers.document import Feed, QRCode, Receipt, Rule, Text
from printers.dummy import DummyPrinter
from printers.escpos import REPRINT_MARK, encode_receipt
from printers.profile import DEFAULT_PROFILE, PrinterProfile
from printers.registry import open_receipt_printer, register_driver, registered_schemes
from printers.tcp import TcpPrinter

__all__ = [
    "DEFAULT_PROFILE",
    "REPRINT_MARK",
    "DummyPrinter",
    "Feed",
    "PrinterConfigError",
    "PrinterError",
    "PrinterProfile",
    "PrinterURL",
    "PrinterUnavailable",
    "QRCode",
    "Receipt",
    "ReceiptPrinter",
    "Rule",
    "TcpPrinter",
    "Text",
    "dummy",
    "encode_receipt",
    "open_receipt_printer",
    "parse_printer_url",
    "register_driver",
    "registered_schemes",
    "tcp",
]
