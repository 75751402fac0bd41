"""Group robots for staff: 企业微信 (WeCom) and 钉钉 (DingTalk) webhooks, markdown messages.

企业微信: POST JSON `{"msgtype": "markdown", "markdown": {"content": …}}` to the robot's URL
(…/cgi-bin/webhook/send?key=…); the answer is `{"errcode": 0, "errmsg": "ok"}`.
钉钉: POST JSON `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}` to
…/robot/send?access_token=…; with 加签, `timestamp` (milliseconds) and `sign` =
URL-encoded Base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")) join the query.
Both allow about 20 messages a minute per robot: going over is tried again later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import quote_plus

from kiosk.services.notify.base import Outgoing
from kiosk.services.notify.http import SendFailed, post

MARKDOWN_MAX = 4000  # bytes: both robots refuse a markdown body over 4096
WECOM_RETRYABLE = frozenset({-1, 45009})  # system busy; over the robot's rate
DINGTALK_RETRYABLE = frozenset({-1, 130101})  # system busy; sending too fast


def _markdown(message: Outgoing) -> str:
    text = f"**{message.title}**\n\n{message.text}" if message.title else message.text
    encoded = text.encode("utf-8")
    if len(encoded) > MARKDOWN_MAX:
        text = encoded[:MARKDOWN_MAX].decode("utf-8", "ignore") + "…"
    return text


def _post_json(url: str, body: dict[str, Any], timeout: float, retryable: frozenset[int]) -> str:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    status, answer = post(url, data, "application/json; charset=utf-8", timeout)
    if status >= 500:
        raise SendFailed(f"HTTP {status}", permanent=False)
    try:
        reply = json.loads(answer)
        errcode = int(reply.get("errcode", -2))
    except (ValueError, AttributeError, TypeError):
        raise SendFailed(f"HTTP {status}: an answer that is not JSON", permanent=True) from None
    if status == 200 and errcode == 0:
        return ""
    detail = f"errcode {errcode}: {str(reply.get('errmsg', ''))[:200]}"
    raise SendFailed(detail, permanent=errcode not in retryable)


class WecomRobot:
    """A 企业微信 group robot."""

    name = "wecom"

    def __init__(self, url: str, timeout: float) -> None:
        self._url, self._timeout = url, timeout

    def send(self, message: Outgoing) -> str:
        """Post the message as markdown to the group."""
        body = {"msgtype": "markdown", "markdown": {"content": _markdown(message)}}
        return _post_json(self._url, body, self._timeout, WECOM_RETRYABLE)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The 加签 value: URL-encoded Base64 HMAC-SHA256 of "timestamp\\nsecret", keyed by secret."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingtalkRobot:
    """A 钉钉 custom robot, signed when it has a secret."""

    name = "dingtalk"

    def __init__(self, url: str, secret: str, timeout: float) -> None:
        self._url, self._secret, self._timeout = url, secret, timeout

    def url(self, now_ms: int | None = None) -> str:
        """The robot's URL, with `timestamp` and `sign` when it is signed."""
        if not self._secret:
            return self._url
        stamp = int(time.time() * 1000) if now_ms is None else now_ms
        joiner = "&" if "?" in self._url else "?"
        return f"{self._url}{joiner}timestamp={stamp}&sign={dingtalk_sign(self._secret, stamp)}"

    def send(self, message: Outgoing) -> str:
        """Post the message as markdown to the group."""
        body = {
            "msgtype": "markdown",
            "markdown": {"title": message.title or message.template, "text": _markdown(message)},
        }
        return _post_json(self.url(), body, self._timeout, DINGTALK_RETRYABLE)
