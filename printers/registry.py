"""Open a receipt printer driver from its URL.

Drivers register themselves by URL scheme when their module is imported (the Redash
query-runner pattern); `printers/__init__.py` imports the built-in ones. A new transport is a
module with a class decorated by `register_driver` plus one import line there. A driver
declares the shape of its URLs (`parse`), its own query options, and what it needs installed
(`requires`): a driver whose optional dependency is missing stays registered, so its URLs
still parse, and opening one raises `PrinterConfigError` saying what to install.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import SplitResult

from printers.base import PrinterConfigError, PrinterURL, ReceiptPrinter, parse_printer_url

__all__ = [
    "DriverFactory",
    "DriverInfo",
    "Requirement",
    "UrlParser",
    "driver_info",
    "open_receipt_printer",
    "register_driver",
    "registered_schemes",
]


class DriverFactory(Protocol):
    """What a registered driver class (or factory function) looks like."""

    def __call__(self, url: PrinterURL, *, timeout: float) -> ReceiptPrinter:
        """Build the driver for one parsed URL; must not open a connection."""
        ...


# Turns a split URL and its query options into a PrinterURL; ValueError with a short reason.
UrlParser = Callable[[SplitResult, dict[str, str]], PrinterURL]
# Returns None when the driver can be used, else what to install.
Requirement = Callable[[], str | None]


@dataclass(frozen=True)
class DriverInfo:
    """One registered driver: its scheme, how to build it, and how its URLs look."""

    scheme: str
    factory: DriverFactory
    # None means URLs of this scheme name no host or port (e.g. dummy://), unless `parse`.
    default_port: int | None = None
    options: tuple[str, ...] = ()
    parse: UrlParser | None = None
    requires: Requirement | None = None


_DRIVERS: dict[str, DriverInfo] = {}
_F = TypeVar("_F", bound=DriverFactory)


def register_driver(
    scheme: str,
    *,
    default_port: int | None = None,
    options: tuple[str, ...] = (),
    parse: UrlParser | None = None,
    requires: Requirement | None = None,
) -> Callable[[_F], _F]:
    """Class decorator: make `scheme://` URLs open this driver."""

    def decorate(factory: _F) -> _F:
        key = scheme.lower()
        known = _DRIVERS.get(key)
        # Re-registering the same class (a module reload in tests) is harmless; two different
        # drivers claiming one scheme is a bug that would otherwise depend on import order.
        if known is not None and getattr(known.factory, "__qualname__", None) != getattr(
            factory, "__qualname__", None
        ):
            raise RuntimeError(f"printer scheme {key}:// is already registered to {known.factory}")
        _DRIVERS[key] = DriverInfo(key, factory, default_port, options, parse, requires)
        return factory

    return decorate


def registered_schemes() -> tuple[str, ...]:
    """The URL schemes drivers are registered for, sorted."""
    return tuple(sorted(_DRIVERS))


def driver_info(scheme: str) -> DriverInfo | None:
    """The driver registered for a scheme, or None."""
    return _DRIVERS.get(scheme.lower())


def open_receipt_printer(url: str, *, timeout: float = 5.0) -> ReceiptPrinter:
    """Return the driver for a printer URL; opens no connection (that happens per job)."""
    parsed = parse_printer_url(url)
    if not timeout > 0:
        raise PrinterConfigError(f"printer timeout {timeout!r}: must be more than 0 seconds")
    info = _DRIVERS[parsed.scheme]
    missing = info.requires() if info.requires is not None else None
    if missing:
        raise PrinterConfigError(f"printer URL {url!r}: {missing}")
    return info.factory(parsed, timeout=timeout)
