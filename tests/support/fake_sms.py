"""A fake Alibaba Cloud SMS endpoint (dysmsapi SendSms, RPC signature) on 127.0.0.1.

It checks every request as the provider documents it — written here on its own, not with the
kiosk's code, so a mistake in one is not copied into the other: the parameters but `Signature`
sorted by name, names and values percent-encoded (RFC 3986, UTF-8), `POST&%2F&` + the encoded
query, HMAC-SHA1 keyed by the secret and "&", Base64. A wrong signature is answered 400
`SignatureDoesNotMatch`, a reused nonce `SignatureNonceUsed`, a stale timestamp
`InvalidTimeStamp.Expired`. `script` holds what the next requests get instead of "OK": an
HTTP status, a refusal code, or "hang" (take the request and never answer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def rfc3986(text: str) -> str:
    """Each UTF-8 byte outside the unreserved set as %XY (upper-case hex)."""
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def expected_signature(secret: str, params: dict[str, str]) -> str:
    """The signature the provider computes for a POST with these parameters."""
    query = "&".join(f"{rfc3986(k)}={rfc3986(params[k])}" for k in sorted(params))
    to_sign = "POST&" + rfc3986("/") + "&" + rfc3986(query)
    mac = hmac.new(f"{secret}&".encode(), to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


@dataclass
class FakeSms:
    """The server; `received` holds every message it accepted (its parameters)."""

    access_key_id: str = "test-key-id"
    secret: str = "test-key-secret"
    delay: float = 0.0  # seconds before answering an accepted message
    received: list[dict[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # the codes it answered with
    script: list[Any] = field(default_factory=list)  # next answers: 500, "isv.X", "hang"
    _nonces: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Where the kiosk sends its requests."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def start(self) -> FakeSms:
        """Listen on a free loopback port, in a thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Let hanging requests go and close the socket."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length", "0"))
        body = request.rfile.read(length).decode("ascii")
        with self._lock:
            scripted = self.script.pop(0) if self.script else None
        if scripted == "hang":
            self._release.wait(30)  # never answers while the test runs
            return
        status, answer = self._judge(dict(parse_qsl(body, keep_blank_values=True)), scripted)
        if status == 200 and answer["Code"] == "OK" and self.delay:
            time.sleep(self.delay)
        data = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json;charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _judge(self, params: dict[str, str], scripted: Any) -> tuple[int, dict[str, str]]:
        refusal = self._check(params)
        if refusal is not None:
            with self._lock:
                self.refused.append(refusal[1]["Code"])
            return refusal
        if isinstance(scripted, int):
            return scripted, {"Code": "isp.SYSTEM_ERROR", "Message": "scripted failure"}
        if isinstance(scripted, str):
            return 200, {"Code": scripted, "Message": "scripted refusal"}
        with self._lock:
            self.received.append(params)
            number = len(self.received)
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"fake-{number}", "RequestId": "r"}

    def _check(self, params: dict[str, str]) -> tuple[int, dict[str, str]] | None:
        def no(status: int, code: str) -> tuple[int, dict[str, str]]:
            return status, {"Code": code, "Message": code}

        given = params.pop("Signature", "")
        if params.get("AccessKeyId") != self.access_key_id:
            return no(404, "InvalidAccessKeyId.NotFound")
        fixed = {
            "Action": "SendSms",
            "Version": "2017-05-25",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "Format": "JSON",
        }
        if any(params.get(key) != value for key, value in fixed.items()):
            return no(400, "MissingParameter")
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (KeyError, ValueError):
            return no(400, "InvalidTimeStamp.Format")
        if abs(datetime.now(UTC) - stamp) > timedelta(minutes=15):
            return no(400, "InvalidTimeStamp.Expired")
        if not hmac.compare_digest(given, expected_signature(self.secret, params)):
            return no(400, "SignatureDoesNotMatch")
        with self._lock:
            nonce = params.get("SignatureNonce", "")
            if not nonce or nonce in self._nonces:
                return no(400, "SignatureNonceUsed")
            self._nonces.add(nonce)
        phone = params.get("PhoneNumbers", "")
        if len(phone) != 11 or not phone.isdigit():
            return no(200, "isv.MOBILE_NUMBER_ILLEGAL")
        try:
            json.loads(params.get("TemplateParam", ""))
        except ValueError:
            return no(200, "isv.INVALID_JSON_PARAM")
        if not params.get("SignName") or not params.get("TemplateCode", "").startswith("SMS_"):
            return no(200, "isv.SMS_TEMPLATE_ILLEGAL")
        return None
