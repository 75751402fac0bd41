"""Continue on your phone, the kiosk's side: ask for a QR code, then collect the text."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, jsonify, session
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField

from kiosk.access import public
from kiosk.errors import NotFound
from kiosk.qr import qr_svg
from kiosk.services import hand_off
from kiosk.tasks import TASKS
from kiosk.terminal.common import bp, context
from kiosk.web import public_link

OWNER = "hand_off_owner"  # session key: the random id hand-offs of this session are filed under


class HandOffForm(FlaskForm):
    """Which field of which step to fill in on the phone, and what is in it already."""

    task = StringField()
    step = StringField()
    field = StringField()
    text = TextAreaField()


def _field(form: HandOffForm) -> Any:
    """The form field asked for, if the task's step has it and it may be handed off."""
    task = TASKS.get(form.task.data or "")
    step = task.step(form.step.data or "") if task else None
    if step is None:
        return None
    field = getattr(step.form(formdata=None), form.field.data or "", None)
    render_kw = getattr(field, "render_kw", None) or {}
    return field if render_kw.get("data-hand-off") else None


@bp.post("/hand-off")
@public
def start_hand_off() -> Response | tuple[Response, int]:
    """A QR code linking the phone to one long field of the current step."""
    form = HandOffForm()
    field = _field(form) if form.validate() else None
    if field is None:
        return jsonify(error="bad_field"), 400
    owner = session.setdefault(OWNER, secrets.token_hex(16))
    max_chars = int(field.render_kw.get("data-max-chars", 1000))
    started = hand_off.start(
        context().db, owner, field.name, str(field.label.text), max_chars, form.text.data or ""
    )
    url = public_link("public.fill_field", token=started.token)
    return jsonify(
        id=started.id,
        url=url,
        qr=str(qr_svg(url, str(field.label.text), "qr hand-off__qr")),
        expires_at=started.expires_at.isoformat(),
    )


@bp.get("/hand-off/<int:hand_off_id>")
@public
def collect_hand_off(hand_off_id: int) -> Response:
    """What the phone sent, once; only the session that asked for it may have it."""
    owner = session.get(OWNER)
    if not isinstance(owner, str):
        abort(404)
    try:
        result = hand_off.collect(context().db, owner, hand_off_id)
    except NotFound:
        abort(404)
    return jsonify(state=result.state, text=result.text)


def forget_session_hand_offs() -> None:
    """The terminal is being wiped: nothing handed to a phone survives it."""
    owner = session.get(OWNER)
    if isinstance(owner, str):
        hand_off.forget(context().db, owner)
