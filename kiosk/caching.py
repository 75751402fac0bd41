"""Validation caching for pages with nothing personal on them (the attract screen, a policy's
text): the browser may keep them but asks each time, and gets 304 Not Modified when the page
has not changed, so a screen or a phone that reloads one does not fetch it again.

Every other page stays `Cache-Control: no-store` (kiosk.security): a page is cacheable only
when its view says so with `cacheable()`.
"""

from __future__ import annotations

from flask import make_response, request
from werkzeug.wrappers import Response

MARK = "kiosk_cacheable"
CACHE_CONTROL = "no-cache"  # may be stored, must be revalidated before each use


def cacheable(body: str) -> Response:
    """The page as a response with an ETag, answered 304 when the browser already has it."""
    response: Response = make_response(body)
    setattr(response, MARK, True)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.add_etag()
    return response.make_conditional(request)


def is_cacheable(response: Response) -> bool:
    """Whether a view marked this response as having nothing personal on it."""
    return bool(getattr(response, MARK, False))
