"""Resident ID numbers sealed with the fleet's public key: a terminal seals and never opens.

A sealed box (libsodium, through PyNaCl: X25519 + XSalsa20-Poly1305 with a throwaway sender
key) can be opened only with the private key. The central servers keep the fleet's key pairs in
`<instance>/fleet.keys` (mode 0600, one private key a line, base64; the first seals and is the
one terminals are given); a terminal is given only public keys. A token reads
"v2:<key id>:<box>", the key id being the first 8 hex digits of the public key's SHA-256, so a
central that holds several keys (during a rotation) knows which opens which.

Rotation (docs/security.md): `kiosk edge keys rotate` puts a new key pair first; terminals take
its public key at their next sync; `kiosk edge keys reseal` seals every stored number again
with the new key; then the old line can go.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from kiosk.pii import UnreadableSecret, Vault

PREFIX = "v2:"
KEY_FILE = "fleet.keys"
_CANNOT_OPEN = "this terminal holds only the fleet's public key: it seals and cannot open"


class Sealer(Protocol):
    """What seals a resident ID number (and, where the key is held, opens one)."""

    def seal(self, text: str) -> str:
        """An opaque token for `text`."""

    def open(self, token: str) -> str:
        """The text in `token`, or UnreadableSecret."""


def vault_for(app: Any) -> Sealer:
    """The sealer this process uses: a terminal's public key, the central's fleet keys (with
    `pii.keys` for numbers sealed before), or the embedded kiosk's own `pii.keys`."""
    from kiosk.pii import KEY_FILE as FERNET_FILE
    from kiosk.pii import load_vault

    instance = Path(app.instance_path)
    identity = app.extensions.get("kiosk.edge.identity")
    if app.config["KIOSK"].edge:
        if identity is None or not identity.public_keys:
            raise RuntimeError("this terminal is not enrolled: run `kiosk enrol URL CODE`")
        return SealingKey(decode_public(identity.public_keys[0]))
    keys = read_fleet_keys(instance)
    if keys is None:
        return load_vault(instance)
    legacy = load_vault(instance) if (instance / FERNET_FILE).exists() else None
    return FleetVault(keys, legacy)


def key_id(public: PublicKey) -> str:
    """A short name for a public key: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(bytes(public)).hexdigest()[:8]


def encode_public(public: PublicKey) -> str:
    """A public key as text, for the enrolment answer and the sync."""
    return base64.b64encode(bytes(public)).decode("ascii")


def decode_public(text: str) -> PublicKey:
    """The public key `encode_public` wrote (ValueError if it is not one)."""
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) != 32:
        raise ValueError("a fleet public key is 32 bytes")
    return PublicKey(raw)


def is_sealed(value: object) -> bool:
    """Whether `value` is a sealed token of either kind (Fernet "v1:" or sealed box "v2:")."""
    return isinstance(value, str) and value.startswith(("v1:", PREFIX))


def _box(public: PublicKey, text: str) -> str:
    sealed = SealedBox(public).encrypt(text.encode("utf-8"))
    return f"{PREFIX}{key_id(public)}:{base64.urlsafe_b64encode(sealed).decode('ascii')}"


class SealingKey:
    """A terminal's vault: seals with the fleet's current public key; opening is refused."""

    def __init__(self, public: PublicKey) -> None:
        self.public = public

    def seal(self, text: str) -> str:
        """A "v2:" token for `text`, different each time."""
        return _box(self.public, text)

    def open(self, token: str) -> str:
        """Always refused: the private key is not on this machine."""
        raise UnreadableSecret(_CANNOT_OPEN)


class FleetVault:
    """The central's vault: seals with the first key pair, opens sealed boxes of any of its
    pairs, and Fernet tokens with the instance's older `pii.keys` when there is one."""

    def __init__(self, keys: Sequence[PrivateKey], legacy: Vault | None = None) -> None:
        if not keys:
            raise ValueError("a fleet vault needs at least one key pair")
        self.keys = list(keys)
        self._by_id = {key_id(k.public_key): k for k in self.keys}
        self._legacy = legacy

    @property
    def public(self) -> PublicKey:
        """The public key terminals seal with."""
        return self.keys[0].public_key

    def seal(self, text: str) -> str:
        """A "v2:" token for `text` under the current key."""
        return _box(self.public, text)

    def open(self, token: str) -> str:
        """The text in a "v2:" (or, with a legacy vault, "v1:") token."""
        if not token.startswith(PREFIX):
            if self._legacy is None:
                raise UnreadableSecret("the token is damaged or was sealed with an unknown key")
            return self._legacy.open(token)
        kid, _, box = token[len(PREFIX) :].partition(":")
        key = self._by_id.get(kid)
        if key is None:
            raise UnreadableSecret("the token was sealed with a key this server does not hold")
        try:
            sealed = base64.urlsafe_b64decode(box.encode("ascii"))
            return SealedBox(key).decrypt(sealed).decode("utf-8")
        except (CryptoError, ValueError, UnicodeError) as exc:
            raise UnreadableSecret("the token is damaged") from exc

    def rotate(self, token: str) -> str:
        """`token` sealed again under the current key (unchanged when it already is)."""
        if token.startswith(f"{PREFIX}{key_id(self.public)}:"):
            return token
        return self.seal(self.open(token))


def generate_key_line() -> bytes:
    """A new private key as one line of `fleet.keys`."""
    return base64.b64encode(bytes(PrivateKey.generate())) + b"\n"


def read_fleet_keys(instance_path: Path) -> list[PrivateKey] | None:
    """The key pairs in `fleet.keys`, newest first; None when the file is absent."""
    path = instance_path / KEY_FILE
    if not path.exists():
        return None
    mode = path.stat().st_mode
    if mode & 0o077:
        raise RuntimeError(
            f"{path} is open to other users (mode {stat.filemode(mode)}): run `chmod 600 {path}`"
        )
    keys = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            raw = base64.b64decode(line.strip(), validate=True)
            keys.append(PrivateKey(raw))
        except (ValueError, TypeError):
            raise RuntimeError(f"line {number} of {path} is not a fleet private key") from None
    if not keys:
        raise RuntimeError(f"{path} has no key in it")
    return keys


def write_fleet_keys(instance_path: Path, lines: Iterable[bytes]) -> None:
    """Replace `fleet.keys` atomically (mode 0600)."""
    path = instance_path / KEY_FILE
    temporary = path.with_name(f".{KEY_FILE}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.writelines(lines)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def rotate_fleet_keys(instance_path: Path) -> PublicKey:
    """Put a new key pair first in `fleet.keys` (created if absent); its public key."""
    old = read_fleet_keys(instance_path) or []
    line = generate_key_line()
    write_fleet_keys(instance_path, [line, *(base64.b64encode(bytes(k)) + b"\n" for k in old)])
    return PrivateKey(base64.b64decode(line.strip())).public_key


def ensure_fleet_keys(instance_path: Path) -> list[PrivateKey]:
    """The fleet's key pairs, creating `fleet.keys` with one pair on first use."""
    keys = read_fleet_keys(instance_path)
    if keys is not None:
        return keys
    path = instance_path / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it a moment ago
        return read_fleet_keys(instance_path) or []
    with os.fdopen(fd, "wb") as handle:
        handle.write(generate_key_line())
        handle.flush()
        os.fsync(handle.fileno())
    return read_fleet_keys(instance_path) or []
