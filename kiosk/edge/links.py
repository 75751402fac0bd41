"""References and tracking links made at a terminal, without asking the central.

A reference carries the terminal's short code (SQ-20261124-A7-0042): the central's own
references have no such part, and each code belongs to one terminal, so a reference is unique
across the fleet while the terminal counts on its own. A tracking link's token carries the
short code and the time it was taken, vouched for by an HMAC under the terminal's link key:
until the submission arrives, the central can say truthfully "taken at that kiosk at that time,
on its way", and a made-up token gets the page any unknown token gets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from kiosk.edge.identity import Identity

RANDOM_BYTES = 16  # 128 bits: the link stays unguessable on its own
MAC_BYTES = 12


def reference(prefix: str, day_key: str, short_code: str, value: int) -> str:
    """A terminal's reference: prefix, day, the terminal's short code, the day's number."""
    return f"{prefix}-{day_key}-{short_code}-{value:04d}"


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def _mac(link_key: str, body: str) -> str:
    digest = hmac.new(bytes.fromhex(link_key), body.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:MAC_BYTES]).decode("ascii")


def mint_token(identity: Identity, now: datetime) -> str:
    """A tracking token: random, the short code, the time (seconds, base 36), and the MAC."""
    random_part = secrets.token_urlsafe(RANDOM_BYTES)
    body = f"{random_part}.{identity.short_code}.{_b36(int(now.timestamp()))}"
    return f"{body}.{_mac(identity.link_key, body)}"


@dataclass(frozen=True)
class Pending:
    """What a genuine terminal token says before its submission has arrived."""

    short_code: str
    taken_at: datetime


def short_code_of(token: str) -> str | None:
    """The short code a terminal's token names, or None for any other token."""
    parts = token.split(".")
    return parts[1] if len(parts) == 4 and 1 <= len(parts[1]) <= 4 else None


def verify(token: str, link_key: str) -> Pending | None:
    """What `token` says, if its MAC is right under `link_key`; else None."""
    parts = token.split(".")
    if len(parts) != 4:
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(_mac(link_key, body), parts[3]):
        return None
    try:
        taken_at = datetime.fromtimestamp(int(parts[2], 36), UTC)
    except (ValueError, OverflowError):
        return None
    return Pending(parts[1], taken_at)
