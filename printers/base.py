"""The one small interface the app prints through, and the errors drivers raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol
from urllib.parse import SplitResult, parse_qs, urlsplit

from printers.document import Receipt
from printers.profile import OPTIONS, PrinterProfile, profile_from_options
from printers.status import PrinterState, PrinterStatus


class PrinterError(Exception):
    """Base class of everything a printer driver raises."""


class PrinterConfigError(PrinterError):
    """A printer URL, option or missing dependency that makes the printer unusable."""


class PrinterUnavailable(PrinterError):
    """The printer did not print the job (offline, out of paper, refused, timed out)."""

    def __init__(
        self, message: str, *, state: PrinterState | None = None, partial: bool = False
    ) -> None:
        """`state` is set when the printer said why (e.g. PAPER_OUT), None when unreachable.

        `partial` is True when some of the slip's bytes had left for the printer, so part of
        it may have come out: a copy printed after this must be marked as a reprint.
        """
        super().__init__(message)
        self.state = state
        self.partial = partial


class PrinterTooSlow(PrinterUnavailable):
    """The printer could not finish the slip before it had to be in the tenant's hand."""


class Confirmation(StrEnum):
    """What told us a slip came out, strongest first."""

    PROCESS_ID = "process_id"  # GS ( H fn 48 answered after the cut
    STATUS = "status"  # GS r 1 answered after the cut (printers that process it in order)
    NONE = "none"  # every byte was taken; the printer cannot say more: sent, not confirmed
    SIMULATED = "simulated"  # no paper printer at all (dummy://, virtual://)


@dataclass(frozen=True)
class Delivery:
    """How a slip went: how it was confirmed, its size, and how fast the printer went."""

    confirmation: Confirmation
    size: int = 0  # bytes
    seconds: float = 0.0  # from the first byte to the confirmation
    rate: float | None = None  # bytes per second the printer printed at, when measured


class PrinterBusy(PrinterUnavailable):
    """Another job in this process held the printer for longer than the timeout."""


@dataclass(frozen=True)
class PrinterURL:
    """A parsed printer URL such as ``tcp://192.168.1.50:9100`` or ``usb://0416:5011``."""

    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    options: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        # brackets only for an IPv6 address before a port, not for usb://VID:PID
        host = f"[{self.host}]" if ":" in self.host and self.port is not None else self.host
        netloc = f"{host}:{self.port}" if self.port is not None else host
        return f"{self.scheme}://{netloc}{self.path}"

    @property
    def profile(self) -> PrinterProfile:
        """The paper width and capabilities chosen by the URL's query options."""
        return profile_from_options(self.options)


class ReceiptPrinter(Protocol):
    """A receipt printer driver; one instance per configured printer URL."""

    url: PrinterURL

    @property
    def last_status(self) -> PrinterStatus:
        """The status seen by the latest `print_receipt` or `status` call (no I/O)."""
        ...

    def print_receipt(
        self,
        receipt: Receipt,
        *,
        reprint: bool = False,
        within: float | None = None,
        rate: float | None = None,
        on_send: Callable[[], None] | None = None,
    ) -> Delivery:
        """Print one receipt and say how it was confirmed; `PrinterUnavailable` if not.

        `within`: seconds in which the slip must be out, else it is not (or no further) sent
        (`PrinterTooSlow`); `rate`: the printer's measured bytes per second, for that
        estimate; `on_send`: called once just before the first byte of the slip leaves.
        """
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer how it is; never raises (failures become OFFLINE or UNKNOWN)."""
        ...


def parse_printer_url(url: str) -> PrinterURL:
    """Parse and check a printer URL; raise `PrinterConfigError` naming the value if unusable."""
    # Imported here because the registry imports this module (drivers need PrinterURL).
    from printers.registry import driver_info, registered_schemes

    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # e.g. an unclosed "[" of an IPv6 address
        raise PrinterConfigError(f"printer URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    info = driver_info(scheme)
    if info is None:
        known = ", ".join(f"{s}://" for s in registered_schemes())
        raise PrinterConfigError(f"printer URL {url!r}: unknown scheme (known: {known})")
    options = {
        key.lower(): values[-1]
        for key, values in parse_qs(parts.query, keep_blank_values=True).items()
    }
    allowed = (*OPTIONS, *info.options)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        known = ", ".join(allowed)
        raise PrinterConfigError(
            f"printer URL {url!r}: unknown option {unknown[0]!r} (known: {known})"
        )
    try:
        profile_from_options(options)
        if info.parse is not None:
            return info.parse(parts, options)
        return _host_and_port(parts, options, scheme, info.default_port)
    except ValueError as exc:
        raise PrinterConfigError(f"printer URL {url!r}: {exc}") from None


def _host_and_port(
    parts: SplitResult, options: dict[str, str], scheme: str, default_port: int | None
) -> PrinterURL:
    """The shape of network URLs (scheme://host[:port]) or of bare ones (dummy://)."""
    if default_port is None:
        if parts.netloc or parts.path not in ("", "/"):
            raise ValueError(f"a {scheme}:// URL names no host or path")
        return PrinterURL(scheme, options=options)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError("the port is not a number 1-65535")
    if not parts.hostname:
        raise ValueError(f"a host is needed, e.g. {scheme}://10.0.0.5:{default_port}")
    if parts.path not in ("", "/"):
        raise ValueError(f"a {scheme}:// URL has no path ({parts.path!r})")
    port = default_port if port is None else port
    return PrinterURL(scheme, host=parts.hostname, port=port, options=options)
