"""The fleet pages' forms and words: filters, one form per command, central configuration,
and how a time, a size, a state or a count reads on the page."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from babel.units import format_unit
from flask_babel import format_timedelta, get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from kiosk.admin.forms import ActionForm
from kiosk.config import Settings
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import CommandKind, CommandStatus, Kiosk, KioskState
from kiosk.services.fleet import commands
from kiosk.services.fleet import settings as central
from kiosk.text import clean_text

STATE = {
    KioskState.ONLINE.value: _l("Online now"),
    KioskState.STALE.value: _l("Slow to respond"),
    KioskState.OFFLINE.value: _l("Offline"),
    KioskState.CLOSED.value: _l("Closed on schedule"),
}

COMMAND = {
    CommandKind.TEST_PRINT.value: _l("Print a test page"),
    CommandKind.RELOAD.value: _l("Reload the screen"),
    CommandKind.ANNOUNCE.value: _l("Announcement banner"),
    CommandKind.PAUSE.value: _l("Pause the service"),
    CommandKind.RESUME.value: _l("Resume the service"),
    CommandKind.SCREENSHOT.value: _l("Screenshot"),
    CommandKind.ROTATE_TOKEN.value: _l("Replace the kiosk's token"),
}

COMMAND_STATUS = {
    CommandStatus.QUEUED.value: _l("Waiting for the kiosk"),
    CommandStatus.RUNNING.value: _l("Running"),
    CommandStatus.DONE.value: _l("Done"),
    CommandStatus.FAILED.value: _l("Failed"),
    CommandStatus.EXPIRED.value: _l("Not picked up"),
}

ALERT = {"down": _l("Went offline"), "up": _l("Back online")}

# What the drill-down's log shows: warnings and errors by default, everything on request.
LOG_LEVELS = {"WARNING": _l("Warnings and errors"), "INFO": _l("Everything")}

LABELS = {
    "idle_seconds": _l("Seconds without a touch before the screen starts over"),
    "idle_countdown_seconds": _l("Seconds of countdown before it starts over"),
    "hotline": _l("Hotline number"),
    "complaint_qr_url": _l("Complaint QR code address"),
    "announcement_banner": _l("Banner on every screen"),
    "receipt_printer": _l("Slip printer address"),
    "licence_printer": _l("Licence printer address"),
}

WHOLE_NUMBERS = ("idle_seconds", "idle_countdown_seconds")
_INTEGER = re.compile(r"^-?[0-9]{1,9}$")


def _rule(name: str, bound: str) -> Any:
    """A bound of a setting's own check (ge, le, max_length), read from the settings model."""
    return next(
        (getattr(r, bound) for r in Settings.model_fields[name].metadata if hasattr(r, bound)),
        None,
    )


BANNER_MAX = _rule("announcement_banner", "max_length")


def _seconds_hint(name: str) -> Any:
    return _l("From %(low)s to %(high)s.", low=_rule(name, "ge"), high=_rule(name, "le"))


class FleetFilterForm(FlaskForm):
    """The list's filters, by GET so a filtered list can be bookmarked and refreshed."""

    class Meta:
        csrf = False

    building = SelectField(_l("Building"), validate_choice=False)
    state = SelectField(_l("State"), validate_choice=False)


class CommandForm(ActionForm):
    """A command with nothing to fill in (test print, reload, resume, screenshot)."""

    def payload(self) -> dict[str, Any]:
        """What the command carries."""
        return {}


class AnnounceForm(CommandForm):
    """A banner across the kiosk's screen for some minutes."""

    text = TextAreaField(
        _l("Banner text"),
        description=_l("Up to %(count)d characters, shown on every page.", count=commands.TEXT_MAX),
        render_kw={"rows": 2, "data-max-chars": commands.TEXT_MAX},
    )
    minutes = StringField(
        _l("For how many minutes"),
        description=_l("From 1 to %(most)d.", most=commands.MINUTES_MAX),
        default="60",
        render_kw={"inputmode": "numeric"},
    )

    def payload(self) -> dict[str, Any]:
        """What the command carries (minutes that are not a number: the service refuses them)."""
        raw = (self.minutes.data or "").strip()
        body: dict[str, Any] = {"text": self.text.data or ""}
        if raw:
            body["minutes"] = int(raw) if _INTEGER.match(raw) else raw
        return body


class PauseForm(CommandForm):
    """Take the screen out of service, with a message."""

    message = StringField(
        _l("Message on the screen"),
        description=_l("Optional, up to %(count)d characters.", count=commands.TEXT_MAX),
        render_kw={"maxlength": commands.TEXT_MAX, "placeholder": _l("Under maintenance")},
    )

    def payload(self) -> dict[str, Any]:
        """What the command carries."""
        return {"message": self.message.data or ""}


class RotateTokenForm(CommandForm):
    """A new API token for the kiosk, the old one revoked: only when the box is ticked."""

    confirm = BooleanField(
        _l("Yes, replace the token: the old one stops working at once"),
        validators=[DataRequired(_l("Tick the box to confirm that the token should be replaced."))],
    )


