"""Reading rendered pages in Flask-client tests."""

from __future__ import annotations

import re


def csrf_token(html: str) -> str:
    """The CSRF token in a rendered page's first form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
_STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
_EVENT_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
_POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.I | re.S)


def check_page(html: str) -> None:
    """What every rendered page must be: CSP-clean, with a language, CSRF in every POST form."""
    assert re.search(r'<html lang="(zh-Hans|en)">', html), "page without <html lang>"
    assert not _INLINE_SCRIPT.search(html), "inline <script> (the CSP forbids it)"
    assert not _STYLE_ATTR.search(html), "style attribute (the CSP forbids it)"
    assert not _EVENT_ATTR.search(html), "inline event handler (the CSP forbids it)"
    for match in _POST_FORM.finditer(html):
        opening = match.group(0)[: match.group(0).index(">") + 1]
        if 'action="/reset"' in opening:
            continue  # wiping the screen is deliberately exempt
        assert re.search(r'name="([a-z-]+-)?csrf_token"', match.group(1)), (
            f"POST form without CSRF: {opening}"
        )
