"""Personal data encrypted at rest: Fernet tokens in the database, the keys in the instance folder.

`instance/pii.keys` holds one Fernet key per line. The first line seals; every line opens, so a
new key goes in as the first line and the old ones stay until every token has been rotated.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_FILE = "pii.keys"
VERSION_PREFIX = "v1:"  # v1: a Fernet token (AES-128-CBC + HMAC-SHA256), urlsafe base64
_UNREADABLE = "the token is damaged or was sealed with an unknown key"
# What seal() writes, padding included: some cryptography releases decode a token with a
# padding character missing, so a cut token is refused here rather than left to their decoder.
_FERNET_TEXT = re.compile(r"(?:[A-Za-z0-9_-]{4})+(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?")


class UnreadableSecret(Exception):
    """A token that is damaged, or was sealed with a key this kiosk does not have."""


class Vault:
    """Seals text with the first key and opens tokens sealed with any of the keys."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a vault needs at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, text: str) -> str:
        """An opaque "v1:…" token for `text`, different each time."""
        return VERSION_PREFIX + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str:
        """The text sealed in `token`; UnreadableSecret when it is damaged or the key is unknown."""
        try:
            return self._fernet.decrypt(self._fernet_token(token)).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise UnreadableSecret(_UNREADABLE) from exc

    def rotate(self, token: str) -> str:
        """`token` sealed again with the first key (UnreadableSecret as for `open`)."""
        try:
            return VERSION_PREFIX + self._fernet.rotate(self._fernet_token(token)).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise UnreadableSecret(_UNREADABLE) from exc

    @staticmethod
    def _fernet_token(token: str) -> bytes:
        """The Fernet part of a "v1:" token."""
        if not token.startswith(VERSION_PREFIX):
            raise InvalidToken
        text = token[len(VERSION_PREFIX) :]
        if not _FERNET_TEXT.fullmatch(text):
            raise InvalidToken
        return text.encode("ascii")


def load_vault(instance_path: Path) -> Vault:
    """The vault for `instance_path/pii.keys`, creating the file with a new key on first run."""
    path = instance_path / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    return Vault(_read_keys(path))


def _create_key_file(path: Path) -> None:
    """Write a new key to `path` unless another process or thread gets there first."""
    # The key is written and synced under a temporary name, then hard-linked into place: the
    # link fails if `path` exists, so of two kiosks starting together exactly one key wins, and
    # nobody ever reads a key file that has been created but not yet written.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
            _sync_directory(path.parent)  # a key lost in a power cut loses what it sealed
    finally:
        temporary.unlink(missing_ok=True)


def _sync_directory(directory: Path) -> None:
    """Make a new name in `directory` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_keys(path: Path) -> list[bytes]:
    """The keys in `path`, refusing a file others can read or a line that is not a key."""
    mode = path.stat().st_mode
    if mode & 0o077:
        raise RuntimeError(
            f"{path} is open to other users (mode {stat.filemode(mode)}): "
            f"run `chmod 600 {path}` and check who has seen it"
        )
    keys: list[bytes] = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            Fernet(line.strip())
        except ValueError:
            # The line itself is not shown: it may be a key with one character wrong.
            raise RuntimeError(f"line {number} of {path} is not a Fernet key") from None
        keys.append(line.strip())
    if not keys:
        raise RuntimeError(f"{path} has no key in it")
    return keys
