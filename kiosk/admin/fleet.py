"""The fleet, for a busy officer and the vendor's on-call engineer: every kiosk by building with
its state, one kiosk in detail with its commands, alerts and logs, and the configuration set
centrally. Built on the same services as the maintenance API (`kiosk.services.fleet`).

Staff read; supervisors send commands; admins replace tokens and change the configuration. An
officer limited to a building sees only that building's kiosks: the request's session is scoped
(kiosk.scope), so every list and lookup here leaves the others out.
"""

from __future__ import annotations

from typing import Any

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from kiosk import scope
from kiosk.access import requires
from kiosk.admin import fleet_enrol  # noqa: F401  (registers the enrolment code's views)
from kiosk.admin import fleet_forms as words
from kiosk.admin.fleet_forms import (
    AnnounceForm,
    CentralConfigForm,
    CommandForm,
    FleetFilterForm,
    PauseForm,
    RotateTokenForm,
)
from kiosk.admin.views import actor, bp, can_supervise, me, settings
from kiosk.db import get_session, transaction, utcnow
from kiosk.errors import NotFound, ValidationFailed
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import CommandKind, ConfigVersion, Kiosk, KioskState, Role
from kiosk.services import audit, tenants
from kiosk.services.fleet import commands, kiosks, logs
from kiosk.services.fleet import settings as central
from kiosk.services.fleet.agent import limits

ALERTS_SHOWN = 10
COMMANDS_SHOWN = 20
HISTORY_SHOWN = 20
LOGS_SHOWN = 100
ID_MAX = 2**63 - 1  # a bigger id cannot be looked up (SQLite refuses to bind it)
FORMS: dict[str, type[CommandForm]] = {
    CommandKind.TEST_PRINT.value: CommandForm,
    CommandKind.RELOAD.value: CommandForm,
    CommandKind.SCREENSHOT.value: CommandForm,
    CommandKind.ANNOUNCE.value: AnnounceForm,
    CommandKind.PAUSE.value: PauseForm,
    CommandKind.RESUME.value: CommandForm,
    CommandKind.ROTATE_TOKEN.value: RotateTokenForm,
}
HELPERS = {
    "ago": words.ago,
    "lasted": words.lasted,
    "disk": words.disk,
    "duration": words.duration,
    "state_labels": words.STATE,
    "command_labels": words.COMMAND,
    "command_status_labels": words.COMMAND_STATUS,
    "alert_labels": words.ALERT,
    "setting_labels": words.LABELS,
}


def _kiosk(kiosk_id: str) -> Kiosk:
    """The kiosk, if it has reported and is in this officer's reach."""
    kiosk = kiosks.get(get_session(), kiosk_id)
    if kiosk is None:
        raise NotFound(_l("No kiosk with that id has ever reported."))
    return kiosk


def _building_names(db: Session, codes: set[str]) -> dict[str, str]:
    """Each building's name in the page's language, or its code when it is not set up."""
    names, english = {}, current_locale() == "en"
    for code in codes:
        building = tenants.get_building(db, code)
        names[code] = (building.name_en if english else building.name_zh) if building else code
    return names


def _unit_name() -> str:
    unit = me().unit
    return unit.name(str(get_locale())) if unit is not None else ""


def _is_admin() -> bool:
    return me().role.rank >= Role.ADMIN.rank


