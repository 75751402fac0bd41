"""The 企业微信 and 钉钉 group robots: their documented JSON, 钉钉's 加签, their error codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Channel, MessageState, Notification, Staff
from kiosk.services import notify
from kiosk.services.notify import NotifyWorker

SECRET = "SEC0123456789abcdef"


class Robot:
    """A group robot's webhook on 127.0.0.1: records each post, answers `answers` in turn."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, list[str]], dict[str, Any]]] = []
        self.answers: list[dict[str, Any]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.posts.append((parse_qs(urlsplit(self.path).query), json.loads(body)))
                answer = robot.answers.pop(0) if robot.answers else {"errcode": 0, "errmsg": "ok"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        """An address on this robot."""
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def robot() -> Iterator[Robot]:
    found = Robot()
    yield found
    found.server.shutdown()
    found.server.server_close()


def _tell(db: Session, app: Flask, officer: Staff, key: str = "h-1") -> None:
    notify.notify_staff(
        db, officer, "handed_off", settings=app.config["KIOSK"], key=key, building_code="demo",
        reference="SQ-20261207-0001", title="停车难", due="2026-12-14",
        link="http://kiosk.test/admin/appeals/SQ-20261207-0001",
    )  # fmt: skip
    db.commit()


def test_wecom_gets_markdown_and_dingtalk_a_signed_post(
    make_app: Callable[..., Flask], db: Session, robot: Robot, make_staff: Callable[..., Staff]
) -> None:
    app = make_app(
        wecom_webhook_url=robot.url("/cgi-bin/webhook/send?key=wk"),
        dingtalk_webhook_url=robot.url("/robot/send?access_token=dt"),
        dingtalk_secret=SECRET,
    )
    _tell(db, app, make_staff("liwei", name="李伟"))
    assert NotifyWorker(app).run_once() == 2
    (wecom_query, wecom), (ding_query, ding) = robot.posts
    assert wecom_query == {"key": ["wk"]} and wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"] == (
        "**交办给您**\n\n李伟：SQ-20261207-0001（停车难）已交办给您，请于2026-12-14前办理。"
        "http://kiosk.test/admin/appeals/SQ-20261207-0001"
    )
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == "交办给您"
    stamp = ding_query["timestamp"][0]
    mac = hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert ding_query["sign"] == [base64.b64encode(mac).decode()]  # parse_qs undid the quoting
    assert ding_query["access_token"] == ["dt"]
    states = db.scalars(select(Notification.state)).all()
    assert set(states) == {MessageState.SENT}


def test_a_robot_over_its_rate_is_tried_again_and_a_wrong_key_fails(
    make_app: Callable[..., Flask], db: Session, robot: Robot, make_staff: Callable[..., Staff]
) -> None:
    app = make_app(wecom_webhook_url=robot.url("/cgi-bin/webhook/send?key=wk"))
    robot.answers = [
        {"errcode": 45009, "errmsg": "api freq out of limit"},
        {"errcode": 93000, "errmsg": "invalid webhook url"},
    ]
    officer = make_staff()
    _tell(db, app, officer, "h-1")
    _tell(db, app, officer, "h-2")
    NotifyWorker(app).run_once()
    db.expire_all()
    busy, wrong = db.scalars(select(Notification).order_by(Notification.id)).all()
    assert busy.channel is Channel.WECOM
    assert busy.state is MessageState.QUEUED and "45009" in busy.last_error
    assert wrong.state is MessageState.FAILED and "93000" in wrong.last_error
