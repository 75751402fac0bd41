"""How the staff face shows a refused form: keep what was typed, say what happened."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_wtf.csrf import CSRFError

from kiosk.admin import applications
from kiosk.admin.appeal import render_after_csrf_failure
from kiosk.admin.auth import render_sign_in
from kiosk.admin.views import bp
from kiosk.i18n import lazy_gettext as _l


@bp.errorhandler(CSRFError)
def _csrf_failed(exc: CSRFError) -> Any:
    """A missing or expired token: nothing is saved; the page comes back with the typed text."""
    message = _l("This page had expired, so nothing was saved. Check what you typed and try again.")
    application_id = (request.view_args or {}).get("application_id")
    if application_id is not None and request.endpoint != "admin.show_application":
        return applications.render_after_csrf_failure(int(application_id), message)
    reference = (request.view_args or {}).get("reference")
    if reference is not None and request.endpoint != "admin.show_appeal":
        return render_after_csrf_failure(str(reference), message)
    if request.endpoint == "admin.sign_in":
        return render_sign_in(notice=message, status=400)
    return render_template("admin/error.html", message=message, status=400), 400
