"""What an enrolled terminal was given, kept in `<instance>/edge.json` (mode 0600): the central's
address, the kiosk's id, building, name and short code, its API token, the key that vouches
for its tracking links, and the fleet's public key. Nothing in it opens sealed data."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FILE = "edge.json"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class NotEnrolled(Exception):
    """An edge terminal whose instance folder has no enrolment."""


def check_central_url(url: str) -> str:
    """The central's base URL: https, or http on loopback only (for a test or a local tunnel)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{url!r} is not an https:// address")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise ValueError(
            f"{url!r}: a terminal talks to the central over https only (http is for loopback)"
        )
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class Identity:
    """An enrolled terminal's identity."""

    central_url: str
    kiosk_id: str
    building: str
    name: str
    short_code: str
    token: str
    link_key: str
    public_keys: tuple[str, ...]  # the fleet's, base64; the first seals
    public_url: str = ""  # where phones open tracking links: the central's public address

    def with_public_keys(self, keys: list[str]) -> Identity:
        """The same identity with the fleet's public keys as the central now lists them."""
        return replace(self, public_keys=tuple(keys))


def load(instance_path: Path) -> Identity:
    """The identity `kiosk enrol` saved; NotEnrolled when there is none."""
    path = instance_path / FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotEnrolled(
            f"this terminal is not enrolled ({path} is missing): run `kiosk enrol URL CODE`"
        ) from None
    data["public_keys"] = tuple(data.get("public_keys", ()))
    return Identity(**data)


def save(instance_path: Path, identity: Identity) -> None:
    """Write the identity atomically, readable by this user only."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / FILE
    temporary = path.with_name(f".{FILE}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        data = asdict(identity)
        data["public_keys"] = list(identity.public_keys)
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