@bp.get("/fleet")
@requires(Role.STAFF)
def show_fleet() -> str:
    """Every kiosk by building: its state, screen, printers and disk; counts and newest alerts."""
    db, now = get_session(), utcnow()
    limited = not scope.reach_of(db).everything
    everyone = kiosks.listing(db)  # the kiosks in reach: a building's officer, theirs only
    names = _building_names(db, {k.building_code for k in everyone})
    form = FleetFilterForm(request.args)
    form.building.choices = [("", _l("All buildings")), *sorted(names.items())]
    form.state.choices = [("", _l("Any state")), *words.STATE.items()]
    building = form.building.data if form.building.data in names and not limited else ""
    state = form.state.data if form.state.data in words.STATE else ""
    shown = kiosks.listing(db, building, KioskState(state) if state else None)
    ids = words.names_of(everyone)
    alerts = kiosks.alerts(db, limit=ALERTS_SHOWN)
    groups: dict[str, list[Kiosk]] = {}
    for kiosk in shown:
        groups.setdefault(kiosk.building_code, []).append(kiosk)
    wanted = {k: v for k, v in (("building", building), ("state", state)) if v}
    refresh = request.args.get("refresh") != "off"
    return render_template(
        "admin/fleet.html",
        form=form,
        groups=groups,
        building_names=names,
        counts=kiosks.state_counts(db),
        alerts=alerts,
        kiosk_names=ids,
        frozen={k.id: kiosks.screen_frozen(k, now, limits(settings())) for k in shown},
        limited=_unit_name() if limited else "",
        wanted=wanted,
        kept=wanted if refresh else {**wanted, "refresh": "off"},  # what the links keep
        refresh=refresh,
        may_configure=_is_admin() and scope.reaches(db, ConfigVersion, kiosk_id=""),
        may_enrol=_is_admin(),
        now=now,
        **HELPERS,
    )


def _kiosk_page(kiosk: Kiosk, posted: tuple[str, Any] | None = None) -> tuple[str, int]:
    """One kiosk in detail; `posted` is a refused form, shown again with what was typed."""
    db, now = get_session(), utcnow()
    fleet, own = central.current(db, ""), central.current(db, kiosk.id)
    forms: dict[str, Any] = {name: form(formdata=None) for name, form in FORMS.items()}
    forms["config"] = CentralConfigForm(formdata=None)
    forms["config"].fill(own.values if own else {})
    if posted is not None:
        forms[posted[0]] = posted[1]
    level = request.args.get("level", "WARNING")
    level = level if level in words.LOG_LEVELS else "WARNING"
    html = render_template(
        "admin/fleet_kiosk.html",
        kiosk=kiosk,
        building_name=_building_names(db, {kiosk.building_code})[kiosk.building_code],
        frozen=kiosks.screen_frozen(kiosk, now, limits(settings())),
        commands=commands.recent(db, kiosk.id, COMMANDS_SHOWN),
        alerts=kiosks.alerts(db, kiosk.id, ALERTS_SHOWN),
        records=logs.recent(db, kiosk.id, level=level, limit=LOGS_SHOWN),
        level=level,
        levels=words.LOG_LEVELS,
        forms=forms,
        fleet_version=fleet,
        own_version=own,
        latest_version=central.latest_version(db, kiosk.id),
        history=central.history(db, kiosk.id, HISTORY_SHOWN),
        central_names=central.CENTRAL,
        may_command=can_supervise(me()),
        may_admin=_is_admin(),
        now=now,
        **HELPERS,
    )
    return html, 200 if posted is None else 400


@bp.get("/fleet/<kiosk_id>")
@requires(Role.STAFF)
def show_kiosk(kiosk_id: str) -> tuple[str, int]:
    """One kiosk: its state in detail, commands, alerts, log records and central settings."""
    return _kiosk_page(_kiosk(kiosk_id))


def _send(kiosk_id: str, kind: str) -> Response | tuple[str, int]:
    """Check the command's form, queue it, audit it, and go back to the kiosk."""
    kiosk = _kiosk(kiosk_id)
    form = FORMS[kind]()
    if not form.validate():
        return _kiosk_page(kiosk, (kind, form))
    db = get_session()
    try:
        command = commands.issue(
            db, kiosk.id, CommandKind(kind), form.payload(), f"staff {me().username}"
        )
    except ValidationFailed as exc:
        if not form.show_errors(exc.fields):
            flash(str(exc.message), "error")
        return _kiosk_page(kiosk, (kind, form))
    with transaction(db):
        audit.record(
            db, actor(), "fleet.command", "kiosk", kiosk.id,
            command=command.id, kind=kind, payload=command.payload,
        )  # fmt: skip
    flash(
        _(
            "Command sent: %(command)s; the kiosk picks it up within a few seconds.",
            command=words.COMMAND[kind],
        ),
        "success",
    )
    if kiosk.state is not KioskState.ONLINE:
        flash(_("The kiosk is not online: a command not picked up within 10 minutes expires."),
              "warning")  # fmt: skip
    return redirect(url_for("admin.show_kiosk", kiosk_id=kiosk.id), 303)


