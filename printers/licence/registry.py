"""The licence printer interface, its status value, and drivers registered by URL scheme.

Separate from `printers.registry` (receipt drivers): a licence printer takes a finished PDF,
and `cups://` means different things for the two (ESC/POS bytes vs. a PDF job).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import SplitResult, urlsplit

from printers.base import PrinterConfigError

__all__ = [
    "LicenceDriverFactory",
    "LicencePrinter",
    "LicencePrinterStatus",
    "check_pdf",
    "licence_schemes",
    "open_licence_printer",
    "register_licence_driver",
    "safe_job_name",
]

State = Literal["ready", "busy", "stopped", "offline", "unknown"]


@dataclass(frozen=True)
class LicencePrinterStatus:
    """What a licence printer last said: `state` for code, `detail` for staff."""

    state: State
    detail: str = ""

    @property
    def ready(self) -> bool:
        """Whether a job sent now should be taken (a busy queue still takes jobs)."""
        return self.state in ("ready", "busy")


class LicencePrinter(Protocol):
    """A licence printer driver; one instance per configured URL, safe to share across threads."""

    url: str

    def print_pdf(self, pdf: bytes, *, name: str) -> None:
        """Send one PDF as job `name`; raise `PrinterUnavailable` if it was not taken."""

    def status(self) -> LicencePrinterStatus:
        """Ask the printer (or queue, or folder) whether it can take a job now."""


class LicenceDriverFactory(Protocol):
    """Builds a driver from its URL (as given, and split); must not contact the printer."""

    def __call__(self, url: str, parts: SplitResult, *, timeout: float) -> LicencePrinter:
        """Check the URL (raise `PrinterConfigError` naming it) and build the driver."""
        ...


_DRIVERS: dict[str, LicenceDriverFactory] = {}


def register_licence_driver(
    scheme: str,
) -> Callable[[LicenceDriverFactory], LicenceDriverFactory]:
    """Decorator: make `scheme://` licence printer URLs open with this factory."""

    def decorate(factory: LicenceDriverFactory) -> LicenceDriverFactory:
        known = _DRIVERS.get(scheme)
        # A module reloaded in tests re-registers the same function; two different drivers
        # claiming one scheme is a bug that would otherwise depend on import order.
        if known is not None and _qualname(known) != _qualname(factory):
            raise RuntimeError(f"licence printer scheme {scheme}:// is already registered")
        _DRIVERS[scheme] = factory
        return factory

    return decorate


def _qualname(factory: LicenceDriverFactory) -> str:
    return str(getattr(factory, "__qualname__", repr(factory)))


def licence_schemes() -> tuple[str, ...]:
    """The licence printer URL schemes that have a driver, sorted."""
    return tuple(sorted(_DRIVERS))


def open_licence_printer(url: str, *, timeout: float = 30.0) -> LicencePrinter:
    """The driver for a licence printer URL; checks the URL, contacts nothing (timeout in s)."""
    # cups://QUEUE, cups://HOST:PORT/QUEUE, spool:///FOLDER, dummy://[?keep=N]
    if not (math.isfinite(timeout) and timeout > 0):
        raise PrinterConfigError(f"licence printer timeout {timeout!r}: must be more than 0 s")
    parts = urlsplit(url.strip())
    factory = _DRIVERS.get(parts.scheme.lower())
    if factory is None:
        known = ", ".join(f"{scheme}://" for scheme in licence_schemes())
        raise PrinterConfigError(f"licence printer URL {url!r}: unknown scheme (known: {known})")
    if parts.fragment or parts.username or parts.password:
        raise PrinterConfigError(f"licence printer URL {url!r}: no user or #fragment allowed")
    return factory(url.strip(), parts, timeout=float(timeout))


def safe_job_name(name: str) -> str:
    """`name` as a safe file name and CUPS title (letters incl. CJK, digits, - _ .; ≤ 80)."""
    text = unicodedata.normalize("NFC", name)
    kept = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
    kept = re.sub(r"_+", "_", kept).strip("._-")[:80].rstrip(".")
    return kept or "licence"


def check_pdf(pdf: bytes) -> None:
    """Refuse bytes that are not a PDF before they reach paper (a bug, not a printer fault)."""
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("print_pdf needs PDF bytes (they start with %PDF-)")
