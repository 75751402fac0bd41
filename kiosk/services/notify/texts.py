"""What each message says, in the recipient's language.

An SMS provider sends the text of a template registered with it (README, "Telling people");
the texts here are what those templates should say, and what the log, the robots and the staff
pages show. Each text's values are the template's values: `reference` and `link` for tenants.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale

from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Notification

TENANT = {
    "appeal_answered": (
        _l("Your appeal has an answer"),
        _l("There is a new answer to your appeal %(reference)s. See it at %(link)s"),
    ),
    "appeal_needs_info": (
        _l("Your appeal needs more information"),
        _l(
            "To go on with your appeal %(reference)s we need more information from you. "
            "See what is needed at %(link)s"
        ),
    ),
    "appeal_resolved": (
        _l("Your appeal has been resolved"),
        _l("Your appeal %(reference)s has been resolved. See the answer and rate it at %(link)s"),
    ),
    # The phone's appeal form: the code confirming the mobile (kiosk.services.phone_appeals).
    "phone_code": (
        _l("Your confirmation code"),
        _l("Your code is %(code)s. It works for %(minutes)s minutes. Do not tell it to anyone."),
    ),
}
STAFF = {
    "handed_off": (
        _l("Handed to you"),
        _l("%(name)s: %(reference)s (%(title)s) has been handed to you, due %(due)s. %(link)s"),
    ),
    "due_soon": (
        _l("Due soon"),
        _l("%(name)s: %(reference)s (%(title)s) is due %(due)s. %(link)s"),
    ),
    "overdue": (
        _l("Overdue"),
        _l("%(name)s: %(reference)s (%(title)s) was due %(due)s and is overdue. %(link)s"),
    ),
}
EVENTS = {**TENANT, **STAFF}


def status_link(token: str) -> str:
    """The absolute link to an appeal's status page (needs the app: its routes and settings)."""
    path = current_app.url_map.bind("localhost").build("public.appeal_status", {"token": token})
    return str(current_app.config["KIOSK"].link_base + path)


def values(row: Notification) -> dict[str, str]:
    """The template's values for a message: what it was queued with, and the link."""
    found = {key: str(value) for key, value in row.params.items() if key != "token"}
    if "token" in row.params:
        found["link"] = status_link(str(row.params["token"]))
    found.setdefault("link", "")
    return found


def render(row: Notification) -> tuple[str, str]:
    """(title, text) of a message in its language (inside the app's context)."""
    title, text = EVENTS.get(row.template, (row.template, row.template))
    # A code once sent is scrubbed from the row (the worker): staff pages show it hidden.
    blank = {"name": "", "title": "", "due": "", "reference": "", "code": "******", "minutes": ""}
    filled = {**blank, **values(row)}
    with force_locale(row.locale):
        # A lazy text without values is its translation with the placeholders left in.
        return str(title), str(text) % filled


def words(template: str) -> Any:
    """The title of an event, for the staff pages (lazy: in the reader's language)."""
    return EVENTS.get(template, (template, template))[0]
