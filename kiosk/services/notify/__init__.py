"""Telling people: SMS to tenants, group robots for staff, through an outbox and a worker.

A message is a `Notification` row written in the same transaction as the change it tells of
(`outbox`); only the worker (`worker`) talks to a provider (`providers`: the log by default,
Alibaba Cloud SMS in `aliyun`, the 企业微信 and 钉钉 robots in `robots`), with explicit
timeouts, retries with back-off, and permanent failures left for staff to see.
"""

from kiosk.services.notify.base import Outgoing, Provider
from kiosk.services.notify.http import SendFailed
from kiosk.services.notify.outbox import (
    Counts,
    backoff,
    counts,
    enqueue,
    for_subject,
    listing,
    notify_staff,
    retry,
    staff_channels,
    tell_tenant,
)
from kiosk.services.notify.worker import NotifyWorker

__all__ = [
    "Counts",
    "NotifyWorker",
    "Outgoing",
    "Provider",
    "SendFailed",
    "backoff",
    "counts",
    "enqueue",
    "for_subject",
    "listing",
    "notify_staff",
    "retry",
    "staff_channels",
    "tell_tenant",
]
