"""Fixtures for edge terminals: a central (the usual test app) and enrolled terminals."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from kiosk.edge.agent import EdgeAgent
from kiosk.edge.enrol import issue_code
from kiosk.services.fleet.executors import EXECUTORS
from tests.edge.support import InProcessCentral, enrol_terminal


@pytest.fixture
def make_terminal(
    app: Flask, db: Session, tmp_path: Path, sqlite_template: Path
) -> Iterator[Callable[..., tuple[Flask, EdgeAgent, InProcessCentral]]]:
    """Enrol a terminal at the central `app` (building "demo"); its agent talks in-process."""
    made: list[Flask] = []
    numbers = itertools.count(1)

    def factory(kiosk_id: str = "") -> tuple[Flask, EdgeAgent, InProcessCentral]:
        n = next(numbers)
        kiosk_id = kiosk_id or f"lobby-{n}"
        code = issue_code(db, kiosk_id, "demo", f"大堂 {n} 号机", "test").code
        folder = tmp_path / kiosk_id
        terminal = enrol_terminal(app, code, folder, sqlite_template)
        made.append(terminal)
        agent = EdgeAgent(terminal, EXECUTORS)
        central = InProcessCentral(app.test_client(), agent.identity.token)
        agent.central = central  # type: ignore[assignment]
        return terminal, agent, central

    yield factory
    for terminal in made:
        terminal.extensions["kiosk.engine"].dispose()
