"""SMS to tenants through Alibaba Cloud's SendSms, against a fake endpoint that checks the
signature as the provider documents it: answered, needs information, resolved; retries,
timeouts, permanent refusals."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import Appeal, MessageState, Notification, Role, Staff
from kiosk.services import appeals
from kiosk.services.audit import Actor
from kiosk.services.notify import NotifyWorker
from kiosk.services.notify.aliyun import signature
from tests.services.notify.conftest import TEMPLATES, sms_settings
from tests.support.fake_sms import FakeSms


def _messages(db: Session) -> list[Notification]:
    db.commit()  # end the read, or SQLite would keep showing its old snapshot
    db.expire_all()
    return list(db.scalars(select(Notification).order_by(Notification.id)))


def test_the_signature_is_the_documented_example() -> None:
    # The provider's own worked example (its signature documentation), GET for the method.
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }  # fmt: skip
    assert signature("testSecret", "GET", params) == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_an_answer_reaches_the_tenant_as_one_signed_sms_with_the_status_link(
    sms_app: Flask,
    worker: NotifyWorker,
    fake_sms: FakeSms,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    officer = Actor(make_staff("officer", Role.STAFF))
    appeal = make_appeal(contact_mobile="13812345678")
    appeals.reply(db, appeal.id, "已联系公交集团，下月开通接驳线。", officer)
    assert fake_sms.received == []  # never in the request: the worker sends it
    assert worker.run_once() == 1
    (sent,) = fake_sms.received
    assert sent["PhoneNumbers"] == "13812345678"
    assert sent["SignName"] == "楼宇政务服务驿站"
    assert sent["TemplateCode"] == TEMPLATES["appeal_answered.zh_CN"]
    values = json.loads(sent["TemplateParam"])
    assert values == {
        "reference": appeal.reference,
        "link": f"http://kiosk.test/status/{appeal.token}",
    }
    (row,) = _messages(db)
    assert row.state is MessageState.SENT and row.provider == "aliyun"
    assert row.provider_message_id == "fake-1" and sent["OutId"] == str(row.id)
    assert row.recipient == "" and row.recipient_masked == "138****5678"  # gone once sent
    assert worker.run_once() == 0  # never twice


def test_needs_information_and_resolved_use_their_templates_in_the_tenants_language(
    sms_app: Flask,
    worker: NotifyWorker,
    fake_sms: FakeSms,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    officer = Actor(make_staff("officer", Role.STAFF))
    appeal = make_appeal(locale="en")
    appeals.reply(db, appeal.id, "请提供租赁合同首页。", officer, needs_info=True)
    appeals.resolve(db, appeal.id, "已办结。", officer)
    assert worker.run_once() == 2
    codes = [sent["TemplateCode"] for sent in fake_sms.received]
    assert codes == [TEMPLATES["appeal_needs_info.en"], TEMPLATES["appeal_resolved.en"]]


def test_a_wrong_secret_is_refused_by_the_provider_and_left_failed_for_staff(
    make_app: Callable[..., Flask],
    fake_sms: FakeSms,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    app = make_app(**sms_settings(fake_sms, sms_access_key_secret="not-the-secret"))
    appeals.resolve(db, make_appeal().id, "已办结。", Actor(make_staff()))
    NotifyWorker(app).run_once()
    assert fake_sms.received == [] and fake_sms.refused == ["SignatureDoesNotMatch"]
    (row,) = _messages(db)
    assert row.state is MessageState.FAILED and row.attempts == 1  # not tried again
    assert row.last_error.startswith("SignatureDoesNotMatch")


def test_a_refused_number_fails_at_once(
    worker: NotifyWorker,
    fake_sms: FakeSms,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    fake_sms.script.append("isv.BLACK_KEY_CONTROL_LIMIT")
    appeals.resolve(db, make_appeal().id, "已办结。", Actor(make_staff()))
    worker.run_once()
    (row,) = _messages(db)
    assert row.state is MessageState.FAILED and "isv.BLACK_KEY_CONTROL_LIMIT" in row.last_error


def test_server_errors_are_tried_again_with_back_off_then_sent(
    worker: NotifyWorker,
    fake_sms: FakeSms,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    fake_sms.script += [503, "isv.BUSINESS_LIMIT_CONTROL"]
    appeals.resolve(db, make_appeal().id, "已办结。", Actor(make_staff()))
    start = utcnow()
    worker.run_once(start)
    (row,) = _messages(db)
    assert row.state is MessageState.QUEUED and row.attempts == 1
    assert row.last_error.startswith("isp.SYSTEM_ERROR")
    assert row.next_attempt_at - start >= timedelta(seconds=29)
    assert worker.run_once(start + timedelta(seconds=5)) == 0  # not due yet
    worker.run_once(start + timedelta(seconds=31))  # per-number limit: later again
    (row,) = _messages(db)
    assert row.state is MessageState.QUEUED and row.attempts == 2
    assert row.next_attempt_at - (start + timedelta(seconds=31)) >= timedelta(seconds=59)
    worker.run_once(start + timedelta(minutes=5))
    (row,) = _messages(db)
    assert row.state is MessageState.SENT and row.attempts == 3
    assert len(fake_sms.received) == 1


def test_a_provider_that_never_answers_times_out_in_seconds_and_is_tried_again(
    worker: NotifyWorker,
    fake_sms: FakeSms,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    fake_sms.script.append("hang")
    appeals.resolve(db, make_appeal().id, "已办结。", Actor(make_staff()))
    began = time.monotonic()
    worker.run_once()
    assert time.monotonic() - began < 3  # notify_timeout is 0.5 s
    (row,) = _messages(db)
    assert row.state is MessageState.QUEUED and "no answer within 0.5 s" in row.last_error
    worker.run_once(utcnow() + timedelta(minutes=1))
    assert _messages(db)[0].state is MessageState.SENT and len(fake_sms.received) == 1


def test_after_the_last_try_the_message_fails(
    make_app: Callable[..., Flask],
    fake_sms: FakeSms,
    db: Session,
    make_appeal: Callable[..., Appeal],
    make_staff: Callable[..., Staff],
) -> None:
    app = make_app(**sms_settings(fake_sms, notify_retry_limit=2))
    fake_sms.script += [500, 500, 500]
    appeals.resolve(db, make_appeal().id, "已办结。", Actor(make_staff()))
    worker = NotifyWorker(app)
    worker.run_once()
    worker.run_once(utcnow() + timedelta(hours=1))
    (row,) = _messages(db)
    assert row.state is MessageState.FAILED and row.attempts == 2
    assert worker.run_once(utcnow() + timedelta(days=1)) == 0
