"""A central and a terminal in one process: the terminal's calls go to the central's test
client instead of the network, so the outbox, the sync and enrolment are tested in
milliseconds (tests/edge/test_two_terminals.py runs real processes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from kiosk import create_app
from kiosk.edge import identity as enrolment
from kiosk.edge.client import Answer, LinkDown, Refused
from tests.conftest import TEST_SECRET


class InProcessCentral:
    """Stands in for kiosk.edge.client.Central: the same calls, to a test client; `down`
    makes every call fail as an unreachable central would."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token
        self.down = False
        self.calls = 0

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        etag: str = "",
        authorised: bool = True,
    ) -> Answer:
        """One call, answered as Central.call answers."""
        self.calls += 1
        if self.down:
            raise LinkDown("ConnectionRefusedError: the central is stopped")
        headers = {"Authorization": f"Bearer {self.token}"} if authorised else {}
        if etag:
            headers["If-None-Match"] = etag
        response = self.client.open(
            path, method=method, headers=headers,
            data=None if body is None else json.dumps(body), content_type="application/json",
        )  # fmt: skip
        if response.status_code == 304:
            return Answer(304, {}, etag)
        data = response.get_json(silent=True) or {}
        if response.status_code >= 500:
            raise LinkDown(str(response.status_code))
        if response.status_code >= 400:
            raise Refused(response.status_code, data)
        return Answer(response.status_code, data, response.headers.get("ETag", ""))


def enrol_terminal(central: Flask, code: str, folder: Path, template: Path) -> Flask:
    """Redeem `code` at `central` and build an edge terminal on its own SQLite in `folder`."""
    answer = central.test_client().post("/api/v1/edge/enrol", json={"code": code})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    instance = folder / "instance"
    enrolment.save(
        instance,
        enrolment.Identity(
            central_url="http://127.0.0.1:9", kiosk_id=body["kiosk_id"],
            building=body["building"], name=body["name"], short_code=body["short_code"],
            token=body["token"], link_key=body["link_key"],
            public_keys=tuple(body["public_keys"]), public_url=body["public_url"],
        ),
    )  # fmt: skip
    database = folder / "terminal.db"
    shutil.copyfile(template, database)
    app = create_app(
        {
            "secret_key": TEST_SECRET, "database_url": f"sqlite:///{database}", "edge": True,
            "print_worker": False, "receipt_printer": "dummy://",
        },
        instance_path=instance,
    )  # fmt: skip
    app.config["TESTING"] = True
    return app