# A name with a hyphen is quoted to be a converter argument; rotating a token is an admin's.
KINDS = 'reload, screenshot, announce, pause, resume, "test-print"'


@bp.post(f"/fleet/<kiosk_id>/commands/<any({KINDS}):kind>")
@requires(Role.SUPERVISOR)
def send_kiosk_command(kiosk_id: str, kind: str) -> Response | tuple[str, int]:
    """Queue a command for the kiosk: test print, reload, banner, pause, resume, screenshot."""
    return _send(kiosk_id, kind)


@bp.post("/fleet/<kiosk_id>/rotate-token")
@requires(Role.ADMIN)
def rotate_kiosk_token(kiosk_id: str) -> Response | tuple[str, int]:
    """Give the kiosk a new API token and revoke the old one (confirmed with a tick)."""
    return _send(kiosk_id, CommandKind.ROTATE_TOKEN.value)


@bp.get("/fleet/commands/<int:command_id>/screenshot")
@requires(Role.STAFF)
def show_kiosk_screenshot(command_id: int) -> FlaskResponse:
    """The PNG a screenshot command brought back; never kept by the browser."""
    if command_id > ID_MAX:
        raise NotFound(_l("This command brought back no picture."))
    command = commands.get(get_session(), command_id)
    _kiosk(command.kiosk_id)
    if command.attachment is None:
        raise NotFound(_l("This command brought back no picture."))
    return FlaskResponse(
        command.attachment, mimetype="image/png", headers={"Cache-Control": "no-store"}
    )


def _change(form: CentralConfigForm, scope: str) -> bool:
    """Store the form's values for the fleet ("") or a kiosk; False if they were refused."""
    values = form.values()
    if values is None:
        return False
    db = get_session()
    before = central.current(db, scope)
    if before is None and all(value is None for value in values.values()):
        flash(_("Nothing was changed."), "info")
        return True
    try:
        version = central.change(db, settings(), scope, values, f"staff {me().username}")
    except ValidationFailed as exc:
        if not form.show_refusal(exc.fields):
            flash(str(exc.message), "error")
        return False
    if before is not None and version.id == before.id:
        flash(_("Nothing was changed."), "info")
        return True
    with transaction(db):
        audit.record(
            db, actor(), "fleet.config", "kiosk" if scope else "fleet", scope or "*",
            version=version.id, changed=sorted(version.changes),
        )  # fmt: skip
    flash(
        _("Saved as version %(version)s. Kiosks take it up at their next heartbeat.",
          version=version.id),
        "success",
    )  # fmt: skip
    return True


@bp.post("/fleet/<kiosk_id>/config")
@requires(Role.ADMIN)
def change_kiosk_config(kiosk_id: str) -> Response | tuple[str, int]:
    """Set this kiosk's own central values (empty: the fleet's value applies)."""
    kiosk = _kiosk(kiosk_id)
    form = CentralConfigForm()
    if not (form.validate() and _change(form, kiosk.id)):
        return _kiosk_page(kiosk, ("config", form))
    return redirect(url_for("admin.show_kiosk", kiosk_id=kiosk.id), 303)


@bp.route("/fleet-config", methods=["GET", "POST"])
@requires(Role.ADMIN)
def edit_fleet_config() -> Response | tuple[str, int]:
    """The values set centrally for the whole fleet, and who changed what."""
    db = get_session()
    if not scope.reaches(db, ConfigVersion, kiosk_id=""):
        abort(403)  # one building's admin does not set every building's kiosks
    form = CentralConfigForm()
    if not form.is_submitted():
        current = central.current(db, "")
        form.fill(current.values if current else {})
    elif form.validate() and _change(form, ""):
        return redirect(url_for("admin.edit_fleet_config"), 303)
    html = render_template(
        "admin/fleet_kiosk.html",
        kiosk=None,
        forms={"config": form},
        fleet_version=central.current(db, ""),
        history=central.history(db, "", HISTORY_SHOWN),
        central_names=central.CENTRAL,
        may_admin=True,
        now=utcnow(),
        **HELPERS,
    )
    return html, 400 if form.is_submitted() else 200
