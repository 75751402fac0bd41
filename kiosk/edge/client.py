"""The terminal's only way to the central: JSON over HTTPS with the kiosk's token, in seconds."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from kiosk.edge.identity import check_central_url

TIMEOUT = 5.0  # seconds for one call: a hung central must not hold the outbox for a minute


class LinkDown(Exception):
    """The central could not be reached, or answered with a server error: try again later."""


class Refused(Exception):
    """The central answered, and refused this call (4xx): trying again will not help."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body.get('error', '')} {body.get('message', '')}".strip())
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Answer:
    """A central's answer: status, JSON body and ETag."""

    status: int
    body: dict[str, Any]
    etag: str = ""


class Central:
    """Calls to one central with one token."""

    def __init__(self, base_url: str, token: str, timeout: float = TIMEOUT) -> None:
        self.base_url = check_central_url(base_url)
        self.token = token
        self.timeout = timeout
        self._context = ssl.create_default_context()

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        etag: str = "",
        authorised: bool = True,
    ) -> Answer:
        """One request; LinkDown for no answer or a 5xx, Refused for a 4xx (304 is an answer)."""
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if authorised:
            headers["Authorization"] = f"Bearer {self.token}"
        if etag:
            headers["If-None-Match"] = etag
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the URL is checked: https or loopback
            self.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=self.timeout, context=self._context
            ) as response:
                raw = response.read()
                return Answer(
                    response.status,
                    json.loads(raw) if raw else {},
                    response.headers.get("ETag", ""),
                )
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return Answer(304, {}, etag)
            try:
                answer = json.loads(error.read() or b"{}")
            except ValueError:
                answer = {}
            if error.code >= 500 or error.code in (408, 429):
                raise LinkDown(f"the central answered {error.code}") from None
            raise Refused(error.code, answer if isinstance(answer, dict) else {}) from None
        except (OSError, ValueError) as exc:  # refused, reset, timed out, DNS, bad JSON
            raise LinkDown(f"{type(exc).__name__}: {exc}") from None
