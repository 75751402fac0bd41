"""Work every test repeats, done once per test process instead (see tests/conftest.py).

- `SharedTemplateCode`: each test builds its own app, and each app compiled every template
  it rendered again (about 20-40 ms a template, a few hundred ms a test that opens pages).
  Jinja's bytecode cache, kept in memory and shared by the apps of one process, compiles each
  template once; a template whose source changed is compiled again (its checksum differs).
- `TEST_HASHER`: argon2id with the smallest cost, for the accounts tests make and sign in
  with. The library's recommended cost takes 50-150 ms a hash or check on an idle machine,
  seconds on a busy one; the tests prove who may sign in, not how slow a guess is.
  tests/test_password_hashing.py holds the production parameters to the recommendation.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher, Type
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)
_PRODUCTION: list[PasswordHasher] = []  # the kiosk's own hasher while TEST_HASHER stands in


def production_hasher() -> PasswordHasher:
    """The hasher kiosk.services.staff was built with, whether or not tests replaced it."""
    from kiosk.services import staff

    return _PRODUCTION[0] if _PRODUCTION else staff._hasher


class SharedTemplateCode(BytecodeCache):
    """Compiled templates in memory, shared by every app with the same Jinja settings."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The bucket for a template, keyed by the settings that change its compiled code."""
        key = self.get_cache_key(f"{_settings(environment)}\0{name}", filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket from memory, if this template was compiled before."""
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a freshly compiled template."""
        self._code[bucket.key] = bucket.bytecode_to_string()


def _settings(environment: Environment) -> str:
    """What, besides the source, decides a template's compiled code."""
    return repr(
        (
            sorted(environment.extensions),
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            environment.optimized,
            environment.is_async,
            getattr(environment, "newstyle_gettext", None),
        )
    )


@contextmanager
def cheap_password_hashing() -> Iterator[None]:
    """Hash and check staff passwords with `TEST_HASHER` in every kiosk module of this process."""
    from kiosk.services import staff

    real = staff._hasher
    patched = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("kiosk") and getattr(module, "_hasher", None) is real
    ]
    real_dummy = staff._DUMMY_HASH
    _PRODUCTION.insert(0, real)
    for module in patched:
        module._hasher = TEST_HASHER  # type: ignore[attr-defined]
    staff._DUMMY_HASH = TEST_HASHER.hash("not a real password")
    try:
        yield
    finally:
        for module in patched:
            module._hasher = real  # type: ignore[attr-defined]
        staff._DUMMY_HASH = real_dummy
        _PRODUCTION.remove(real)
