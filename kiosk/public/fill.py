"""Continue on your phone, the phone's side: one field, the phone's own keyboard and voice."""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from kiosk.access import public
from kiosk.db import get_session
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.public.views import bp
from kiosk.services import hand_off


class FillForm(FlaskForm):
    """The one field handed over from the kiosk."""

    text = TextAreaField(_l("Your text"), render_kw={"rows": 10})


@bp.route("/fill/<token>", methods=["GET", "POST"])
@public
def fill_field(token: str) -> tuple[str, int] | str:
    """The page a kiosk's hand-off QR opens: fill in, send, and look back at the kiosk."""
    db = get_session()
    row = hand_off.for_phone(db, token)  # NotFound: expired or used, with its own message
    form = FillForm(data={"text": row.text or ""})
    form.text.render_kw = {"rows": 10, "data-max-chars": row.max_chars}
    if form.validate_on_submit():
        try:
            hand_off.send_from_phone(db, token, form.text.data or "")
        except ValidationFailed as exc:
            form.text.errors = [str(message) for message in exc.fields.values()]
            return render_template("public/fill.html", form=form, row=row), 400
        return render_template("public/fill_sent.html")
    return render_template("public/fill.html", form=form, row=row)
