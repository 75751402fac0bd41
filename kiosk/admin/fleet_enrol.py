"""Enrolling a terminal from the fleet page: an admin makes a one-time code for a kiosk id in a
building of their reach, and the code is shown once, with when it expires.

The form has its own page: the fleet list refreshes itself every 30 seconds, which would wipe
what was being typed.
"""

from __future__ import annotations

from flask import make_response, render_template
from flask_babel import get_locale
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.fleet_forms import EnrolForm
from kiosk.admin.views import actor, bp, me, settings
from kiosk.db import get_session, transaction
from kiosk.edge import staff_codes
from kiosk.edge.enrol import CODE_MINUTES, IssuedCode
from kiosk.errors import ValidationFailed
from kiosk.models import Role
from kiosk.services import audit


def _form_page(form: EnrolForm, status: int) -> Response:
    """The form, with the buildings in reach to choose from."""
    db = get_session()
    locale = str(get_locale() or "zh_CN")
    choices = [(unit.code, unit.name(locale)) for unit in staff_codes.buildings(db)]
    form.building.choices = choices
    if len(choices) == 1 and not form.building.data:
        form.building.data = choices[0][0]
    page = render_template(
        "admin/fleet_enrol.html", form=form, may_enrol=bool(choices), minutes=CODE_MINUTES
    )
    return make_response(page, status)


def _issued_page(issued: IssuedCode, building: str, name: str) -> Response:
    """The one page that shows the code: never cached, never shown again."""
    locale = str(get_locale() or "zh_CN")
    names = {unit.code: unit.name(locale) for unit in staff_codes.buildings(get_session())}
    page = render_template(
        "admin/fleet_enrol_code.html", issued=issued, building_name=names.get(building, building),
        name=name, public_url=settings().link_base,
    )  # fmt: skip
    response = make_response(page, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/fleet/enrol")
@requires(Role.ADMIN)
def new_enrolment_code() -> Response:
    """The form for a one-time code to enrol a terminal."""
    return _form_page(EnrolForm(formdata=None), 200)


@bp.post("/fleet/enrol")
@requires(Role.ADMIN)
def make_enrolment_code() -> Response:
    """Make the code (for a building in reach), audit it, and show it once."""
    form = EnrolForm()
    if not form.validate():
        return _form_page(form, 400)
    db, staff = get_session(), me()
    try:
        issued = staff_codes.issue_in_reach(
            db, form.kiosk_id.data or "", form.building.data or "", form.name.data or "",
            f"staff {staff.username}", own_id=settings().id,
        )  # fmt: skip
    except ValidationFailed as exc:
        form.show_errors(exc.fields)
        return _form_page(form, 400)
    building, name = form.building.data or "", (form.name.data or "").strip()
    with transaction(db):
        # Filed under the building: the kiosk itself is listed only once it is enrolled.
        audit.record(
            db, actor(), "fleet.enrol_code", "unit", building,
            kiosk=issued.kiosk_id, name=name, expires_at=issued.expires_at.isoformat(),
        )  # fmt: skip
    return _issued_page(issued, building, name)
