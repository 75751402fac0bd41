"""The maintenance API's bodies as pydantic models, for its OpenAPI description only.

The views build plain dicts (kiosk/api/fleet.py, print_jobs.py, policies.py, views.py); these
models say what those dicts hold, field for field, and tests/api/test_openapi.py checks every
response against them. Response models forbid other fields, so a key added to a view without
being described here fails that test.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model

from kiosk.config import Settings
from kiosk.models import (
    Benefit,
    CommandKind,
    CommandStatus,
    KioskState,
    PolicyLevel,
    PrintStatus,
    UnitKind,
    Window,
)
from kiosk.services.fleet.commands import MINUTES_MAX, TEXT_MAX
from kiosk.services.fleet.settings import CENTRAL
from printers import PrinterState

KIOSK_ID_MAX = 40  # characters of a kiosk id or a building code (the columns' length)
INT64_MAX = 2**63 - 1  # the largest BIGINT
INT32_MAX = 2**31 - 1  # the largest INTEGER (ids, counts) on PostgreSQL
# A central setting's [old, new]. Not tuple[Any, Any]: schemathesis misreads its prefixItems.
Change = Annotated[list[Any], Field(min_length=2, max_length=2)]


class Body(BaseModel):
    """A response body: exactly these keys, no others."""

    model_config = ConfigDict(extra="forbid")


class Error(Body):
    """A refusal: a code for programs, a sentence for people, and per-field messages."""

    error: str = Field(examples=["not_found", "validation_failed", "unauthorized", "forbidden"])
    message: str
    fields: dict[str, str] = Field(
        default_factory=dict, description="Present only when particular fields were refused."
    )


class BadParameter(Body):
    """A query parameter or body field that cannot be used, and what would be."""

    error: Literal["bad_parameter"]
    parameter: str
    expected: str


class _Up(Body):
    version: str
    kiosk: str
    uptime_seconds: int


class Health(_Up):
    """The kiosk is up and its database answers."""

    status: Literal["ok"]
    database: Literal["ok"]
    print_queue: int = Field(description="Jobs of this kiosk waiting or printing.")


class HealthDegraded(_Up):
    """The kiosk is up but its database does not answer."""

    status: Literal["degraded"]
    database: str = Field(pattern="^error: ", examples=["error: OperationalError"])


def _listing(name: str, key: str, item: type[BaseModel], about: str) -> type[BaseModel]:
    """A body that is one list, `{key: [item, …]}`."""
    fields: dict[str, Any] = {key: (list[item], ...)}  # type: ignore[valid-type]
    return create_model(name, __base__=Body, __doc__=about, **fields)


StateCounts = create_model(
    "StateCounts",
    __config__=ConfigDict(extra="forbid"),
    __doc__="How many kiosks are in each state (every state present, zero included).",
    **{state.value: (int, ...) for state in KioskState},  # type: ignore[call-overload]
)


class Kiosk(Body):
    """A kiosk as its last heartbeat described it."""

    id: str
    name: str
    building: str
    state: KioskState
    state_since: datetime
    last_seen_at: datetime | None
    version: str
    started_at: datetime | None
    uptime_seconds: int
    last_page: str = Field(description="The route the screen shows, never a tenant's data.")
    last_page_at: datetime | None
    screen_seen_at: datetime | None
    screen_frozen: bool = Field(description="Online, but the screen stopped reporting.")
    printers: dict[str, str] = Field(description="Printer name: its last reported state.")
    queue_depth: int
    free_disk_bytes: int | None
    closed_hours: str = Field(examples=["23:00-06:00", ""])
    paused: bool
    paused_message: str | None
    banner: str
    banner_until: datetime | None
    config_version: int


class Command(Body):
    """A command for one kiosk, and what running it gave."""

    id: int
    kiosk: str
    kind: CommandKind
    payload: dict[str, Any]
    status: CommandStatus
    issued_by: str
    issued_at: datetime
    picked_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any]
    screenshot_url: str | None = Field(description="Set when the command brought back a PNG.")


class Alert(Body):
    """A kiosk went down, or came back."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: int
    kiosk: str
    kind: Literal["down", "up"]
    state_from: KioskState = Field(alias="from")
    state_to: KioskState = Field(alias="to")
    at: datetime
    delivered_at: datetime | None
    attempts: int


