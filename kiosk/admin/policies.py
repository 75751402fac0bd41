"""The policy catalogue for staff: read, add, edit, withdraw, import a compilation, and 政策找人
the other way round — for a policy, the companies that qualify, exported and marked notified.

Everyone signed in reads and notifies; supervisors change the catalogue. Changes are audited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from kiosk.access import requires
from kiosk.admin.export import BOM, safe_cell
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, can_supervise, me, settings
from kiosk.db import get_session, transaction
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import BENEFIT, POLICY_LEVEL, WINDOW
from kiosk.models import Benefit, Policy, PolicyLevel, PolicyNotice, Role, Tenant
from kiosk.services import audit, claims, tenants
from kiosk.services.policies import catalogue, matching, search
from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS, PolicyError, today_in
from kiosk.services.policies.sheet import amount_text, deadline_text
from kiosk.text import clean_text, is_whole

PAGE_SIZE = 50


class _Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PolicyForm(FlaskForm):
    """A policy's fields as staff type them (lists one item a line)."""

    code = StringField(_l("Code"), description=_l("The compilation's number, e.g. CS-2026-0001."))
    title = StringField(_l("Title"), render_kw={"maxlength": 200})
    issuer = StringField(_l("Issued by"), render_kw={"maxlength": 100})
    level = SelectField(
        _l("Level"), choices=[SelectChoice(m.value, POLICY_LEVEL[m]) for m in PolicyLevel]
    )
    doc_number = StringField(_l("Document number"), render_kw={"maxlength": 100})
    published_on = StringField(_l("Published"), render_kw={"type": "date"})
    opens_on = StringField(
        _l("Applications open"), description=_l("Empty: open now."), render_kw={"type": "date"}
    )
    closes_on = StringField(
        _l("Applications close"),
        description=_l("Empty: open all year."),
        render_kw={"type": "date"},
    )
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 2, "maxlength": 500})
    body = TextAreaField(_l("Full text"), render_kw={"rows": 10})
    industries = _Checkboxes(
        _l("Industries"),
        description=_l("None ticked: every industry."),
        choices=[SelectChoice(code, label) for code, label in INDUSTRIES.items()],
    )
    size_bands = _Checkboxes(
        _l("Company sizes"),
        description=_l("None ticked: every size."),
        choices=[SelectChoice(band, label) for band, label in SIZE_BANDS.items()],
    )
    district = StringField(
        _l("District"), description=_l("Empty: anywhere in the city."), render_kw={"maxlength": 40}
    )
    min_years = IntegerField(_l("Founded at least (years)"), validators=[Optional()])
    min_employees = IntegerField(_l("Employees at least"), validators=[Optional()])
    other_conditions = TextAreaField(
        _l("Other conditions"),
        description=_l("What a computer cannot check; tenants are asked to confirm it."),
        render_kw={"rows": 2},
    )
    benefit = SelectField(
        _l("Benefit"), choices=[SelectChoice(m.value, BENEFIT[m]) for m in Benefit]
    )
    max_amount = StringField(_l("Maximum amount (yuan)"), description=_l("Empty: no fixed amount."))
    materials = TextAreaField(
        _l("Materials to bring"), description=_l("One item a line."), render_kw={"rows": 4}
    )
    contact = StringField(_l("Contact"), render_kw={"maxlength": 200})

    def raw(self) -> dict[str, Any]:
        """The fields as the catalogue checks them."""
        values: dict[str, Any] = {name: self[name].data for name in catalogue.FIELDS}
        values["materials"] = [
            line for line in (self.materials.data or "").splitlines() if line.strip()
        ]
        return values

    def fill(self, policy: Policy) -> None:
        """Show a stored policy."""
        row = catalogue.as_row(policy)
        for name in catalogue.FIELDS:
            self[name].data = row[name] if row[name] is not None else ""
        self.materials.data = "\n".join(policy.materials)
        self.min_years.data, self.min_employees.data = policy.min_years, policy.min_employees
        self.max_amount.data = "" if policy.max_amount is None else f"{policy.max_amount:f}"


class ImportForm(FlaskForm):
    """A compilation file."""

    file = FileField(_l("CSV or JSON file"), description=_l("See the format on this page."))


class NotifyForm(FlaskForm):
    """Mark that a company was told about a policy."""

    tenant_id = HiddenField()
    note = StringField(_l("How (optional)"), render_kw={"maxlength": 200})


def _policy_or_404(policy_id: int) -> Policy:
    policy = get_session().get(Policy, policy_id)
    if policy is None:
        abort(404)
    return policy


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "policy_level_labels": POLICY_LEVEL,
        "benefit_labels": BENEFIT,
        "window_labels": WINDOW,
        "amount_text": amount_text,
        "deadline_text": deadline_text,
    }


