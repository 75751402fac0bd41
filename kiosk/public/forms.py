"""Forms on a phone page reached by an unguessable link: protected without a session.

A status page's link is its own secret: whoever holds it may rate or reopen the appeal, and no
cookie is needed to do so. Such a form still carries a CSRF field, but its value is derived from
the link's token (HMAC with the kiosk's secret key) instead of being kept in a server-side
session, so showing the page to ten thousand phones after an SMS wave writes nothing: no session
row, no cookie. A post without the field, or with another page's value, is refused as before.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import Field, Form
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

from kiosk.i18n import lazy_gettext as _l

DEFAULT_FIELD = "csrf_token"


class LinkCsrf(CSRF):
    """A CSRF value bound to the page's link token, checked without any stored state."""

    def setup_form(self, form: Form) -> Any:
        """Remember the link token the form was made for."""
        self.link = str(form.meta.csrf_context or "")
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field: Field) -> str:
        """HMAC-SHA256 of the link token under the app's secret key."""
        key = str(current_app.secret_key).encode()
        return hmac.new(key, b"link-form:" + self.link.encode(), hashlib.sha256).hexdigest()

    def validate_csrf_token(self, form: Form, field: Field) -> None:
        """Refuse a missing value or one made for another link."""
        # As with the session's token, the page's one value serves each of its forms.
        given = field.data or request.form.get(DEFAULT_FIELD, "")
        if not self.link or not hmac.compare_digest(str(given), self.generate_csrf_token(field)):
            raise ValidationError(_l("This page had expired. Please try again."))


class LinkForm(FlaskForm):
    """A form on a page reached by its link token; build it with `link=token`."""

    class Meta:
        csrf_class = LinkCsrf

    def __init__(self, *args: Any, link: str, **kwargs: Any) -> None:
        meta = dict(kwargs.pop("meta", {}) or {}, csrf_context=link)
        super().__init__(*args, meta=meta, **kwargs)

    def refuse_forgery(self) -> None:
        """Refuse (400) a POST whose CSRF value is missing or wrong before the view looks
        anything up, so a forged request learns nothing, not even whether its target exists."""
        field = getattr(self, "csrf_token", None)
        if field is not None and not field.validate(self):
            raise CSRFError(str(field.errors[0]))

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate; a missing or wrong CSRF value is refused as the session's token is (400,
        before anything is looked up), not shown as a field error."""
        valid = bool(super().validate(extra_validators))
        csrf_field = getattr(self, "csrf_token", None)
        if not valid and csrf_field is not None and csrf_field.errors:
            raise CSRFError(str(csrf_field.errors[0]))
        return valid
