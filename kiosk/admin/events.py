"""Events for staff: the list, publishing and changing one, calling it off, its attendees (CSV).

Events are for this kiosk's building (the `building` setting), or for every building. The
attendee list holds people's mobile numbers: exporting it is in the audit log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from kiosk.access import requires
from kiosk.admin.export import BOM, safe_cell
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, settings
from kiosk.db import get_session
from kiosk.errors import Conflict, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Event, EventSignup, EventType, Role
from kiosk.services import events
from kiosk.services.events import EventDraft
from kiosk.text import is_whole

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def _limit(n: int) -> Any:
    return _l("Up to %(n)s characters.", n=f"{n:,}")


class EventForm(FlaskForm):
    """An event as staff describe it."""

    title = StringField(
        _l("Title"),
        description=_limit(events.TITLE_MAX),
        render_kw={"data-max-chars": events.TITLE_MAX},
    )
    kind = SelectField(_l("Kind of event"), validate_choice=False)
    starts_at = StringField(_l("Starts"), render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("Ends"), render_kw={"type": "datetime-local"})
    place = StringField(
        _l("Place"),
        description=_l("For example: 3F multi-function hall. Leave empty for an online event."),
    )
    online_url = StringField(
        _l("Online link"),
        description=_l("Optional for an event in a room; required for an online event."),
        render_kw={"type": "url", "spellcheck": "false"},
    )
    capacity = StringField(
        _l("Places"),
        description=_l(
            "From 1 to %(n)s. When they are taken, sign-ups join a waiting list.", n="10,000"
        ),
        render_kw={"inputmode": "numeric"},
    )
    audience = StringField(_l("Who it is for"), description=_limit(events.AUDIENCE_MAX))
    description = TextAreaField(
        _l("About the event"),
        description=_limit(events.DESCRIPTION_MAX),
        render_kw={"rows": 5, "data-max-chars": events.DESCRIPTION_MAX},
    )
    every_building = BooleanField(_l("For every building, not only this one"))


def _form(event: Event | None = None) -> EventForm:
    form = EventForm()
    form.kind.choices = [(kind.value, str(label)) for kind, label in events.KINDS.items()]
    if event is not None and not form.is_submitted():
        for name in ("title", "place", "online_url", "audience", "description"):
            getattr(form, name).data = getattr(event, name)
        form.kind.data = event.kind.value
        form.starts_at.data, form.ends_at.data = _local(event.starts_at), _local(event.ends_at)
        form.capacity.data = str(event.capacity)
        form.every_building.data = event.building_code == ""
    return form


def _local(value: datetime) -> str:
    return value.astimezone(settings().zone).strftime(LOCAL_FORMAT)


def _when(field: Any) -> datetime | None:
    raw = (field.data or "").strip()
    try:
        value = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return value.replace(tzinfo=settings().zone, second=0, microsecond=0) if value else None


def _draft(form: EventForm) -> EventDraft:
    raw = (form.capacity.data or "").strip()
    return EventDraft(
        title=form.title.data or "",
        kind=form.kind.data or "",
        starts_at=_when(form.starts_at),
        ends_at=_when(form.ends_at),
        place=form.place.data or "",
        online_url=form.online_url.data or "",
        capacity=int(raw) if is_whole(raw) and len(raw) < 7 else None,
        audience=form.audience.data or "",
        description=form.description.data or "",
        every_building=bool(form.every_building.data),
    )


def _render_form(form: EventForm, event: Event | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("admin/edit_event.html", form=form, event=event), status


def _show_errors(form: EventForm, exc: ValidationFailed) -> None:
    for name, message in exc.fields.items():
        getattr(form, name).errors = [message]


@bp.get("/events")
@requires(Role.STAFF)
def list_events() -> str:
    """Upcoming events first (soonest first), then past ones, with places and waiting lists."""
    db = get_session()
    coming, past = events.staff_listing(db, settings().building)
    waiting = events.waiting_counts(db, [event.id for event in coming + past])
    return render_template(
        "admin/list_events.html",
        coming=coming,
        past=past,
        waiting=waiting,
        kinds=events.KINDS,
        form=ActionForm(),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@requires(Role.STAFF)
def create_event() -> BaseResponse | tuple[str, int]:
    """Publish an event; tenants see it at the kiosk at once."""
    form = _form()
    if not form.is_submitted():
        form.kind.data = EventType.CLASS.value
        return _render_form(form)
    if not form.validate():
        return _render_form(form, status=400)
    try:
        event = events.publish(get_session(), settings().building, _draft(form), actor())
    except ValidationFailed as exc:
        _show_errors(form, exc)
        return _render_form(form, status=400)
    flash(_("The event has been published."), "success")
    return redirect(url_for("admin.show_event", event_id=event.id), 303)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@requires(Role.STAFF)
def edit_event(event_id: int) -> BaseResponse | tuple[str, int]:
    """Change an event; more places go to the waiting list first."""
    db = get_session()
    event = events.get_event(db, event_id, settings().building)
    form = _form(event)
    if not form.is_submitted():
        return _render_form(form, event)
    if not form.validate():
        return _render_form(form, event, status=400)
    try:
        events.change(db, event.id, settings().building, _draft(form), actor())
    except ValidationFailed as exc:
        _show_errors(form, exc)
        return _render_form(form, event, status=400)
    except Conflict as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The event has been changed."), "success")
    return redirect(url_for("admin.show_event", event_id=event.id), 303)


@bp.post("/events/<int:event_id>/cancel")
@requires(Role.STAFF)
def cancel_event(event_id: int) -> BaseResponse:
    """Call an event off; the people signed up see it on their status page."""
    if ActionForm().validate():
        events.cancel_event(get_session(), event_id, settings().building, actor())
        flash(_("The event has been cancelled."), "success")
    return redirect(url_for("admin.show_event", event_id=event_id), 303)


@bp.get("/events/<int:event_id>")
@requires(Role.STAFF)
def show_event(event_id: int) -> str:
    """One event and everyone who signed up for it."""
    db = get_session()
    event = events.get_event(db, event_id, settings().building)
    signups = events.attendees(db, event.id)
    return render_template(
        "admin/show_event.html",
        event=event,
        signups=signups,
        waiting=sum(1 for s in signups if s.status.value == "waiting"),
        kinds=events.KINDS,
        statuses=events.STATUSES,
        form=ActionForm(),
    )


@bp.get("/events/<int:event_id>/export")
@requires(Role.STAFF)
def export_event_attendees(event_id: int) -> Response:
    """The attendee list as CSV (UTF-8 with BOM, so Excel reads the Chinese); audited."""
    db = get_session()
    event = events.get_event(db, event_id, settings().building)
    events.record_export(db, actor(), event)
    body = "".join(_csv(events.attendees(db, event.id)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}-attendees.csv"'},
    )


def _csv(signups: list[EventSignup]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    zone = settings().zone
    writer.writerow(
        [
            _("Sign-up reference"),
            _("Status"),
            _("Waiting list number"),
            _("Company"),
            _("Unified social credit code"),
            _("Contact name"),
            _("Contact mobile"),
            _("Signed up"),
            _("Cancelled"),
        ]
    )
    place = 0
    for signup in signups:
        waiting = signup.status.value == "waiting"
        place += waiting
        cells = [
            signup.reference,
            str(events.STATUSES[signup.status]),
            str(place) if waiting else "",
            signup.company_name,
            signup.tenant.uscc if signup.tenant else "",
            signup.contact_name,
            signup.mobile,
            signup.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            signup.cancelled_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if signup.cancelled_at
            else "",
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    yield BOM + buffer.getvalue()
