"""Response headers every page gets: a strict CSP, no caching of anything personal."""

from __future__ import annotations

from flask import Flask, Response, request

from kiosk.caching import is_cacheable

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def set_security_headers(response: Response) -> Response:
    """Add the security headers; dynamic pages are never stored by the browser or a proxy."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Status pages carry an unguessable token in their URL: never leak it, not even to ourselves.
    # Staff pages may tell the admin which page a form came from (to go back after an error).
    policy = "same-origin" if request.blueprint == "admin" else "no-referrer"
    headers.setdefault("Referrer-Policy", policy)
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static" and not is_cacheable(response):
        # A public terminal: Back must not show the last person's answers from a cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Register the header hook, and refuse malformed requests before anything reads them."""
    from kiosk import input_guard

    input_guard.init_app(app)
    app.after_request(set_security_headers)
