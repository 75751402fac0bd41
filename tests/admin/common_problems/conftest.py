"""Fixtures: the organisation and bus appeals of the common-problem service tests."""

from tests.services.common_problems.conftest import as_, bus_appeals, org  # noqa: F401
