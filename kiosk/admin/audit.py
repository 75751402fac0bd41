"""The audit log: who changed what, when and from where (supervisors and admins).

Filtered by who, what and when through the query string, so a filtered log can be bookmarked;
paged by keyset with the filters kept in the paging links.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from kiosk.access import requires
from kiosk.admin import audit_words
from kiosk.admin.views import bp, cursor, settings
from kiosk.db import get_session
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import AUDIT_ACTION, AUDIT_GROUPS
from kiosk.models import Role
from kiosk.services import ledger
from kiosk.services.audit import AuditFilter, staff_choices

FILTER_ARGS = ("who", "what", "since", "until")
SYSTEM = "system"  # the `who` value for the command line, the demo and API tokens


class AuditFilterForm(FlaskForm):
    """The log's filters, sent by GET."""

    class Meta:
        csrf = False

    what = SelectField(_l("What was done"), validate_choice=False)
    who = SelectField(_l("Who did it"), validate_choice=False)
    since = StringField(_l("From (date)"), render_kw={"type": "date", "max": "9999-12-31"})
    until = StringField(_l("To (date)"), render_kw={"type": "date", "max": "9999-12-31"})


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.who.choices = [("", _l("Anyone")), (SYSTEM, _l("System or command line"))] + [
        (str(staff.id), f"{staff.display_name} ({staff.username})")
        for staff in staff_choices(get_session())
    ]
    what: dict[str, list[tuple[str, Any]]] = {"": [("", _l("Every action"))]}
    for key, (group, actions) in AUDIT_GROUPS.items():
        every = _l("Every action on %(what)s", what=group)
        what[str(group)] = [(key, every), *actions.items()]
    form.what.choices = what  # WTForms takes groups as a dict
    return form


def _day(form: AuditFilterForm, field: StringField) -> date | None:
    text = (field.data or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        field.errors = [_l("Enter a date like 2026-12-01.")]
        return None


def _wanted(form: AuditFilterForm) -> AuditFilter:
    """The filter the form asks for; a value not on offer is an error on its field."""
    who = form.who.data or ""
    staff_ids = {value for value, _label in form.who.choices}
    if who not in staff_ids:
        form.who.errors = [_l("Choose someone from the list.")]
        who = ""
    what = form.what.data or ""
    actions: tuple[str, ...] = ()
    if what in AUDIT_GROUPS:
        actions = tuple(AUDIT_GROUPS[what][1])
    elif what in AUDIT_ACTION:
        actions = (what,)
    elif what:
        form.what.errors = [_l("Choose an action from the list.")]
    zone = settings().zone
    since, until = _day(form, form.since), _day(form, form.until)
    if since and until and until < since:
        form.until.errors = [_l("The end date is before the start date.")]
        until = None
    return AuditFilter(
        staff_id=int(who) if who.isdecimal() else None,
        system=who == SYSTEM,
        actions=actions,
        since=_utc(since, zone) if since else None,
        until=_utc(until + timedelta(days=1), zone) if until else None,  # the whole last day
    )


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), zone).astimezone(UTC)


@bp.get("/audit")
@requires(Role.SUPERVISOR)
def show_audit_log() -> tuple[str, int]:
    """The audit log, newest first, filtered, paged by keyset, in words."""
    form = _form()
    wanted = _wanted(form)
    page = ledger.audit_page(
        get_session(),
        wanted,
        before=cursor("before"),
        after=cursor("after"),
        limit=settings().staff_page_size,
    )
    wrong = any(field.errors for field in form)
    html = render_template(
        "admin/show_audit_log.html",
        page=page,
        form=form,
        filters={name: request.args[name] for name in FILTER_ARGS if request.args.get(name)},
        filtered=wanted != AuditFilter(),
        words=audit_words,
        zone=settings().zone,
    )
    return html, 400 if wrong else 200
