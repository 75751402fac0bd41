"""Announcements on the lobby's attract screen: staff read them, supervisors publish and withdraw.

Announcements are for this kiosk's building (the `building` setting). What the lobby shows is
public, so writing one is a supervisor's call; every change is in the audit log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField

from kiosk.access import requires
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, can_supervise, me, settings
from kiosk.db import get_session
from kiosk.errors import Conflict, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Announcement, Role
from kiosk.services import announcements
from kiosk.services.announcements import TEXT_MAX, AnnouncementDraft

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


class AnnouncementForm(FlaskForm):
    """An announcement's text in both languages and when it shows."""

    text_zh = TextAreaField(
        _l("Announcement in Chinese"),
        description=_l("Required, up to %(n)s characters.", n=TEXT_MAX),
        render_kw={"rows": 3, "data-max-chars": TEXT_MAX},
    )
    text_en = TextAreaField(
        _l("Announcement in English"),
        description=_l(
            "Optional, up to %(n)s characters. Without it, English readers see the Chinese.",
            n=TEXT_MAX,
        ),
        render_kw={"rows": 3, "data-max-chars": TEXT_MAX},
    )
    starts_at = StringField(
        _l("Show from"),
        description=_l("Leave empty to show it from now."),
        render_kw={"type": "datetime-local"},
    )
    ends_at = StringField(
        _l("Show until"),
        description=_l("Leave empty to show it until it is withdrawn."),
        render_kw={"type": "datetime-local"},
    )


def _local(value: datetime | None) -> str:
    """An aware time as the form shows it, in the kiosk's time zone."""
    return value.astimezone(settings().zone).strftime(LOCAL_FORMAT) if value else ""


def _parse(field: Any) -> tuple[datetime | None, bool]:
    """The field's local time as an aware datetime (None if empty); False if it is not one."""
    raw = (field.data or "").strip()
    if not raw:
        return None, True
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        field.errors = [_l("Enter a date and time, for example 2026-12-01 09:00.")]
        return None, False
    return value.replace(tzinfo=settings().zone, second=0, microsecond=0), True


def _draft(form: AnnouncementForm) -> AnnouncementDraft | None:
    """What was typed, as the service takes it; None when a time could not be read."""
    starts_at, starts_ok = _parse(form.starts_at)
    ends_at, ends_ok = _parse(form.ends_at)
    if not (starts_ok and ends_ok):
        return None
    return AnnouncementDraft(form.text_zh.data or "", form.text_en.data or "", starts_at, ends_at)


def _show_errors(form: AnnouncementForm, exc: ValidationFailed) -> None:
    for name, message in exc.fields.items():
        getattr(form, name).errors = [message]


def _render_form(
    form: AnnouncementForm, item: Announcement | None = None, status: int = 200
) -> tuple[str, int]:
    html = render_template("admin/edit_announcement.html", form=form, item=item)
    return html, status


@bp.get("/announcements")
@requires(Role.STAFF)
def list_announcements() -> str:
    """This building's announcements: on the screen now, coming up, ended or withdrawn."""
    found = announcements.listing(get_session(), settings().building)
    return render_template(
        "admin/list_announcements.html",
        listing=found,
        may_edit=can_supervise(me()),
        form=ActionForm(),
        shown_max=announcements.SHOWN_MAX,
    )


@bp.route("/announcements/new", methods=["GET", "POST"])
@requires(Role.SUPERVISOR)
def create_announcement() -> Response | tuple[str, int]:
    """Write an announcement for the lobby screen; it shows from now unless a start is given."""
    form = AnnouncementForm()
    if not form.is_submitted():
        return _render_form(form)
    draft = _draft(form) if form.validate() else None
    if draft is None:
        return _render_form(form, status=400)
    try:
        announcements.create(get_session(), settings().building, draft, actor())
    except ValidationFailed as exc:
        _show_errors(form, exc)
        return _render_form(form, status=400)
    flash(_("The announcement has been saved."), "success")
    return redirect(url_for("admin.list_announcements"), 303)


@bp.route("/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
@requires(Role.SUPERVISOR)
def edit_announcement(announcement_id: int) -> Response | tuple[str, int]:
    """Change an announcement's text or when it shows."""
    db = get_session()
    item = announcements.get(db, announcement_id, settings().building)
    if not item.active:
        flash(_("This announcement has been withdrawn and can no longer be changed."), "error")
        return redirect(url_for("admin.list_announcements"), 303)
    form = AnnouncementForm()
    if not form.is_submitted():
        form.text_zh.data, form.text_en.data = item.text_zh, item.text_en
        form.starts_at.data, form.ends_at.data = _local(item.starts_at), _local(item.ends_at)
        return _render_form(form, item)
    draft = _draft(form) if form.validate() else None
    if draft is None:
        return _render_form(form, item, status=400)
    # The form shows times to the minute: a time sent back as shown is the stored one, seconds
    # and all, not a change.
    if (form.starts_at.data or "").strip() == _local(item.starts_at):
        draft = replace(draft, starts_at=item.starts_at)
    if item.ends_at is not None and (form.ends_at.data or "").strip() == _local(item.ends_at):
        draft = replace(draft, ends_at=item.ends_at)
    try:
        announcements.update(db, item.id, settings().building, draft, actor())
    except ValidationFailed as exc:
        _show_errors(form, exc)
        return _render_form(form, item, status=400)
    except Conflict as exc:  # withdrawn by a colleague meanwhile
        flash(str(exc.message), "error")
        return redirect(url_for("admin.list_announcements"), 303)
    flash(_("The announcement has been changed."), "success")
    return redirect(url_for("admin.list_announcements"), 303)


@bp.post("/announcements/<int:announcement_id>/deactivate")
@requires(Role.SUPERVISOR)
def deactivate_announcement(announcement_id: int) -> Response:
    """Take an announcement off the lobby screen."""
    form = ActionForm()
    if form.validate():  # one absent or out of reach is a 404 (NotFound)
        announcements.deactivate(get_session(), announcement_id, settings().building, actor())
        flash(_("The announcement has been withdrawn from the screen."), "success")
    return redirect(url_for("admin.list_announcements"), 303)