class EnrolForm(ActionForm):
    """A one-time code to enrol a terminal: which kiosk, in which building."""

    kiosk_id = StringField(
        _l("Kiosk id"),
        description=_l("Letters a-z, digits and hyphens, up to 40, such as tower-a-lobby-2."),
        validators=[InputRequired(_l("Enter the kiosk's id."))],
        render_kw={"maxlength": 40},
    )
    building = SelectField(
        _l("Building"), validators=[InputRequired(_l("Choose the building."))],
        validate_choice=False,
    )  # fmt: skip
    name = StringField(
        _l("Name for people (optional)"),
        description=_l("Such as Tower A lobby, by the lifts."),
        render_kw={"maxlength": 60},
    )


class CentralConfigForm(ActionForm):
    """The settings set centrally for the whole fleet or for one kiosk; empty means not set."""

    idle_seconds = StringField(
        LABELS["idle_seconds"], description=_seconds_hint("idle_seconds"),
        render_kw={"inputmode": "numeric"},
    )  # fmt: skip
    idle_countdown_seconds = StringField(
        LABELS["idle_countdown_seconds"], description=_seconds_hint("idle_countdown_seconds"),
        render_kw={"inputmode": "numeric"},
    )  # fmt: skip
    hotline = StringField(LABELS["hotline"], description=_l("Such as 12345 or 0731-12345."))
    complaint_qr_url = StringField(
        LABELS["complaint_qr_url"], description=_l("An address starting with https:// or http://.")
    )
    announcement_banner = TextAreaField(
        LABELS["announcement_banner"],
        description=_l("Up to %(count)d characters.", count=BANNER_MAX),
        render_kw={"rows": 2, "data-max-chars": BANNER_MAX},
    )
    receipt_printer = StringField(
        LABELS["receipt_printer"], description=_l("Such as tcp://10.0.0.5:9100.")
    )
    licence_printer = StringField(
        LABELS["licence_printer"], description=_l("Such as cups://licence.")
    )

    def fill(self, values: dict[str, Any]) -> None:
        """Show the scope's current central values (unset ones empty)."""
        for name in central.CENTRAL:
            value = values.get(name)
            getattr(self, name).data = "" if value is None else str(value)

    def values(self) -> dict[str, Any] | None:
        """Every central setting as typed (None: not set centrally); None if one cannot be read."""
        values: dict[str, Any] = {}
        for name in central.CENTRAL:
            field = getattr(self, name)
            text = clean_text(field.data or "").text
            if not text:
                values[name] = None
            elif name not in WHOLE_NUMBERS:
                values[name] = text
            elif _INTEGER.match(text):
                values[name] = int(text)
            else:  # "5.0" would pass the settings' own check, and be stored as text
                field.errors = [_bounds_message(name)]
        return None if any(field.errors for field in self) else values

    def show_refusal(self, problems: dict[str, Any]) -> bool:
        """Put the service's refusal on each field, in words a person can act on."""
        return self.show_errors({name: _refusal(name, text) for name, text in problems.items()})


def _bounds_message(name: str) -> Any:
    low, high = _rule(name, "ge"), _rule(name, "le")
    return _l("A whole number of seconds from %(low)s to %(high)s.", low=low, high=high)


def _refusal(name: str, text: Any) -> Any:
    detail = str(text).removeprefix("Value error, ")
    messages = {
        "hotline": _l("Use digits and hyphens only, 3 to 20 of them, such as 12345."),
        "complaint_qr_url": _l("Enter an address starting with https:// or http://."),
        "announcement_banner": _l("Use at most %(count)d characters.", count=BANNER_MAX),
        "receipt_printer": _l("This printer address cannot be used: %(detail)s", detail=detail),
        "licence_printer": _l("This printer address cannot be used: %(detail)s", detail=detail),
    }
    if name in WHOLE_NUMBERS:
        return _bounds_message(name)
    return messages.get(name, text)


def names_of(found: list[Kiosk]) -> dict[str, str]:
    """Each kiosk's name for people (its name, or its id), by id."""
    return {k.id: k.name or k.id for k in found}


def ago(when: datetime | None, now: datetime) -> str:
    """How long ago, in the page's language ("2 minutes ago"); "—" if never."""
    if when is None:
        return "—"
    return str(format_timedelta(when - now, granularity="second", add_direction=True))


def disk(free_bytes: int | None) -> str:
    """Free disk space in human units ("12.3 GB")."""
    if free_bytes is None:
        return "—"
    locale = get_locale() or "zh_CN"
    for unit, size in (("gigabyte", 1024**3), ("megabyte", 1024**2)):
        if free_bytes >= size:
            return str(
                format_unit(free_bytes / size, f"digital-{unit}", "short", "#,##0.#", locale)
            )
    return str(format_unit(free_bytes / 1024, "digital-kilobyte", "short", "#,##0", locale))


def lasted(since: datetime | None, now: datetime) -> str:
    """How long something has lasted up to now ("16 seconds"); "—" if unknown."""
    if since is None:
        return "—"
    return str(format_timedelta(now - since, granularity="second"))


def duration(seconds: int) -> str:
    """A span such as an uptime, in the page's language ("3 days")."""
    return str(format_timedelta(float(seconds), granularity="minute", threshold=1.5))
