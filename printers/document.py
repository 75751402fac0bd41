"""A receipt as data: what to print, independent of any printer's command language.

A `Receipt` is built by the app, stored as JSON in the print outbox, and turned into bytes
by a driver only when it is printed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    """One paragraph of text; `size` multiplies width and height (1 or 2)."""

    text: str
    align: Align = "left"
    size: int = 1
    bold: bool = False
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class QRCode:
    """A QR code, always centred, error correction level M; `size` is the module size in dots."""

    data: str
    size: int = 6
    kind: Literal["qr"] = "qr"


@dataclass(frozen=True)
class Rule:
    """A horizontal line across the paper."""

    kind: Literal["rule"] = "rule"


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1
    kind: Literal["feed"] = "feed"


Element = Text | QRCode | Rule | Feed
_KINDS: dict[str, type[Text] | type[QRCode] | type[Rule] | type[Feed]] = {
    "text": Text,
    "qr": QRCode,
    "rule": Rule,
    "feed": Feed,
}


@dataclass(frozen=True)
class Receipt:
    """A slip: elements printed top to bottom, then the paper is cut once."""

    elements: tuple[Element, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the print outbox."""
        return {"elements": [asdict(element) for element in self.elements]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Receipt:
        """The inverse of `to_dict`."""
        elements: list[Element] = []
        for item in data["elements"]:
            values = dict(item)
            kind = values.pop("kind")
            elements.append(_KINDS[kind](**values))
        return cls(tuple(elements))
