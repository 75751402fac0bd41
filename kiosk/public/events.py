"""An event sign-up's status page, opened from the slip's or the screen's QR code."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.db import get_session, utcnow
from kiosk.errors import Conflict
from kiosk.i18n import lazy_gettext as _l
from kiosk.i18n import use_record_locale
from kiosk.models import EventSignup, SignupStatus
from kiosk.public.views import bp
from kiosk.services import events
from kiosk.text import mask_mobile


class CancelForm(FlaskForm):
    """Cancelling a sign-up: nothing to fill in but the CSRF token."""


def _render(signup: EventSignup, *, confirming: bool, status: int = 200) -> tuple[str, int]:
    use_record_locale(signup.locale)
    event = signup.event
    cancellable = (
        signup.status is not SignupStatus.CANCELLED
        and not event.cancelled
        and event.starts_at > utcnow()
    )
    html = render_template(
        "public/signup_status.html",
        signup=signup,
        event=event,
        kinds=events.KINDS,
        status_label=events.STATUSES[signup.status],
        position=events.position(get_session(), signup),
        masked_mobile=mask_mobile(signup.mobile),
        cancellable=cancellable,
        confirming=confirming and cancellable,
        form=CancelForm(),
        hotline=current_app.config["KIOSK"].hotline,
    )
    return html, status


@bp.get("/signups/<token>")
@public
def signup_status(token: str) -> tuple[str, int]:
    """The event, when and where, and the sign-up's status; a masked mobile, nothing more."""
    return _render(events.get_signup(get_session(), token), confirming=False)


@bp.route("/signups/<token>/cancel", methods=["GET", "POST"])
@public
def cancel_signup(token: str) -> Response | tuple[str, int]:
    """GET asks "are you sure?"; POST cancels, and a freed place goes to the waiting list."""
    db = get_session()
    signup = events.get_signup(db, token)
    if request.method == "GET":
        return _render(signup, confirming=True)
    form = CancelForm()
    if not form.validate():
        return _render(signup, confirming=True, status=400)
    try:
        events.cancel_signup(db, token)
    except Conflict as exc:
        flash(str(exc.message), "error")
    else:
        flash(_l("Your sign-up has been cancelled."), "success")
    return redirect(url_for("public.signup_status", token=token), 303)
