"""惠企政策 at the touchscreen: search the catalogue, read a policy, and 政策找人 — the
policies a company of the building qualifies for, with the reasons, on a printed sheet."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.db import transaction
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import BENEFIT, POLICY_LEVEL, WINDOW
from kiosk.models import Benefit, Policy, PolicyLevel, Window
from kiosk.services import printing, tenants
from kiosk.services.policies import matching, search
from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS, today_in
from kiosk.services.policies.sheet import amount_text, deadline_text, policy_sheet
from kiosk.tasks import TASKS, claim
from kiosk.terminal.common import answers_of, bp, context, store
from kiosk.text import is_whole
from kiosk.web import public_link

SHEET = "policy_sheet"
_MAX_FACT = {"years": 200, "employees": 1_000_000}


def _page_arg() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))


@bp.context_processor
def _policy_helpers() -> dict[str, Any]:
    return {
        "benefit_labels": BENEFIT,
        "level_labels": POLICY_LEVEL,
        "window_labels": WINDOW,
        "amount_text": amount_text,
        "deadline_text": deadline_text,
    }


@bp.get("/policies")
@public
def list_policies() -> str:
    """Search the catalogue: words, level, benefit, open window; paged for touch."""
    ctx = context()
    today = today_in(ctx.settings.zone)
    query = request.args.get("q", "")[: search.MAX_QUERY]
    filters = search.filters_from(request.args)
    results = search.find(ctx.db, query, today=today, page=_page_arg(), **filters)
    args = {"q": query, **{k: v.value for k, v in filters.items() if v is not None}}
    return render_template(
        "terminal/policies.html",
        query=query,
        filters=filters,
        args={k: v for k, v in args.items() if v},
        results=results,
        today=today,
        levels=list(PolicyLevel),
        benefits=list(Benefit),
        windows=[Window.OPEN, Window.UPCOMING],
    )


@bp.get("/policies/<int:policy_id>")
@public
def show_policy(policy_id: int) -> str:
    """One policy: what it gives, to whom, by when, what to bring, and a QR to its full text."""
    ctx = context()
    policy = ctx.db.get(Policy, policy_id)
    if policy is None or not policy.active:
        abort(404)
    today = today_in(ctx.settings.zone)
    return render_template(
        "terminal/policy.html",
        policy=policy,
        today=today,
        window=policy.window(today),
        conditions=[r.label for r in matching.reasons(policy, matching.Facts())],
        full_text_url=public_link("public.policy_text", code=policy.code),
        back=_safe_back(request.args.get("back", "")),
    )


def _safe_back(value: str) -> str:
    """Where "back" goes: a search or match page of this kiosk, never another site."""
    if value.startswith("/policies") and not value.startswith("//"):
        return value
    return url_for("terminal.list_policies")


@bp.get("/policies/match")
@public
def choose_company() -> str:
    """政策找人, step one: which company (by name or code, from the building's list)."""
    ctx = context()
    query = request.args.get("q", "")[:100]
    return render_template(
        "terminal/policy_company.html",
        query=query,
        results=tenants.search(ctx.db, ctx.settings.building, query, _page_arg()),
    )


def _answers() -> dict[str, Any]:
    """Facts the person answered on screen (never stored): from the query string."""
    answers: dict[str, Any] = {}
    if request.values.get("industry") in INDUSTRIES:
        answers["industry"] = request.values["industry"]
    if request.values.get("size_band") in SIZE_BANDS:
        answers["size_band"] = request.values["size_band"]
    for name, high in _MAX_FACT.items():
        raw = request.values.get(name, "").strip()
        if is_whole(raw) and int(raw) <= high:
            answers[name] = int(raw)
    return answers


@bp.get("/policies/match/<int:tenant_id>")
@public
def company_policies(tenant_id: int) -> tuple[str, int]:
    """政策找人: the policies this company qualifies for, best first, each with why."""
    return render_matches(tenant_id)


def render_matches(tenant_id: int, *, notice: Any = None, status: int = 200) -> tuple[str, int]:
    """The company's matches (also shown again, with `notice`, when printing was refused)."""
    ctx = context()
    tenant = tenants.get_tenant(ctx.db, ctx.settings.building, tenant_id)
    if tenant is None:
        abort(404)
    today = today_in(ctx.settings.zone)
    known = matching.facts_of(tenant, today)
    answers = _answers()
    facts = known.refined(answers)
    found = matching.match(ctx.db, facts, today, _page_arg())
    html = render_template(
        "terminal/policy_matches.html",
        tenant=tenant,
        facts=facts,
        asked=known.unknown,
        answers=answers,
        found=found,
        today=today,
        industries=INDUSTRIES,
        size_bands=SIZE_BANDS,
        form=FlaskForm(),
        notice=notice,
        sheet=_sheet_status(tenant_id),
    )
    return html, status


@bp.post("/policies/match/<int:tenant_id>/print")
@public
def print_sheet(tenant_id: int) -> Response:
    """Print the company's top five matches and the materials to bring."""
    ctx = context()
    tenant = tenants.get_tenant(ctx.db, ctx.settings.building, tenant_id)
    if tenant is None:
        abort(404)
    form = FlaskForm()
    answers = _answers()
    back = url_for("terminal.company_policies", tenant_id=tenant_id, **answers)
    if not form.validate_on_submit():
        flash(_l("This page had expired, so nothing was printed. Try again."), "error")
        return redirect(back, 303)
    today = today_in(ctx.settings.zone)
    facts = matching.facts_of(tenant, today).refined(answers)
    top = matching.match(ctx.db, facts, today, per_page=5).matches
    if not top:
        flash(_l("No policy to print."), "error")
        return redirect(back, 303)
    subject = "S-" + secrets.token_hex(8)
    with force_locale(current_locale()):
        document = policy_sheet(
            tenant.name,
            top,
            ctx.settings,
            today,
            lambda policy: public_link("public.policy_text", code=policy.code),
        )
    with transaction(ctx.db):
        printing.enqueue(
            ctx.db, kiosk_id=ctx.settings.id, kind=SHEET, subject=subject, document=document
        )
    session["sheet"] = {"tenant": tenant_id, "subject": subject}
    worker = current_app.extensions.get("kiosk.print_worker")
    if worker is not None:
        worker.wake()
    return redirect(back + "#sheet", 303)


def _sheet_status(tenant_id: int) -> Any:
    entry = session.get("sheet")
    if not entry or entry.get("tenant") != tenant_id:
        return None
    ctx = context()
    return printing.slip_status(ctx.db, ctx.settings.id, SHEET, entry["subject"])


@bp.get("/policies/sheet/print-status")
@public
def sheet_print_status() -> Response:
    """Whether the policy sheet printed, for the page to show without reloading."""
    entry = session.get("sheet")
    if not entry:
        return jsonify(state="gone")
    ctx = context()
    slip = printing.slip_status(ctx.db, ctx.settings.id, SHEET, entry["subject"])
    return jsonify(state=slip.state, printer_down=slip.printer_down, can_retry=False)


@bp.get("/policies/<int:policy_id>/claim")
@public
def claim_policy(policy_id: int) -> Response:
    """Start a claim (申报) under this policy: the claim task with the policy already chosen."""
    ctx = context()
    task = TASKS["claim"]
    policy = claim.open_policy(ctx, policy_id)
    if policy is None:
        flash(_l("This policy is not open for claims now."), "error")
        return redirect(url_for("terminal.show_policy", policy_id=policy_id), 303)
    answers = answers_of(task)
    if answers.get("policy_id") != str(policy.id):
        answers = {"policy_id": str(policy.id), "policy_title": policy.title}
        store(task, answers)
    return redirect(url_for("terminal.start_task", task_slug=task.slug), 303)
