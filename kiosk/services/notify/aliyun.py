"""Alibaba Cloud SMS (dysmsapi, API version 2017-05-25): SendSms with the RPC signature.

The signature, as the provider documents it: every parameter but `Signature`, sorted by name,
each name and value percent-encoded per RFC 3986 (A–Z a–z 0–9 - _ . ~ kept, a space as %20),
joined as `k=v&…`; the string to sign is `POST&%2F&` + that string percent-encoded again; the
signature is Base64(HMAC-SHA1(AccessKeySecret + "&", string to sign)). A `SignatureNonce` is
used once, a `Timestamp` is UTC ISO 8601.

Answers are JSON: `{"Code": "OK", "BizId": …}` when the message was taken, else a `Code` such
as `isv.MOBILE_NUMBER_ILLEGAL` (a refused number: permanent) or `isv.BUSINESS_LIMIT_CONTROL`
(too many to one number for now: tried again later).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from kiosk.config import Settings
from kiosk.services.notify.base import Outgoing
from kiosk.services.notify.http import SendFailed, post

VERSION = "2017-05-25"
# Codes after which the same message may well go through later; any other refusal (a wrong
# key, sign name or template, a refused or blacklisted number, no balance) waits for staff.
RETRYABLE = frozenset(
    {
        "isp.SYSTEM_ERROR",
        "isv.BUSINESS_LIMIT_CONTROL",  # per-number limits (a minute, an hour)
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "ServiceUnavailable",
        "InternalError",
        "SignatureNonceUsed",  # a fresh nonce is drawn for every try
    }
)


def percent_encode(text: str) -> str:
    """RFC 3986 percent-encoding of UTF-8, as the signature needs it (a space is %20)."""
    return quote(text, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    """The parameters sorted by name, each name and value percent-encoded, joined by &."""
    return "&".join(
        f"{percent_encode(key)}={percent_encode(value)}" for key, value in sorted(params.items())
    )


def signature(secret: str, method: str, params: Mapping[str, str]) -> str:
    """Base64 HMAC-SHA1 of the string to sign, keyed with the AccessKey secret and "&"."""
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


class AliyunSms:
    """Sends an SMS from a template registered with Alibaba Cloud."""

    name = "aliyun"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def template_code(self, message: Outgoing) -> str:
        """The template for the message's event in its language (else the Chinese one)."""
        templates = self._settings.sms_templates
        code = templates.get(f"{message.template}.{message.locale}") or templates.get(
            f"{message.template}.zh_CN"
        )
        if not code:
            raise SendFailed(f"no SMS template for {message.template}", permanent=True)
        return code

    def request(self, message: Outgoing, now: datetime | None = None) -> dict[str, str]:
        """Every parameter of the SendSms request, signed."""
        settings = self._settings
        params = {
            "AccessKeyId": settings.sms_access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": settings.sms_region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
            "PhoneNumbers": message.recipient,
            "SignName": settings.sms_sign_name,
            "TemplateCode": self.template_code(message),
            "TemplateParam": json.dumps(message.params, ensure_ascii=False, separators=(",", ":")),
            "OutId": str(message.id),  # comes back in delivery reports
        }
        params["Signature"] = signature(settings.sms_access_key_secret, "POST", params)
        return params

    def send(self, message: Outgoing) -> str:
        """POST the signed request (a form, so the number stays out of URLs and their logs)."""
        body = canonical_query(self.request(message)).encode("ascii")
        status, answer = post(
            self._settings.sms_endpoint,
            body,
            "application/x-www-form-urlencoded",
            self._settings.notify_timeout,
        )
        try:
            data = json.loads(answer)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise SendFailed(f"HTTP {status}: an answer that is not JSON", permanent=status < 500)
        code = str(data.get("Code", ""))
        if code == "OK":
            return str(data.get("BizId", ""))
        detail = f"{code or f'HTTP {status}'}: {str(data.get('Message', ''))[:200]}"
        raise SendFailed(detail, permanent=status < 500 and code not in RETRYABLE)
