"""Fixtures for telling people: a fake SMS endpoint, an app that uses it, a worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from kiosk.config import SMS_EVENTS
from kiosk.services.notify import NotifyWorker
from tests.support.fake_sms import FakeSms

TEMPLATES = {
    **{f"{event}.zh_CN": f"SMS_1000{n}" for n, event in enumerate(SMS_EVENTS)},
    **{f"{event}.en": f"SMS_2000{n}" for n, event in enumerate(SMS_EVENTS)},
}


@pytest.fixture
def fake_sms() -> Iterator[FakeSms]:
    """A fake Alibaba Cloud SMS endpoint on 127.0.0.1 that checks signatures."""
    fake = FakeSms().start()
    yield fake
    fake.stop()


def sms_settings(fake: FakeSms, **overrides: Any) -> dict[str, Any]:
    """Settings that send SMS through the fake endpoint."""
    return {
        "sms_provider": "aliyun",
        "sms_access_key_id": fake.access_key_id,
        "sms_access_key_secret": fake.secret,
        "sms_sign_name": "楼宇政务服务驿站",
        "sms_templates": TEMPLATES,
        "sms_endpoint": fake.url,
        "notify_timeout": 0.5,
        **overrides,
    }


@pytest.fixture
def sms_app(make_app: Callable[..., Flask], fake_sms: FakeSms) -> Flask:
    """The app, sending SMS through the fake endpoint."""
    return make_app(**sms_settings(fake_sms))


@pytest.fixture
def worker(sms_app: Flask) -> NotifyWorker:
    """The message worker of `sms_app`."""
    return NotifyWorker(sms_app)
