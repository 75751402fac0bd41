"""The one small interface the app prints through, and the errors drivers raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from printers.document import Receipt
from printers.profile import PrinterProfile, profile_from_options


class PrinterError(Exception):
    """Base class of everything a printer driver raises."""


class PrinterConfigError(PrinterError):
    """A printer URL or option that cannot be used; the message names the value."""


class PrinterUnavailable(PrinterError):
    """The printer could not be reached or did not take the job (offline, refused, timed out)."""


@dataclass(frozen=True)
class PrinterURL:
    """A parsed printer URL such as ``tcp://192.168.1.50:9100`` or ``dummy://``."""

    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    options: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        netloc = f"{host}:{self.port}" if self.port is not None else host
        return f"{self.scheme}://{netloc}{self.path}"

    @property
    def profile(self) -> PrinterProfile:
        """The paper width and capabilities chosen by the URL's query options."""
        return profile_from_options(self.options)


class ReceiptPrinter(Protocol):
    """A receipt printer driver; one instance per configured printer URL."""

    url: PrinterURL

    def print_receipt(self, receipt: Receipt, *, reprint: bool = False) -> None:
        """Send one receipt; raise `PrinterUnavailable` if it was not taken."""


def parse_printer_url(url: str) -> PrinterURL:
    """Parse and check a printer URL; raise `PrinterConfigError` naming the value if unusable."""
    # Imported here because the registry imports this module (drivers need PrinterURL).
    from printers.registry import driver_info, registered_schemes

    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    info = driver_info(scheme)
    if info is None:
        known = ", ".join(f"{s}://" for s in registered_schemes())
        raise PrinterConfigError(f"printer URL {url!r}: unknown scheme (known: {known})")
    options = {
        key.lower(): values[-1]
        for key, values in parse_qs(parts.query, keep_blank_values=True).items()
    }
    try:
        profile_from_options(options)
    except ValueError as exc:
        raise PrinterConfigError(f"printer URL {url!r}: {exc}") from None
    if info.default_port is None:
        return PrinterURL(scheme, options=options)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise PrinterConfigError(f"printer URL {url!r}: the port is not a number 1-65535")
    if not parts.hostname:
        example = f"{scheme}://10.0.0.5:{info.default_port}"
        raise PrinterConfigError(f"printer URL {url!r}: a host is needed, e.g. {example}")
    if parts.path not in ("", "/"):
        raise PrinterConfigError(f"printer URL {url!r}: a {scheme}:// URL has no path")
    port = info.default_port if port is None else port
    return PrinterURL(scheme, host=parts.hostname, port=port, options=options)
