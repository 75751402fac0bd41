"""Configuration: defaults, then <instance>/kiosk.cfg, then KIOSK_* environment, then overrides.

Every value is validated once, at start-up, into a frozen `Settings`; a bad value stops the
start with one line per problem naming the value and where it came from.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Config as FlaskConfig
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

ENV_PREFIX = "KIOSK_"
CONFIG_FILE = "kiosk.cfg"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - the file's name, not a key
LOCALES = ("zh_CN", "en")
# KIOSK_* variables that are not settings: where the instance is, and inputs to commands/tests.
# The messages a tenant may be sent by SMS, each needing a template at the SMS provider.
SMS_EVENTS = ("appeal_answered", "appeal_needs_info", "appeal_resolved", "phone_code")
# Settings never shown back in an error message: secrets, and URLs that carry a robot's key.
HIDDEN = frozenset(
    {"secret_key", "sms_access_key_secret", "wecom_webhook_url", "dingtalk_webhook_url"}
    | {"dingtalk_secret"}
)
NOT_SETTINGS = frozenset(
    {"KIOSK_INSTANCE_PATH", "KIOSK_TEST_DATABASE_URL", "KIOSK_NEW_STAFF_PASSWORD"}
)


class ConfigError(Exception):
    """Raised when the configuration cannot be used; the message lists every bad value."""


class Settings(BaseModel):
    """The kiosk's validated configuration (field names are the KIOSK_* names, lower case)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    secret_key: str = Field(min_length=32)
    database_url: str
    id: str = Field(default="kiosk-1", pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    building: str = Field(default="demo", pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    name: str = Field(default="", max_length=60)  # e.g. A座大堂 1号机; "" shows the id
    station_name: str = Field(default="楼宇政务服务驿站", min_length=1, max_length=60)
    default_locale: Literal["zh_CN", "en"] = "zh_CN"
    timezone: str = "Asia/Shanghai"
    hotline: str = Field(default="12345", pattern=r"^[0-9][0-9-]{2,19}$")
    # The complaint QR on every screen: "" opens this building's appeal form on the phone
    # (kiosk.public.phone); an address sends phones to an outside complaint service instead.
    complaint_qr_url: str = ""
    public_url: str = ""
    # Where `kiosk serve` listens (its --host and --port override them); without a public URL,
    # QR links point here, never at the Host header a request brings.
    host: str = Field(default="127.0.0.1", pattern=r"^[A-Za-z0-9.:-]{1,253}$")
    port: int = Field(default=8080, ge=1, le=65535)
    # `kiosk serve`'s request threads (its --threads overrides). One process runs Python on one
    # core at a time, so threads beyond those that overlap database and network waits only
    # take turns: on two cores a status page spent 2.19 ms of CPU at 8 threads, 1.93 at 4 and
    # 1.54 at 1 (SQLite), handing that turn over. 4 leaves room for a request that waits (an
    # export, a writer's turn). More cores: more processes (docs/deploy.md), not more threads.
    threads: int = Field(default=4, ge=1, le=64)
    idle_seconds: int = Field(default=60, ge=5, le=3600)
    idle_countdown_seconds: int = Field(default=20, ge=3, le=600)
    staff_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    # An administrator must enrol a second factor (TOTP) before using the admin.
    admin_second_factor: bool = True
    login_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    appeal_due_working_days: int = Field(default=5, ge=1, le=60)
    # Days after a 不满意 rating during which the tenant may still say "it is not resolved".
    reopen_after_dissatisfied_days: int = Field(default=15, ge=1, le=365)
    extra_holidays: tuple[date, ...] = ()
    extra_workdays: tuple[date, ...] = ()
    receipt_printer: str = "dummy://"
    licence_printer: str  # default: spool:///<instance>/licences
    # 登记机关: the registration authority named on licences issued through this station.
    registration_authority: str = Field(
        default="长沙市芙蓉区市场监督管理局", min_length=2, max_length=60
    )
    printer_timeout: float = Field(default=5.0, gt=0, le=60)
    print_retry_limit: int = Field(default=5, ge=1, le=100)
    slip_max_age_seconds: int = Field(default=60, ge=10, le=24 * 3600)
    print_worker: bool = True
    print_lease_seconds: int = Field(default=60, ge=5, le=3600)
    printer_poll_seconds: int = Field(default=30, ge=5, le=3600)
    max_request_bytes: int = Field(default=1024 * 1024, ge=16 * 1024, le=64 * 1024 * 1024)
    cookie_secure: bool = False
    db_busy_timeout_ms: int = Field(default=5000, ge=0, le=60_000)
    # Seconds a page with nothing personal (the attract screen, the public API's policy search)
    # is kept by the server; any commit drops it at once (kiosk.caching). 0: never kept.
    page_seconds: float = Field(default=5.0, ge=0, le=300)
    # Connections this process keeps open, and how many more it may open at a peak (and close
    # again). `kiosk serve`'s 8 request threads and its background workers each use one at a
    # time, so 10 kept open means none is opened per request (a new SQLite connection reads the
    # whole schema again). Every kiosk of a fleet holds its own, so PostgreSQL's
    # max_connections must cover the whole fleet (docs/deploy.md, "Connections").
    db_pool_size: int = Field(default=10, ge=1, le=100)
    db_max_overflow: int = Field(default=10, ge=0, le=100)
    staff_page_size: int = Field(default=50, ge=10, le=500)
    home_figures_seconds: int = Field(default=60, ge=0, le=24 * 3600)
    # The fleet: how often this kiosk reports, and when a silent kiosk is stale, then offline.
    heartbeat_seconds: float = Field(default=30, gt=0, le=3600)
    stale_seconds: float = Field(default=90, gt=0, le=24 * 3600)
    offline_seconds: float = Field(default=180, gt=0, le=24 * 3600)
    command_poll_seconds: float = Field(default=2, gt=0, le=60)
    # Closed on purpose, in local time (e.g. 23:00-06:00): silence then is not an alarm.
    closed_hours: str = Field(
        default="", pattern=r"^$|^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$"
    )
    alert_webhook_url: str = ""  # gets a JSON POST once when a kiosk goes down, once when back
    announcement_banner: str = Field(default="", max_length=200)  # on every terminal page
    fleet_agent: bool = True  # heartbeats, commands and central configuration (serve only)
    # False on a web server of a fleet: no screen, so no heartbeat, no commands, not listed as
    # a kiosk; it still judges the fleet in its turn, so alerts go out when every kiosk is down.
    terminal: bool = True
    # A fleet's lobby terminal (docs/deploy.md): its own SQLite, the central reached only over
    # HTTPS with the kiosk's token from `kiosk enrol`, submissions queued while the link is down.
    edge: bool = False
    edge_sync_seconds: float = Field(default=60, gt=0, le=3600)  # reference data, at least
    # Telling people (README, "Telling people"): SMS to tenants through a provider ("log"
    # writes each message to the log and sends nothing), robots' webhooks for staff. The
    # secrets come from the instance's kiosk.cfg or the environment, never from the repository.
    sms_provider: Literal["log", "aliyun"] = "log"
    sms_access_key_id: str = Field(default="", max_length=128)
    sms_access_key_secret: str = Field(default="", max_length=128)
    sms_sign_name: str = Field(default="", max_length=40)  # 短信签名, e.g. 楼宇政务服务驿站
    # "event.locale" → the provider's template code, e.g. {"appeal_answered.zh_CN": "SMS_1"}
    sms_templates: dict[str, str] = Field(default_factory=dict)
    sms_endpoint: str = "https://dysmsapi.aliyuncs.com/"
    sms_region: str = Field(default="cn-hangzhou", pattern=r"^[a-z0-9-]{2,40}$")
    wecom_webhook_url: str = ""  # 企业微信 group robot: …/cgi-bin/webhook/send?key=…
    dingtalk_webhook_url: str = ""  # 钉钉 custom robot: …/robot/send?access_token=…
    dingtalk_secret: str = Field(default="", max_length=128)  # its 加签 secret (SEC…), if set
    notify_timeout: float = Field(default=5.0, gt=0, le=60)  # seconds to connect and answer
    notify_retry_limit: int = Field(default=6, ge=1, le=100)  # tries before a message fails
    notify_lease_seconds: int = Field(default=120, ge=10, le=3600)
    notify_worker: bool = True  # run the message worker thread in `kiosk serve`

    @property
    def link_base(self) -> str:
        """The start of every link a phone is given: the public URL, else where we serve."""
        if self.public_url:
            return self.public_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known time zone (e.g. Asia/Shanghai)") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        scheme = urlsplit(value).scheme.split("+")[0]
        if scheme not in ("sqlite", "postgresql"):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator(
        "complaint_qr_url",
        "public_url",
        "alert_webhook_url",
        "sms_endpoint",
        "wecom_webhook_url",
        "dingtalk_webhook_url",
    )
    @classmethod
    def _http_url(cls, value: str, info: Any) -> str:
        if value == "":
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if info.field_name == "public_url" else value

    @field_validator("receipt_printer")
    @classmethod
    def _printer_url(cls, value: str) -> str:
        from printers import PrinterConfigError, open_receipt_printer

        try:
            # Opening connects to nothing; it also finds a driver whose package is missing.
            open_receipt_printer(value)
        except PrinterConfigError as exc:
            raise ValueError(str(exc)) from exc
        return value

    @field_validator("licence_printer")
    @classmethod
    def _licence_printer_url(cls, value: str) -> str:
        from printers import PrinterConfigError
        from printers.licence import open_licence_printer

        try:
            open_licence_printer(value)  # parses and checks; connects to nothing
        except PrinterConfigError as exc:
            raise ValueError(str(exc)) from exc
        return value

    @model_validator(mode="after")
    def _stale_before_offline(self) -> Settings:
        if not self.heartbeat_seconds < self.stale_seconds < self.offline_seconds:
            raise ValueError(
                "KIOSK_HEARTBEAT_SECONDS < KIOSK_STALE_SECONDS < KIOSK_OFFLINE_SECONDS must hold "
                f"(now {self.heartbeat_seconds:g} < {self.stale_seconds:g}"
                f" < {self.offline_seconds:g})"
            )
        return self

    @model_validator(mode="after")
    def _edge_on_its_own(self) -> Settings:
        if self.edge and not self.database_url.startswith("sqlite"):
            raise ValueError("KIOSK_EDGE=true needs the terminal's own SQLite, not a database URL")
        if self.edge and self.host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("KIOSK_EDGE=true serves the screen on loopback only (KIOSK_HOST)")
        return self

    @model_validator(mode="after")
    def _sms_provider_complete(self) -> Settings:
        for key in self.sms_templates:
            event, _, locale = key.partition(".")
            if event not in SMS_EVENTS or locale not in LOCALES:
                raise ValueError(
                    f"KIOSK_SMS_TEMPLATES: {key!r} is not one of "
                    f"{', '.join(e + '.' + loc for e in SMS_EVENTS for loc in LOCALES)}"
                )
        if self.sms_provider == "log":
            return self
        missing = [
            f"KIOSK_{name.upper()}"
            for name in ("sms_access_key_id", "sms_access_key_secret", "sms_sign_name")
            if not getattr(self, name)
        ]
        missing += [
            f"KIOSK_SMS_TEMPLATES[{event}.zh_CN]"
            for event in SMS_EVENTS
            if not self.sms_templates.get(f"{event}.zh_CN")
        ]
        if missing:
            raise ValueError(f"KIOSK_SMS_PROVIDER={self.sms_provider} needs {', '.join(missing)}")
        return self

    @property
    def display_name(self) -> str:
        """The kiosk's name for people: its name, or its id."""
        return self.name or self.id

    @property
    def zone(self) -> ZoneInfo:
        """The kiosk's local time zone."""
        return ZoneInfo(self.timezone)


def _coerce_env(name: str, raw: str) -> Any:
    """Environment values are strings; lists of dates are comma-separated, and so are the SMS
    templates, as event.locale=CODE (appeal_answered.zh_CN=SMS_123,appeal_answered.en=SMS_124)."""
    if name in ("extra_holidays", "extra_workdays"):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if name == "sms_templates":
        pairs = [part.partition("=") for part in raw.split(",") if part.strip()]
        return {key.strip(): value.strip() for key, _, value in pairs}
    return raw


def _ensure_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, generating it (0600) on first run."""
    path = instance_path / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        key = secrets.token_hex(32)
        handle.write(key + "\n")
    return key


def load_settings(
    instance_path: Path,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the validated settings from every source, in order of precedence."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    known = set(Settings.model_fields)

    cfg_path = instance_path / CONFIG_FILE
    if cfg_path.exists():
        flask_cfg = FlaskConfig(str(instance_path))
        flask_cfg.from_pyfile(CONFIG_FILE)
        for key, value in flask_cfg.items():
            name = key.lower()
            if name not in known:
                raise ConfigError(f"{cfg_path}: unknown setting {key}")
            values[name], sources[name] = value, f"{cfg_path}"
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX) or key in NOT_SETTINGS:
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name not in known:
            raise ConfigError(f"environment: unknown setting {key}")
        values[name], sources[name] = _coerce_env(name, raw), "environment"
    for name, value in (overrides or {}).items():
        values[name.lower()], sources[name.lower()] = value, "overrides"

    values.setdefault("database_url", f"sqlite:///{instance_path / 'kiosk.db'}")
    values.setdefault("licence_printer", f"spool://{(instance_path / 'licences').resolve()}")
    if "secret_key" not in values:
        values["secret_key"] = _ensure_secret_key(instance_path)
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            if not error["loc"]:  # a rule across settings: its message names them
                lines.append(error["msg"].removeprefix("Value error, "))
                continue
            name = str(error["loc"][0])
            shown = "<hidden>" if name in HIDDEN else repr(values.get(name))
            source = sources.get(name, "default")
            lines.append(f"KIOSK_{name.upper()}={shown} ({source}): {error['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None
