"""Which provider sends a message: the log by default, the configured SMS provider, the robots."""

from __future__ import annotations

import logging
import re

from kiosk.config import Settings
from kiosk.models import Channel
from kiosk.services.notify.base import Outgoing, Provider
from kiosk.services.notify.http import SendFailed

log = logging.getLogger("kiosk.notify")
# A status link's token opens the tenant's page: the log (kept in the database, read by
# maintainers) gets only its first characters.
_TOKEN = re.compile(r"(/status/[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+")


def without_tokens(text: str) -> str:
    """The text with every status link's token cut short."""
    return _TOKEN.sub(r"\1…", text)


class LogProvider:
    """Sends nothing: writes the message, its number masked, to the log."""

    name = "log"

    def send(self, message: Outgoing) -> str:
        """Log the message."""
        log.info(
            "message %s (%s, %s) to %s: %s",
            message.id,
            message.channel.value,
            message.template,
            message.recipient_masked or "staff",
            without_tokens(message.text),
        )
        return f"log-{message.id}"


def provider_for(channel: Channel, settings: Settings) -> Provider:
    """The provider for a channel under these settings (SendFailed when it is not set up)."""
    from kiosk.services.notify.aliyun import AliyunSms
    from kiosk.services.notify.robots import DingtalkRobot, WecomRobot

    if channel is Channel.SMS:
        return AliyunSms(settings) if settings.sms_provider == "aliyun" else LogProvider()
    if channel is Channel.WECOM:
        if not settings.wecom_webhook_url:
            raise SendFailed("no 企业微信 robot is configured any more", permanent=True)
        return WecomRobot(settings.wecom_webhook_url, settings.notify_timeout)
    if channel is Channel.DINGTALK:
        if not settings.dingtalk_webhook_url:
            raise SendFailed("no 钉钉 robot is configured any more", permanent=True)
        return DingtalkRobot(
            settings.dingtalk_webhook_url, settings.dingtalk_secret, settings.notify_timeout
        )
    return LogProvider()
