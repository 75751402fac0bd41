"""Staff passwords are hashed with argon2id at the library's recommended cost.

The other tests hash with a cheap stand-in (tests/support/speedups.py) to save seconds; this
file holds the kiosk's own hasher to the recommendation and checks that a hash made at a
lower cost is replaced at the next sign-in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import Type, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from flask import Flask
from sqlalchemy.orm import Session

from kiosk.models import Staff
from kiosk.services import staff as staff_service
from tests.conftest import STAFF_PASSWORD
from tests.support.speedups import TEST_HASHER, production_hasher


def test_the_kiosk_hashes_with_argon2id_at_the_recommended_cost() -> None:
    hasher = production_hasher()
    params = extract_parameters(hasher.hash(STAFF_PASSWORD))
    assert params.type is Type.ID
    assert params == RFC_9106_LOW_MEMORY  # 64 MiB, 3 passes, 4 lanes
    assert hasher.check_needs_rehash(TEST_HASHER.hash(STAFF_PASSWORD))


def test_a_cheaper_hash_is_replaced_at_the_next_sign_in(
    app: Flask, db: Session, make_staff: Callable[..., Staff], monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = make_staff("officer")
    assert extract_parameters(officer.password_hash).memory_cost == TEST_HASHER.memory_cost
    monkeypatch.setattr(staff_service, "_hasher", production_hasher())
    signed_in = staff_service.authenticate(db, app.config["KIOSK"], "officer", STAFF_PASSWORD)
    db.refresh(signed_in)
    assert extract_parameters(signed_in.password_hash) == RFC_9106_LOW_MEMORY
    assert production_hasher().verify(signed_in.password_hash, STAFF_PASSWORD)
