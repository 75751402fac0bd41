"""Fixtures: the organisation of tests/support/org.py."""

from tests.support.org import as_, org, person  # noqa: F401 (fixtures)