@bp.get("/policies")
@requires(Role.STAFF)
def list_policies() -> str:
    """The catalogue, searched and filtered like the kiosk's (withdrawn ones too, on request)."""
    db = get_session()
    today = today_in(settings().zone)
    query = request.args.get("q", "")[: search.MAX_QUERY]
    filters = search.filters_from(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    found = search.find(db, query, today=today, page=page, per_page=PAGE_SIZE, **filters)
    args = {"q": query, **{k: v.value for k, v in filters.items() if v is not None}}
    return render_template(
        "admin/list_policies.html",
        found=found,
        query=query,
        filters=filters,
        args={k: v for k, v in args.items() if v},
        today=today,
        may_edit=can_supervise(me()),
        withdrawn=db.scalars(
            select(Policy).where(Policy.active.is_(False)).order_by(Policy.code)
        ).all(),
        paid=claims.paid_by_quarter(db, date(today.year - 1, 1, 1)),
    )


def _edit_page(form: PolicyForm, policy: Policy | None, status: int = 200) -> tuple[str, int]:
    return render_template("admin/edit_policy.html", form=form, policy=policy), status


def _save(form: PolicyForm, policy: Policy | None) -> Policy | None:
    try:
        values = catalogue.check(form.raw())
        saved = catalogue.save(get_session(), values, policy=policy, staff_id=me().id)
    except PolicyError as exc:
        form.form_errors.extend(exc.problems)
        return None
    with transaction(get_session()) as db:
        action = "policy.update" if policy is not None else "policy.create"
        audit.record(db, actor(), action, "policy", str(saved.id), code=saved.code)
    return saved


@bp.route("/policies/new", methods=["GET", "POST"])
@requires(Role.SUPERVISOR)
def create_policy() -> Response | tuple[str, int]:
    """Add one policy to the catalogue."""
    form = PolicyForm()
    if not form.is_submitted():
        return _edit_page(form, None)
    saved = _save(form, None) if form.validate() else None
    if saved is None:
        return _edit_page(form, None, 400)
    flash(_("The policy has been added."), "success")
    return redirect(url_for("admin.show_policy", policy_id=saved.id), 303)


@bp.route("/policies/<int:policy_id>/edit", methods=["GET", "POST"])
@requires(Role.SUPERVISOR)
def edit_policy(policy_id: int) -> Response | tuple[str, int]:
    """Change a policy; the kiosk's search sees the change at once."""
    policy = _policy_or_404(policy_id)
    form = PolicyForm()
    if not form.is_submitted():
        form.fill(policy)
        return _edit_page(form, policy)
    saved = _save(form, policy) if form.validate() else None
    if saved is None:
        return _edit_page(form, policy, 400)
    flash(_("The policy has been changed."), "success")
    return redirect(url_for("admin.show_policy", policy_id=policy.id), 303)


@bp.post("/policies/<int:policy_id>/withdraw")
@requires(Role.SUPERVISOR)
def withdraw_policy(policy_id: int) -> Response:
    """Take a policy out of search and matching (claims under it are kept), or put it back."""
    policy = _policy_or_404(policy_id)
    form = ActionForm()
    if form.validate():
        active = request.form.get("restore") == "1"
        db = get_session()
        catalogue.set_active(db, policy, active, staff_id=me().id)
        with transaction(db):
            action = "policy.restore" if active else "policy.withdraw"
            audit.record(db, actor(), action, "policy", str(policy.id), code=policy.code)
        flash(
            _("The policy is back in the catalogue.")
            if active
            else _("The policy has been withdrawn."),
            "success",
        )
    return redirect(url_for("admin.show_policy", policy_id=policy.id), 303)


@bp.route("/policies/import", methods=["GET", "POST"])
@requires(Role.SUPERVISOR)
def import_policies() -> Response | tuple[str, int]:
    """Import a compilation (CSV or JSON): all of it, or, if any row is wrong, none of it."""
    form = ImportForm()
    if not form.is_submitted():
        return render_template(
            "admin/import_policies.html", form=form, errors=[], fields=catalogue.FIELDS
        ), 200
    upload = request.files.get("file")
    problems: list[str] = []
    errors: list[catalogue.RowError] = []
    if not form.validate():
        problems.append(_("This page had expired. Choose the file again."))
    elif upload is None or not upload.filename:
        problems.append(_("Choose a file."))
    else:
        try:
            rows = catalogue.read_rows(upload.read(catalogue.MAX_FILE_BYTES + 1), upload.filename)
        except PolicyError as exc:
            problems.extend(exc.problems)
        else:
            good, errors = catalogue.check_rows(rows)
            if not errors:
                db = get_session()
                result = catalogue.import_policies(db, good, staff_id=me().id)
                with transaction(db):
                    audit.record(
                        db,
                        actor(),
                        "policy.import",
                        "policy",
                        "",
                        file=upload.filename[:200],
                        added=result.added,
                        updated=result.updated,
                    )
                flash(
                    _(
                        "Imported: %(added)s policies added, %(updated)s updated.",
                        added=result.added,
                        updated=result.updated,
                    ),
                    "success",
                )
                return redirect(url_for("admin.list_policies"), 303)
    form.form_errors.extend(problems)
    html = render_template(
        "admin/import_policies.html", form=form, errors=errors, fields=catalogue.FIELDS
    )
    return html, 400


@bp.get("/policies/<int:policy_id>")
@requires(Role.STAFF)
def show_policy(policy_id: int) -> str:
    """A policy and the companies that qualify for it (政策找人), who has been told."""
    policy = _policy_or_404(policy_id)
    db = get_session()
    today = today_in(settings().zone)
    found = matching.matching_tenants(db, policy, today)
    notices = {
        n.tenant_id: n
        for n in db.scalars(select(PolicyNotice).where(PolicyNotice.policy_id == policy.id))
    }
    return render_template(
        "admin/show_policy.html",
        policy=policy,
        today=today,
        window=policy.window(today),
        found=found,
        notices=notices,
        industries=INDUSTRIES,
        size_bands=SIZE_BANDS,
        may_edit=can_supervise(me()),
        form=ActionForm(),
        notify_form=NotifyForm(),
    )


@bp.post("/policies/<int:policy_id>/notify")
@requires(Role.STAFF)
def notify_tenant(policy_id: int) -> Response:
    """Record that a company was told about the policy (once per company)."""
    policy = _policy_or_404(policy_id)
    form = NotifyForm()
    back = url_for("admin.show_policy", policy_id=policy.id) + "#tenants"
    if not form.validate():
        flash(_("This page had expired. Try again."), "error")
        return redirect(back, 303)
    db = get_session()
    tenant = (
        db.get(Tenant, int(form.tenant_id.data)) if is_whole(form.tenant_id.data or "") else None
    )
    if tenant is None:
        flash(_("That company is not in the list any more."), "error")
        return redirect(back, 303)
    note = clean_text(form.note.data or "").text[:200]
    try:
        with transaction(db):
            db.add(
                PolicyNotice(policy_id=policy.id, tenant_id=tenant.id, staff_id=me().id, note=note)
            )
            db.flush()
            audit.record(db, actor(), "policy.notify", "policy", str(policy.id), tenant=tenant.uscc)
    except IntegrityError:
        db.rollback()
        flash(_("%(company)s had already been told.", company=tenant.name), "info")
    else:
        flash(_("Marked: %(company)s has been told.", company=tenant.name), "success")
    return redirect(back, 303)


@bp.get("/policies/<int:policy_id>/export")
@requires(Role.STAFF)
def export_policy_tenants(policy_id: int) -> Response:
    """The companies that qualify for a policy, as a CSV for a spreadsheet."""
    policy = _policy_or_404(policy_id)
    db = get_session()
    today = today_in(settings().zone)
    found = matching.matching_tenants(db, policy, today)
    told = {
        n.tenant_id: n
        for n in db.scalars(select(PolicyNotice).where(PolicyNotice.policy_id == policy.id))
    }
    zone = settings().zone

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                _("Company"),
                _("Unified social credit code"),
                _("Room"),
                _("To confirm"),
                _("Told on"),
            ]
        )
        for tenant, why in found:
            confirm = "; ".join(str(r.label) for r in why if r.met is matching.Met.UNKNOWN)
            notice = told.get(tenant.id)
            when = notice.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if notice else ""
            writer.writerow(
                [safe_cell(v) for v in (tenant.name, tenant.uscc, tenant.floor_room, confirm, when)]
            )
        yield BOM + out.getvalue()

    with transaction(db):
        audit.record(db, actor(), "policy.export", "policy", str(policy.id), rows=len(found))
    filename = f"policy-{policy.code}-companies.csv"
    return Response(
        rows(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/policies/for-company")
@requires(Role.STAFF)
def company_matches() -> str:
    """政策找人 from the officer's desk: a company (by name or code) and what it qualifies for."""
    db = get_session()
    today = today_in(settings().zone)
    query = (request.args.get("q", "") or "")[:100]
    chosen = request.args.get("tenant", type=int)
    tenant = db.get(Tenant, chosen) if chosen else None
    candidates: list[Tenant] = []
    if tenant is None and query.strip():
        candidates = tenants.find_anywhere(db, query)
        if len(candidates) == 1:
            tenant = candidates[0]
    found = None
    if tenant is not None:
        page = max(1, request.args.get("page", 1, type=int) or 1)
        found = matching.match(db, matching.facts_of(tenant, today), today, page, PAGE_SIZE)
    return render_template(
        "admin/company_policies.html",
        query=query,
        tenant=tenant,
        candidates=candidates,
        found=found,
        today=today,
    )
