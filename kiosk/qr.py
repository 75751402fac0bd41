"""QR codes as inline SVG (no image request, nothing for the CSP to allow)."""

from __future__ import annotations

import re
from functools import lru_cache

import qrcode
import qrcode.constants
from markupsafe import Markup, escape
from qrcode.image.svg import SvgPathImage

_SIZE_ATTRS = re.compile(r' (width|height)="[^"]*"')


@lru_cache(maxsize=64)
def _svg(data: str) -> str:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    svg: str = code.make_image(image_factory=SvgPathImage).to_string(encoding="unicode")
    return _SIZE_ATTRS.sub("", svg, count=2)  # the page's CSS sizes it


def qr_svg(data: str, label: str, css_class: str = "qr") -> Markup:
    """An accessible inline SVG QR code for `data`, labelled for screen readers."""
    svg = _svg(data)
    opening = (
        f'<svg class="{escape(css_class)}" role="img" aria-label="{escape(label)}" '
        f'focusable="false"'
    )
    return Markup(svg.replace("<svg", opening, 1))  # noqa: S704 - qrcode's own markup, escaped args