class KioskList(Body):
    """The fleet, by building then id."""

    kiosks: list[Kiosk]
    counts: StateCounts  # type: ignore[valid-type]


class KioskDetail(Kiosk):
    """One kiosk with its ten newest commands and alerts."""

    commands: list[Command]
    alerts: list[Alert]


class Heartbeat(BaseModel):
    """What a kiosk reports of itself; fields left out keep their defaults."""

    building: str = Field(min_length=1, description="The building's code (cut to 40 characters).")
    name: str = ""
    version: str = ""
    uptime_seconds: int = Field(default=0, ge=0, le=INT64_MAX)
    last_page: str = ""
    queue_depth: int = Field(default=0, ge=0, le=INT32_MAX)
    free_disk_bytes: int | None = Field(default=None, ge=0, le=INT64_MAX)
    printers: dict[str, str] = Field(default_factory=dict)


class HeartbeatAnswer(Body):
    """The kiosk's state once the heartbeat is stored."""

    state: KioskState
    last_seen_at: datetime


class LogRecord(Body):
    """One log record a kiosk kept."""

    at: datetime
    level: str
    logger: str
    message: str
    fields: dict[str, Any]


class Logs(Body):
    """A kiosk's newest log records, newest first."""

    kiosk: str
    records: list[LogRecord]


Commands = _listing("Commands", "commands", Command, "Commands, newest first.")


class AnnouncePayload(BaseModel):
    """A banner on every page of the screen for some minutes."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=TEXT_MAX)
    minutes: int = Field(default=60, ge=1, le=MINUTES_MAX)


class PausePayload(BaseModel):
    """The screen out of service, with a message."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(default="", max_length=TEXT_MAX)


class AnnounceCommand(BaseModel):
    """Show a banner."""

    kind: Literal[CommandKind.ANNOUNCE]
    payload: AnnouncePayload


class PauseCommand(BaseModel):
    """Take the screen out of service."""

    kind: Literal[CommandKind.PAUSE]
    payload: PausePayload = Field(default_factory=PausePayload)


class PlainCommand(BaseModel):
    """A command without a payload."""

    kind: Literal[
        CommandKind.TEST_PRINT,
        CommandKind.RELOAD,
        CommandKind.RESUME,
        CommandKind.SCREENSHOT,
        CommandKind.ROTATE_TOKEN,
    ]
    payload: dict[str, Any] = Field(default_factory=dict, max_length=0)


class NewCommand(RootModel[AnnounceCommand | PauseCommand | PlainCommand]):
    """A command to queue; its payload depends on its kind."""

    root: Annotated[AnnounceCommand | PauseCommand | PlainCommand, Field(discriminator="kind")]


class ConfigVersion(Body):
    """One version of the central configuration of the fleet (`kiosk` "") or of one kiosk."""

    kiosk: str
    version: int
    values: dict[str, Any]
    changes: dict[str, Change] = Field(description="Setting: [old, new].")
    changed_by: str
    changed_at: datetime


class FleetConfig(Body):
    """The central configuration now, what can be set, and its history (newest first).

    Before the first change `version` is 0, `changed_by` and `changed_at` are null and there
    is no `changes`."""

    kiosk: str
    version: int
    values: dict[str, Any]
    changes: dict[str, Change] = Field(default_factory=dict)
    changed_by: str | None
    changed_at: datetime | None
    settable: list[str]
    history: list[ConfigVersion]


Alerts = _listing("Alerts", "alerts", Alert, "Alerts, newest first.")


class Printer(Body):
    """A kiosk's printer as it last said."""

    kiosk: str
    printer: str = Field(examples=["receipt", "licence"])
    url: str
    state: PrinterState
    detail: str
    checked_at: datetime
    last_error: str
    last_error_at: datetime | None


Printers = _listing("Printers", "printers", Printer, "Every kiosk's printers.")


class Announcement(Body):
    """An announcement on a building's attract screens."""

    id: int
    building: str
    text_zh: str
    text_en: str
    starts_at: datetime
    ends_at: datetime | None
    active: bool


Announcements = _listing(
    "Announcements", "announcements", Announcement, "What a building's screens show, newest first."
)


class NewAnnouncement(BaseModel):
    """An announcement to publish now (200 characters at most in each language)."""

    building: str = Field(min_length=1, max_length=KIOSK_ID_MAX)
    text_zh: str
    text_en: str = ""
    ends_at: datetime | None = Field(default=None, description="With its offset; null: no end.")


