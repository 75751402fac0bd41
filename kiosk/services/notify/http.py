"""One HTTP POST with explicit timeouts, its failures sorted into "try again" and "give up"."""

from __future__ import annotations

import urllib.error
import urllib.request

MAX_ANSWER = 64 * 1024  # bytes of a provider's answer read; theirs are a few hundred


class SendFailed(Exception):
    """The message did not go; `permanent` when trying again cannot help (a refused number, a
    wrong key), else it is tried again later."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def post(url: str, body: bytes, content_type: str, timeout: float) -> tuple[int, bytes]:
    """POST `body`; (status, answer) for any HTTP answer, SendFailed when none came."""
    request = urllib.request.Request(  # noqa: S310 - http(s) URLs, checked by the settings
        url,
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "User-Agent": "lobby-kiosk"},
    )
    try:
        # `timeout` (seconds) bounds the connection and every wait for the answer.
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.read(MAX_ANSWER)
    except urllib.error.HTTPError as exc:
        with exc:
            return int(exc.code), exc.read(MAX_ANSWER)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _no_answer(timeout) from None
        raise SendFailed(f"could not connect: {exc.reason}", permanent=False) from None
    except TimeoutError:
        raise _no_answer(timeout) from None
    except OSError as exc:  # the connection was reset or closed half-way
        raise SendFailed(f"connection broken: {exc}", permanent=False) from None


def _no_answer(timeout: float) -> SendFailed:
    # The request may have reached the provider before the wait ran out: it is tried again
    # (a timeout is far likelier a network fault than a slow success), and says so.
    return SendFailed(f"no answer within {timeout:g} s (it may have arrived)", permanent=False)
