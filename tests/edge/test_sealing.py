"""A terminal seals resident IDs it cannot open; the central opens them, through a rotation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.edge.sealing import (
    FleetVault,
    SealingKey,
    ensure_fleet_keys,
    key_id,
    read_fleet_keys,
    rotate_fleet_keys,
)
from kiosk.pii import UnreadableSecret, load_vault

ID = "11010519491231002X"


def test_a_terminal_seals_and_cannot_open(tmp_path: Path) -> None:
    (key,) = ensure_fleet_keys(tmp_path)
    terminal = SealingKey(key.public_key)
    sealed = terminal.seal(ID)
    assert sealed.startswith("v2:") and ID not in sealed and sealed != terminal.seal(ID)
    with pytest.raises(UnreadableSecret):
        terminal.open(sealed)
    assert FleetVault([key]).open(sealed) == ID
    assert oct((tmp_path / "fleet.keys").stat().st_mode & 0o777) == "0o600"


def test_a_damaged_or_foreign_token_is_unreadable(tmp_path: Path) -> None:
    (key,) = ensure_fleet_keys(tmp_path)
    vault = FleetVault([key])
    sealed = vault.seal(ID)
    for bad in (sealed[:-4] + "AAAA", "v2:00000000:" + sealed.split(":")[2], "v1:nonsense"):
        with pytest.raises(UnreadableSecret):
            vault.open(bad)


def test_rotation_keeps_old_numbers_readable_and_reseals_them(tmp_path: Path) -> None:
    (old,) = ensure_fleet_keys(tmp_path)
    legacy = load_vault(tmp_path)  # numbers sealed before the fleet had terminals
    before_fleet, sealed_old = legacy.seal(ID), SealingKey(old.public_key).seal(ID)
    new_public = rotate_fleet_keys(tmp_path)
    keys = read_fleet_keys(tmp_path)
    assert keys is not None and [key_id(k.public_key) for k in keys] == [
        key_id(new_public), key_id(old.public_key),
    ]  # fmt: skip
    vault = FleetVault(keys, legacy)
    assert vault.open(sealed_old) == vault.open(before_fleet) == ID
    resealed = vault.rotate(sealed_old)
    assert resealed.startswith(f"v2:{key_id(new_public)}:") and vault.rotate(resealed) == resealed
    assert FleetVault(keys[:1]).open(resealed) == ID  # the old key may now go
