"""Reading rendered pages in Flask-client tests."""

from __future__ import annotations

import re


def csrf_token(html: str) -> str:
    """The CSRF token in a rendered page's first form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)
