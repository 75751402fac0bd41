"""Validation caching for pages with nothing personal on them (the attract screen, a policy's
text): the browser may keep them but asks each time, and gets 304 Not Modified when the page
has not changed, so a screen or a phone that reloads one does not fetch it again.

Every other page stays `Cache-Control: no-store` (kiosk.security): a page is cacheable only
when its view says so with `cacheable()`.

The same pages, and the public API's answers, are also kept by the server for a few seconds
(`kept`): the attract screen of a lobby's idle kiosks, a policy search that a city's SMS wave
sends thousands of phones to. A page kept is dropped as soon as this process commits anything
to the database, and lives at most `page_seconds` (so another process's change shows within
that time). Nothing personal is ever kept: only views with nothing about a person call `kept`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Flask, current_app, make_response, request
from sqlalchemy import Engine, event
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


EXTENSION = "kiosk.pages"
MOST_PAGES = 256  # kept at once; the least recently used goes first


@dataclass(frozen=True)
class _Page:
    body: bytes
    status: int
    headers: list[tuple[str, str]]
    until: float  # time.monotonic() after which it is not used


class PageCache:
    """Non-personal responses, each kept for a few seconds and dropped on any commit."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._pages: OrderedDict[Hashable, _Page] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0  # bumped by every commit: a page rendered before it is not kept

    def forget(self) -> None:
        """Drop every page (something was committed)."""
        with self._lock:
            self._generation += 1
            self._pages.clear()

    def answer(self, key: Hashable, render: Callable[[], object]) -> Response:
        """The kept response for `key`, else `render()`'s, kept if it succeeded."""
        now = time.monotonic()
        with self._lock:
            page = self._pages.get(key)
            if page is not None and page.until > now:
                self._pages.move_to_end(key)
                return Response(page.body, page.status, page.headers)
            generation = self._generation
        response: Response = make_response(render())
        if response.status_code == 200 and not response.is_streamed and self.seconds > 0:
            page = _Page(response.get_data(), 200, list(response.headers), now + self.seconds)
            with self._lock:
                if generation == self._generation:  # nothing committed while it was rendered
                    self._pages[key] = page
                    self._pages.move_to_end(key)
                    while len(self._pages) > MOST_PAGES:
                        self._pages.popitem(last=False)
        return response


def kept(key: Hashable, render: Callable[[], object]) -> Response:
    """The response of a view with nothing personal on it, kept for a few seconds under
    `key` (with the endpoint: say what else the page depends on, such as its language)."""
    cache: PageCache = current_app.extensions[EXTENSION]
    return cache.answer((request.endpoint, key), render)


def init_app(app: Flask, engine: Engine, seconds: float) -> None:
    """Keep pages for `seconds` (0: never), dropped on every commit through `engine`."""
    cache = PageCache(seconds)
    app.extensions[EXTENSION] = cache
    event.listen(engine, "commit", lambda _connection: cache.forget())
