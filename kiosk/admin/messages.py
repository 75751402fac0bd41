"""Messages: what tenants and staff were sent, what waits, what failed, and sending again."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, safe_next
from kiosk.db import get_session
from kiosk.errors import Conflict
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import MessageState, Role
from kiosk.services import notify
from kiosk.services.notify.texts import words
from kiosk.services.notify.worker import DOUBT

STATE = {
    "queued": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}
CHANNEL = {
    "sms": _l("SMS"),
    "wecom": _l("WeCom group robot"),
    "dingtalk": _l("DingTalk group robot"),
    "log": _l("Log only"),
}
AUDIENCE = {"tenant": _l("Tenant"), "staff": _l("Officer")}
# What the list shows: "open" (waiting and failed) unless another state is asked for.
SHOWN: dict[str, MessageState | None] = {
    "open": None,
    **{state.value: state for state in MessageState},
}


@bp.context_processor
def _message_words() -> dict[str, Any]:
    return {
        "message_state_labels": STATE,
        "message_channel_labels": CHANNEL,
        "message_audience_labels": AUDIENCE,
        "message_event": words,
        "message_doubt": DOUBT,
    }


@bp.get("/messages")
@requires(Role.STAFF)
def list_messages() -> str:
    """Messages that wait or failed (or, chosen, those sent), newest first, in the staff
    member's reach."""
    db = get_session()
    wanted = request.args.get("state", "open")
    if wanted not in SHOWN:
        wanted = "open"
    return render_template(
        "admin/messages/list_messages.html",
        messages=notify.listing(db, SHOWN[wanted]),
        counts=notify.counts(db),
        wanted=wanted,
        choices=list(SHOWN),
        form=ActionForm(),
    )


@bp.post("/messages/<int:message_id>/retry")
@requires(Role.STAFF)
def retry_message(message_id: int) -> Response:
    """Send a failed message again (a message out of reach is a 404, as if absent)."""
    back = safe_next(request.form.get("back")) or url_for("admin.list_messages")
    if not ActionForm().validate():
        flash(
            _("This page had expired, so nothing was saved. Check what you typed and try again."),
            "error",
        )
        return redirect(back, 303)
    try:
        notify.retry(get_session(), message_id, actor())
    except Conflict as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The message will be sent again."), "success")
    return redirect(back, 303)