class PrintJob(Body):
    """A print job (its document, which may hold a pickup code, is never shown)."""

    id: int
    kiosk: str
    printer: str
    kind: str = Field(examples=["appeal_slip"])
    subject: str
    status: PrintStatus
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


PrintJobs = _listing("PrintJobs", "jobs", PrintJob, "Print jobs, newest first.")


class Policy(Body):
    """A policy of the catalogue, as the import format has it, with today's window."""

    code: str
    title: str
    issuer: str
    level: PolicyLevel
    doc_number: str
    published_on: date
    opens_on: date | None
    closes_on: date | None
    summary: str
    body: str
    industries: list[str]
    size_bands: list[str]
    district: str
    min_years: int | None
    min_employees: int | None
    other_conditions: str
    benefit: Benefit
    max_amount: float | None = Field(description="Yuan.")
    materials: list[str]
    contact: str
    window: Window
    url: str = Field(description="The policy's full text, for a phone.")


class PolicyPage(Body):
    """One page of the policies that match."""

    query: str
    page: int
    pages: int
    total: int
    total_is_lower_bound: bool = Field(description="More than 1,000 match: counting stopped.")
    policies: list[Policy]


class Unit(Body):
    """A unit of the programme's tree; its parent by code (None at the top)."""

    code: str
    kind: UnitKind
    name_zh: str
    name_en: str
    parent: str | None
    sort_order: int
    closed_at: datetime | None = Field(description="Set once the unit is closed.")


Units = _listing("Units", "units", Unit, "The units a token reaches, in the tree's order.")


class CompanyBrief(Body):
    """What a kiosk's token sees of a company: names and codes, nothing of people."""

    uscc: str = Field(description="The unified social credit code (GB 32100).")
    name: str
    unit: str | None = Field(description="The code of the unit whose list it is on.")
    building: str | None = Field(description="The building's code; None outside any building.")
    active: bool
    updated_at: datetime


class Company(CompanyBrief):
    """A company's profile as a maintainer's token sees it."""

    floor_room: str
    room: str | None
    industry: str = Field(description="GB/T 4754 section, A to T; empty when not known.")
    size_band: str = Field(examples=["micro", "small", "medium", "large", ""])
    founded_on: date | None
    employees: int | None
    legal_representative: str
    registered_capital: str | None = Field(description="×10,000 yuan, as a decimal.")
    contact_name: str
    contact_mobile: str = Field(
        description="Masked (138****5678) unless the token's scope is admin.",
        examples=["138****5678"],
    )
    officer: str | None = Field(description="The liaison officer's username.")
    moved_out_at: datetime | None


class CompanyAny(RootModel[Company | CompanyBrief]):
    """A company as the token may see it."""


class CompanyPage(Body):
    """A page of companies, by when they were added; `next_cursor` None on the last page."""

    companies: list[Company | CompanyBrief]
    next_cursor: str | None


def config_change() -> dict[str, Any]:
    """The body of PATCH /api/v1/config: each central setting as the kiosk's settings check it."""
    settings = Settings.model_json_schema()["properties"]
    values = {
        name: {
            "anyOf": [
                {k: v for k, v in settings[name].items() if k not in ("default", "title")},
                {"type": "null"},
            ]
        }
        for name in CENTRAL
    }
    return {
        "type": "object",
        "description": "Central values to set (null clears one) for the fleet or one kiosk.",
        "properties": {
            "kiosk": {
                "type": "string",
                "maxLength": KIOSK_ID_MAX,
                "default": "",
                "description": "A kiosk id, or empty for the whole fleet.",
            },
            "values": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": False,
                "properties": values,
            },
        },
        "required": ["values"],
    }


RESPONSES: tuple[type[BaseModel], ...] = (
    Error, BadParameter, Health, HealthDegraded, KioskList, KioskDetail, HeartbeatAnswer, Logs,
    Commands, Command, FleetConfig, ConfigVersion, Alerts, Printers, Announcements, Announcement,
    PrintJobs, PrintJob, PolicyPage, Units, Unit, CompanyPage, CompanyAny,
)  # fmt: skip
REQUESTS: tuple[type[BaseModel], ...] = (Heartbeat, NewCommand, NewAnnouncement)
