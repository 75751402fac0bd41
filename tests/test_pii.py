"""Personal data sealed at rest: what goes in comes out, only with the right key, and the key file
is made once, privately, however many kiosk processes start together."""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from kiosk.pii import KEY_FILE, UnreadableSecret, Vault, load_vault
from kiosk.text import mask_resident_id

RARE = "𠮷野家 䶮 龘 𪚥 👨\u200d👩\u200d👧 ❤️ e\u0301 张三 11010519491231002X"


def key_file(instance: Path) -> Path:
    """The key file of an instance folder."""
    return instance / KEY_FILE


def test_round_trip_keeps_every_character(tmp_path: Path) -> None:
    vault = load_vault(tmp_path)
    for text in (RARE, "", "13812345678", "x" * 10_000):
        token = vault.seal(text)
        assert token.startswith("v1:") and token.isascii()
        assert vault.open(token) == text


def test_the_token_does_not_show_the_text(tmp_path: Path) -> None:
    vault = load_vault(tmp_path)
    first, second = vault.seal("11010519491231002X"), vault.seal("11010519491231002X")
    assert first != second  # the same number twice cannot be matched up in the database
    for token in (first, second):
        assert "11010519491231002X" not in token and "1949" not in token


def test_key_file_made_on_first_use_readable_by_the_owner_only(tmp_path: Path) -> None:
    token = load_vault(tmp_path).seal("张三")
    path = key_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_bytes().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE]  # no temporary file left
    assert load_vault(tmp_path).open(token) == "张三"  # a restart reads the same key


def test_threads_starting_together_share_one_key(tmp_path: Path) -> None:
    count = 16
    barrier = threading.Barrier(count)
    tokens: list[str] = []

    def start() -> None:
        barrier.wait(timeout=30)
        tokens.append(load_vault(tmp_path).seal("王五"))

    threads = [threading.Thread(target=start) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(tokens) == count
    assert len(key_file(tmp_path).read_bytes().splitlines()) == 1
    vault = load_vault(tmp_path)
    assert {vault.open(token) for token in tokens} == {"王五"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE]


def _seal_in_another_process(instance: str, barrier: Any, results: Any) -> None:
    """Start like a kiosk process: load the vault and seal something."""
    barrier.wait(timeout=60)
    results.put(load_vault(Path(instance)).seal(f"process {os.getpid()}"))


def test_processes_starting_together_share_one_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    count = 4
    barrier = context.Barrier(count)
    results = context.Queue()
    processes = [
        context.Process(target=_seal_in_another_process, args=(str(tmp_path), barrier, results))
        for _ in range(count)
    ]
    for process in processes:
        process.start()
    tokens = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
        process.close()
    results.close()
    results.join_thread()
    vault = load_vault(tmp_path)
    assert all(vault.open(token).startswith("process ") for token in tokens)
    assert len(key_file(tmp_path).read_bytes().splitlines()) == 1


def test_a_token_from_another_kiosk_is_unreadable(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    token = load_vault(one).seal("张三")
    with pytest.raises(UnreadableSecret):
        load_vault(two).open(token)
    with pytest.raises(UnreadableSecret):
        load_vault(two).rotate(token)


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-1],
        lambda t: t[:20] + ("A" if t[20] != "A" else "B") + t[21:],
        lambda t: t.removeprefix("v1:"),
        lambda t: "v2:" + t[3:],
        lambda t: t + "张",
        lambda t: "",
    ],
    ids=["cut", "one-character", "no-prefix", "unknown-version", "non-ascii", "empty"],
)
def test_a_damaged_token_is_unreadable(tmp_path: Path, damage: Any) -> None:
    vault = load_vault(tmp_path)
    token = damage(vault.seal("张三"))
    with pytest.raises(UnreadableSecret):
        vault.open(token)
    with pytest.raises(UnreadableSecret):
        vault.rotate(token)


def test_rotation_to_a_new_first_key(tmp_path: Path) -> None:
    old_vault = load_vault(tmp_path)
    old_token = old_vault.seal(RARE)
    old_key = key_file(tmp_path).read_bytes()
    new_key = Fernet.generate_key()
    key_file(tmp_path).write_bytes(new_key + b"\n" + old_key)

    vault = load_vault(tmp_path)
    assert vault.open(old_token) == RARE  # old tokens still open
    new_token = vault.rotate(old_token)
    assert new_token.startswith("v1:") and new_token != old_token
    assert vault.open(new_token) == RARE
    with pytest.raises(UnreadableSecret):
        old_vault.open(vault.seal("sealed with the new key"))

    key_file(tmp_path).write_bytes(new_key + b"\n")  # once all is rotated the old key can go
    assert load_vault(tmp_path).open(new_token) == RARE
    with pytest.raises(UnreadableSecret):
        load_vault(tmp_path).open(old_token)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o606, 0o644])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    load_vault(tmp_path)
    key_file(tmp_path).chmod(mode)
    with pytest.raises(RuntimeError, match="chmod 600"):
        load_vault(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        b"not a key\n",
        Fernet.generate_key() + b"\nnot a key\n",
        Fernet.generate_key()[:-2] + b"\n",
        Fernet.generate_key() + b"\n\n" + Fernet.generate_key() + b"\n",
        b"",
    ],
    ids=["garbage", "second-line", "truncated", "blank-line", "empty"],
)
def test_a_malformed_key_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = key_file(tmp_path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    with pytest.raises(RuntimeError, match=KEY_FILE) as error:
        load_vault(tmp_path)
    for line in content.splitlines():  # a key, or a key with a slip, is never shown
        assert not line or line.decode() not in str(error.value)
    assert path.read_bytes() == content  # left for a person to look at, not replaced


def test_more_keys_with_windows_line_ends_are_read(tmp_path: Path) -> None:
    first, second = Fernet.generate_key(), Fernet.generate_key()
    token = Vault([second]).seal("李四")
    path = key_file(tmp_path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(first + b"\r\n" + second + b"\r\n")
    vault = load_vault(tmp_path)
    assert vault.open(token) == "李四"
    assert Vault([first]).open(vault.seal("李四")) == "李四"  # the first line seals


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("11010519491231002X", "110***********002X"),
        ("110105491231002", "110********1002"),  # the old 15-digit numbers
        ("", "******************"),
        ("1101", "******************"),
    ],
)
def test_mask_resident_id(number: str, masked: str) -> None:
    assert mask_resident_id(number) == masked
