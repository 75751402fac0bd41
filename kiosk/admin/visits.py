"""Visits (走访) in the admin, made for a phone in the field: choose the company ("my
companies", or a search of the companies in reach), record the visit with its problems and the
policies handed over, read a visit, a company's visits and its whole history."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.views import actor, bp, me, settings, today
from kiosk.admin.visit_forms import CompanySearchForm, VisitForm
from kiosk.db import get_session, utcnow
from kiosk.errors import ValidationFailed
from kiosk.i18n import current_locale
from kiosk.labels import APPLICATION_STATUS, SOURCE, STATUS
from kiosk.models import Role, Tenant
from kiosk.services import companies, visits
from kiosk.services.appeals import active_categories
from kiosk.services.companies.moves import MOVE_KIND
from kiosk.services.events import STATUSES as SIGNUP_STATUS
from kiosk.services.visits import history
from kiosk.tasks import TASKS
from kiosk.text import is_whole


def _company(tenant_id: int) -> Tenant:
    """The company, if it is in the officer's reach (NotFound, a 404, otherwise)."""
    return companies.get_company(get_session(), tenant_id)


@bp.get("/visits")
@requires(Role.STAFF)
def list_visits() -> str:
    """Visits in reach, newest first: an officer's own first ("mine"), or all of the unit's."""
    show = request.args.get("show") or ("mine" if me().role is Role.STAFF else "all")
    show = show if show in ("mine", "all") else "all"
    number = request.args.get("page", "")
    rows, page, pages = visits.list_visits(
        get_session(), me().id if show == "mine" else None,
        int(number) if is_whole(number) and len(number) < 7 else 1,
    )  # fmt: skip
    return render_template(
        "admin/visits/list_visits.html", rows=rows, page=page, pages=pages, show=show
    )


@bp.get("/visits/new")
@requires(Role.STAFF)
def choose_company() -> str:
    """Step one of recording a visit: which company (my companies, or a search)."""
    form = CompanySearchForm(request.args)
    found, searched = visits.companies_to_visit(get_session(), me().id, form.q.data or "")
    return render_template(
        "admin/visits/choose_company.html", form=form, found=found, searched=searched,
        locale=current_locale(),
    )  # fmt: skip


def _visit_form(tenant: Tenant) -> VisitForm:
    form = VisitForm()
    locale = current_locale()
    categories = [("", _("Choose a category"))] + [
        (c.code, c.name(locale)) for c in active_categories(get_session())
    ]
    for category, _description in form.problem_fields():
        category.choices = categories
    if not form.is_submitted():
        form.key.data = uuid.uuid4().hex
        form.visited_on.data = today().isoformat()
        form.contact_name.data = tenant.contact_name
        form.contact_mobile.data = tenant.contact_mobile
    return form


def _draft(form: VisitForm, tenant: Tenant) -> visits.VisitDraft:
    return visits.VisitDraft(
        submission_key=form.key.data or "", tenant_id=tenant.id,
        visited_on=form.visited_on.data or "", met=form.met.data or "",
        discussed=form.discussed.data or "", contact_name=form.contact_name.data or "",
        contact_mobile=form.contact_mobile.data or "", problems=form.problems(),
        policy_ids=form.policy_ids(),
    )  # fmt: skip


@bp.route("/companies/<int:tenant_id>/visits/new", methods=["GET", "POST"])
@requires(Role.STAFF)
def record_visit(tenant_id: int) -> Response | tuple[str, int]:
    """Record a visit to the company: its problems become appeals, its policies are told."""
    tenant = _company(tenant_id)
    db = get_session()
    form = _visit_form(tenant)
    offers = visits.policies_to_hand_over(db, tenant, today())
    form.policies.choices = [(str(o.match.policy.id), o.match.policy.title) for o in offers]
    if request.method == "POST" and form.validate():
        try:
            visit = visits.record_visit(
                db, settings(), _draft(form, tenant), actor(), today=today(), now=utcnow()
            )
        except ValidationFailed as exc:
            db.rollback()
            if not form.show_errors(exc.fields):
                flash(str(exc.message), "error")
        else:
            flash(_("Visit %(ref)s recorded.", ref=visit.reference), "success")
            return redirect(url_for("admin.show_visit", visit_id=visit.id), 303)
    elif request.method == "POST":
        flash(_("This page had expired, so nothing was saved. Try again."), "error")
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "admin/visits/new_visit.html", form=form, tenant=tenant, offers=offers,
        ticked=set(form.policies.data or []),
    )  # fmt: skip
    return page, status


@bp.get("/visits/<int:visit_id>")
@requires(Role.STAFF)
def show_visit(visit_id: int) -> str:
    """One visit: the company, who was met, what was discussed, its appeals and policies."""
    visit = visits.get_visit(get_session(), visit_id)
    return render_template(
        "admin/visits/show_visit.html", visit=visit, status_labels=STATUS,
        policies=visits.queries.policy_names(get_session(), {p.policy_id for p in visit.policies}),
    )  # fmt: skip


@bp.get("/companies/<int:tenant_id>/history")
@requires(Role.STAFF)
def company_history(tenant_id: int) -> str:
    """Everything of one company in one place: appeals, visits, applications, claims, event
    places, policies told and moves, newest first."""
    tenant = _company(tenant_id)
    kind = request.args.get("kind", "")
    kind = kind if kind in history.KINDS else ""
    return render_template(
        "admin/visits/company_history.html", tenant=tenant, kind=kind, kinds=history.KINDS,
        entries=history.company_history(get_session(), tenant, kind), status_labels=STATUS,
        signup_labels=SIGNUP_STATUS, application_labels=APPLICATION_STATUS, tasks=TASKS,
        move_kinds=MOVE_KIND, source_labels=SOURCE,
    )  # fmt: skip
