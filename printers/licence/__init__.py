"""Licence printing: the A4 business licence as a PDF, and where it goes (CUPS, a spool folder).

doc = LicenceDocument(...)                       # or LicenceDocument.from_dict(row)
pdf = render_licence_pdf(doc)                    # bytes, one landscape A4 page
printer = open_licence_printer("cups://licence", timeout=30.0)
printer.print_pdf(pdf, name="YZ-20261124-0007")  # raises PrinterUnavailable
printer.status()                                 # LicencePrinterStatus(state, detail)
"""

from printers.licence.document import (
    LicenceDocument,
    business_term_text,
    capital_in_words,
    format_date_cn,
)
from printers.licence.drivers import (
    CupsLicencePrinter,
    DummyLicencePrinter,
    SpoolLicencePrinter,
)
from printers.licence.fonts import load_fonts
from printers.licence.pdf import render_licence_pdf
from printers.licence.registry import (
    LicencePrinter,
    LicencePrinterStatus,
    licence_schemes,
    open_licence_printer,
    register_licence_driver,
)

__all__ = [
    "CupsLicencePrinter",
    "DummyLicencePrinter",
    "LicenceDocument",
    "LicencePrinter",
    "LicencePrinterStatus",
    "SpoolLicencePrinter",
    "business_term_text",
    "capital_in_words",
    "format_date_cn",
    "licence_schemes",
    "load_fonts",
    "open_licence_printer",
    "register_licence_driver",
    "render_licence_pdf",
]
