"""Applications (办事) for staff: the review queue, one application, and the decisions on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import StopValidation

from kiosk.access import requires
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, settings
from kiosk.db import get_session, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import APPLICATION_EVENT, APPLICATION_STATUS
from kiosk.models import Application, ApplicationStatus, Role
from kiosk.pii import UnreadableSecret
from kiosk.services import applicants, applications, claims, tenants
from kiosk.services.applications import REASON_MAX
from kiosk.tasks import TASKS, StepContext, Task
from kiosk.tasks.applying import USCC_PROBLEMS, MultiCheckboxField, open_answers
from kiosk.tasks.base import Approval, Decision
from kiosk.tasks.claim import parse_amount
from kiosk.text import clean_text, is_whole
from kiosk.validators import normalize_uscc, uscc_problem

TENANT_READS = _l("The tenant reads this on the status page.")
CODE_PROBLEMS = {
    "missing": _l("Enter the code the registration authority issued."),
    "length": USCC_PROBLEMS["length"],
    "characters": USCC_PROBLEMS["characters"],
    "checksum": _l(
        "This code fails its checksum: one character is probably mistyped. If it really is a "
        "genuine old code, tick the box below and give the reason."
    ),
    "reason": _l("Give the reason for accepting a code that fails its checksum."),
}

# ---- forms -----------------------------------------------------------------------------------


def _reason_given(form: FlaskForm, field: Any) -> None:
    if not (field.data or "").strip():
        raise StopValidation(_("Give the reason: the tenant will read it."))  # as the service


def _chosen(form: FlaskForm, field: Any) -> None:
    if not field.data:
        raise StopValidation(_("Choose at least one answer to fix."))


def _reason(label: Any, hint: Any = TENANT_READS) -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        validators=[_reason_given],
        render_kw={"rows": 3, "data-max-chars": REASON_MAX},
    )


class ApproveForm(ActionForm):
    """Approve: nothing to fill in but the CSRF token."""


class IssueCodeForm(ActionForm):
    """Approve a registration with the code the registration authority issued."""

    issued_uscc = StringField(
        _l("Issued unified social credit code"),
        description=_l("The 18 characters in the registration authority's decision."),
        render_kw={"maxlength": 24, "autocapitalize": "characters"},
    )
    accept_checksum = BooleanField(_l("Accept a code that fails its checksum (a genuine old code)"))
    override_reason = TextAreaField(
        _l("Why this code is accepted"),
        description=_l(
            "Required with the box ticked. Kept in the audit log; the tenant never sees it."
        ),
        render_kw={"rows": 2, "data-max-chars": REASON_MAX},
    )
    code = ""  # the normalised code, once valid
    why = ""  # the reason for an accepted checksum failure, else empty

    def validate(self, extra_validators: Any = None) -> bool:
        """A code with no problem, or one failing its checksum with the box ticked and a reason."""
        valid = bool(super().validate(extra_validators))
        self.code = normalize_uscc(self.issued_uscc.data or "")
        problem = uscc_problem(self.code) if self.code else "missing"
        if problem == "checksum" and self.accept_checksum.data:
            self.why = clean_text(self.override_reason.data or "", multiline=True).text
            if not self.why:
                self.override_reason.errors = [str(CODE_PROBLEMS["reason"])]
            elif len(self.why) > REASON_MAX:
                self.override_reason.errors = [_("Keep it under %(n)s characters.", n=REASON_MAX)]
        elif problem is not None:
            self.issued_uscc.errors = [str(CODE_PROBLEMS[problem])]
        return valid and not (self.issued_uscc.errors or self.override_reason.errors)


class GrantForm(ActionForm):
    """Approve a claim with the amount granted."""

    amount_granted = StringField(
        _l("Amount granted (yuan)"),
        description=_l("At most the amount claimed. The tenant sees it on the status page."),
        render_kw={"inputmode": "decimal", "maxlength": 16},
    )
    amount: Decimal | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        """An amount of yuan, to the fen, not negative."""
        valid = bool(super().validate(extra_validators))
        self.amount = parse_amount(self.amount_granted.data or "")
        if self.amount is None and (self.amount_granted.data or "").strip() in ("0", "0.00"):
            self.amount = Decimal("0.00")
        if self.amount is None:
            self.amount_granted.errors = [_("Enter the amount granted in yuan, e.g. 50000.")]
        return valid and self.amount is not None


class PaidForm(ActionForm):
    """The day a granted amount was paid."""

    paid_on = StringField(_l("Paid on"), render_kw={"type": "date"})


class RejectForm(ActionForm):
    """Why the application is rejected."""

    service_fields: ClassVar[dict[str, str]] = {"reason": "reject_reason"}
    reject_reason = _reason(_l("Why is it rejected?"))


class RequestChangesForm(ActionForm):
    """What the tenant must fix, and which answers they may change."""

    service_fields: ClassVar[dict[str, str]] = {"reason": "changes_reason"}
    changes_reason = _reason(_l("What needs to change?"))
    steps = MultiCheckboxField(
        _l("Answers to fix"),
        validators=[_chosen],
        validate_choice=False,  # the service keeps only the task's own steps
    )


class CancelForm(ActionForm):
    """Why a booking is cancelled."""

    service_fields: ClassVar[dict[str, str]] = {"reason": "cancel_reason"}
    cancel_reason = _reason(
        _l("Why is the booking cancelled?"),
        _l("The tenant reads this on the status page. The place is freed for others."),
    )


class QueueFilterForm(FlaskForm):
    """The queue's filters, sent by GET so a filtered queue can be bookmarked."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), render_kw={"type": "search", "maxlength": 100})
    task = SelectField(_l("Kind"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    building = SelectField(_l("Building"), validate_choice=False)


FORMS: dict[Decision, type[ActionForm]] = {
    Decision.APPROVE: ApproveForm,
    Decision.REJECT: RejectForm,
    Decision.REQUEST_CHANGES: RequestChangesForm,
    Decision.CANCEL: CancelForm,
}

# ---- the queue -------------------------------------------------------------------------------


def _paperwork_tasks() -> list[Task]:
    return [task for task in TASKS.values() if task.paperwork is not None]


def _building_codes(db: Session) -> list[str]:
    # One read that belongs in services.applications (not ours to change yet): the buildings
    # whose kiosks have taken applications, for the building filter.
    query = select(Application.building_code).distinct().order_by(Application.building_code)
    return list(db.scalars(query))


def _building_name(db: Session, code: str, locale: str) -> str:
    building = tenants.get_building(db, code)
    if building is None:
        return code
    return f"{building.name_en if locale == 'en' else building.name_zh} ({code})"


def _queue_filters(db: Session) -> tuple[QueueFilterForm, dict[str, str], list[str]]:
    """The filter form with its choices, the filters it asks for, and the buildings on offer."""
    form = QueueFilterForm(request.args)
    tasks, codes, locale = _paperwork_tasks(), _building_codes(db), current_locale()
    form.task.choices = [("", _l("Any kind"))] + [(t.slug, t.title) for t in tasks]
    statuses = [(status.value, label) for status, label in APPLICATION_STATUS.items()]
    form.status.choices = [("", _l("Any status")), *statuses]
    form.building.choices = [("", _l("Any building"))] + [
        (code, _building_name(db, code, locale)) for code in codes
    ]
    # A busy officer opens the queue to decide: without a status chosen it shows what waits
    # for review; "Any status" (status=) shows everything. Newest first either way.
    if "status" not in request.args:
        form.status.data = ApplicationStatus.SUBMITTED.value
    wanted = {
        "q": (form.q.data or "").strip()[:100],
        "task": form.task.data if form.task.data in {t.slug for t in tasks} else "",
        "status": form.status.data if form.status.data in APPLICATION_STATUS else "",
        "building": form.building.data if form.building.data in codes else "",
    }
    return form, wanted, codes


def _application(db: Session, application_id: int) -> Application:
    """The application, if it is this staff member's to see (the session's scope)."""
    return applications.get(db, application_id)


@bp.get("/applications")
@requires(Role.STAFF)
def list_applications() -> str:
    """The review queue across every kind of application, with filters and pages."""
    db = get_session()
    form, wanted, codes = _queue_filters(db)
    number = request.args.get("page", "")
    page = applications.queue(
        db,
        task=wanted["task"],
        status=wanted["status"],
        building=wanted["building"],
        query=wanted["q"],
        page=int(number) if is_whole(number) and len(number) < 7 else 1,
    )
    default = {"q": "", "task": "", "status": ApplicationStatus.SUBMITTED.value, "building": ""}
    return render_template(
        "admin/list_applications.html",
        form=form,
        page=page,
        # The pager carries the filters, "Any status" (an empty status) included.
        filters={name: value for name, value in wanted.items() if value or name == "status"},
        filtered=wanted != default,
        waiting_only=wanted == default,
        show_buildings=len(codes) > 1,
        titles={t.slug: t.title for t in TASKS.values()},
        status_labels=APPLICATION_STATUS,
    )


# ---- one application -------------------------------------------------------------------------


def _allowed(application: Application, task: Task | None) -> list[Decision]:
    """The decisions the task offers that make sense in the application's status."""
    if task is None or task.paperwork is None:
        return []
    offered = task.paperwork.decisions
    if application.status is ApplicationStatus.SUBMITTED:
        return [d for d in offered if d is not Decision.CANCEL]
    booked = application.status is ApplicationStatus.APPROVED and application.slot_id is not None
    return [Decision.CANCEL] if booked and Decision.CANCEL in offered else []


def _form(task: Task, decision: Decision, application: Application, **kwargs: Any) -> ActionForm:
    paperwork = task.paperwork
    issues_code = decision is Decision.APPROVE and paperwork and paperwork.issues_uscc
    grants = decision is Decision.APPROVE and paperwork and paperwork.grants_amount
    kind = IssueCodeForm if issues_code else GrantForm if grants else FORMS[decision]
    form = kind(**kwargs)
    if isinstance(form, RequestChangesForm):
        form.steps.choices = [(s.slug, s.title) for s in task.active_steps(application.answers)]
    return form


def render_application(
    application: Application,
    posted: tuple[Decision, ActionForm] | None = None,
    *,
    notice: Any = None,
    paid_form: PaidForm | None = None,
) -> tuple[str, int]:
    """The application's page; `posted` is a refused decision form, shown with what was typed."""
    db, locale = get_session(), current_locale()
    task = TASKS.get(application.task)
    forms: dict[str, ActionForm] = {}
    for decision in _allowed(application, task):
        assert task is not None  # only a known task offers decisions
        chosen = posted is not None and posted[0] is decision
        forms[decision.value] = (
            posted[1] if posted and chosen else _form(task, decision, application, formdata=None)
        )
    # Rooms are looked up in the building of the kiosk that took the application.
    ctx = StepContext(
        db,
        settings().model_copy(update={"building": application.building_code}),
        locale,
        answers=application.answers,
    )
    rows = task.check_rows(application.answers, ctx) if task is not None else []
    html = render_template(
        "admin/show_application.html",
        application=application,
        task_title=task.title if task is not None else application.task,
        issues_uscc=bool(task and task.paperwork and task.paperwork.issues_uscc),
        claim=claims.get(db, application.id),
        applicant=applicants.check_applicant(db, application),
        paid_form=paid_form or PaidForm(formdata=None),
        rows=rows,
        step_titles={s.slug: s.title for s in task.steps} if task is not None else {},
        forms=forms,
        building_name=_building_name(db, application.building_code, locale),
        status_label=APPLICATION_STATUS[application.status],
        event_labels=APPLICATION_EVENT,
        notice=notice,
    )
    refused = posted is not None or notice is not None or paid_form is not None
    return html, 400 if refused else 200


ENDPOINT_DECISIONS = {
    "admin.approve_application": Decision.APPROVE,
    "admin.reject_application": Decision.REJECT,
    "admin.request_changes": Decision.REQUEST_CHANGES,
    "admin.cancel_booking": Decision.CANCEL,
}


def render_after_csrf_failure(application_id: int, message: Any) -> tuple[str, int]:
    """A decision posted without a valid token: the page again, with what was typed kept."""
    try:
        application = _application(get_session(), application_id)
    except NotFound:
        return render_template("admin/error.html", message=message, status=400), 400
    task = TASKS.get(application.task)
    decision = ENDPOINT_DECISIONS.get(request.endpoint or "")
    if task is None or decision is None or decision not in _allowed(application, task):
        return render_application(application, notice=message)
    return render_application(
        application, (decision, _form(task, decision, application)), notice=message
    )


@bp.get("/applications/<int:application_id>")
@requires(Role.STAFF)
def show_application(application_id: int) -> tuple[str, int]:
    """One application as its task shows it (personal numbers masked), its history, decisions."""
    return render_application(_application(get_session(), application_id))


# ---- decisions -------------------------------------------------------------------------------

Run = Callable[[Application, Task, Any], object]
NOT_NOW = {
    Decision.APPROVE: _l("Someone has already decided this application."),
    Decision.REJECT: _l("Someone has already decided this application."),
    Decision.REQUEST_CHANGES: _l("Someone has already decided this application."),
    Decision.CANCEL: _l("Only a current booking can be cancelled."),
}


def _decide(
    application_id: int, decision: Decision, run: Run, done: str
) -> Response | tuple[str, int]:
    """Check the decision's form, call its one service function, and go back to the page."""
    db = get_session()
    application = _application(db, application_id)
    task = TASKS.get(application.task)
    back = url_for("admin.show_application", application_id=application_id)
    if task is None or task.paperwork is None or decision not in task.paperwork.decisions:
        flash(_("This kind of application cannot be decided that way."), "error")
        return redirect(back, 303)
    if decision not in _allowed(application, task):
        flash(str(NOT_NOW[decision]), "error")
        return redirect(back, 303)
    form = _form(task, decision, application)
    if not form.validate():
        return render_application(application, (decision, form))
    try:
        run(application, task, form)
    except ValidationFailed as exc:
        if not form.show_errors(exc.fields):
            flash(str(exc.message), "error")
        return render_application(_application(db, application_id), (decision, form))
    except (Conflict, NotFound) as exc:
        flash(str(exc.message), "error")  # e.g. a colleague decided it a moment ago
        return redirect(back, 303)
    flash(done, "success")
    return redirect(back, 303)


def _approve(application: Application, task: Task, form: ActionForm) -> object:
    paperwork = task.paperwork
    assert paperwork is not None
    who, config = actor(), settings()
    code = form.code if isinstance(form, IssueCodeForm) else ""
    why = form.why if isinstance(form, IssueCodeForm) else ""
    granted = form.amount if isinstance(form, GrantForm) else None

    def apply(db: Session, app_row: Application, now: datetime) -> None:
        if paperwork.issues_uscc:
            app_row.issued_uscc = code
            if why:
                applications.record_override(db, app_row, who, code, why, now)
        if paperwork.approve is not None:
            try:
                answers = open_answers(app_row.answers)
            except UnreadableSecret:
                raise ValidationFailed(
                    _l(
                        "This application's personal details cannot be opened with this "
                        "station's key, so it cannot be approved here. Ask the administrator."
                    )
                ) from None
            paperwork.approve(
                Approval(
                    db, config, app_row, answers, who, now, issued_uscc=code,
                    amount_granted=granted,
                )
            )  # fmt: skip

    return applications.approve(get_session(), application.id, who, apply=apply)


@bp.post("/applications/<int:application_id>/approve")
@requires(Role.STAFF)
def approve_application(application_id: int) -> Response | tuple[str, int]:
    """Approve: for a registration, with the code the registration authority issued."""
    return _decide(application_id, Decision.APPROVE, _approve, _("The application is approved."))


@bp.post("/applications/<int:application_id>/reject")
@requires(Role.STAFF)
def reject_application(application_id: int) -> Response | tuple[str, int]:
    """Reject, saying why (the tenant reads it)."""

    def run(application: Application, task: Task, form: Any) -> object:
        return applications.reject(get_session(), application.id, actor(), form.reject_reason.data)

    return _decide(application_id, Decision.REJECT, run, _("The application is rejected."))


@bp.post("/applications/<int:application_id>/request-changes")
@requires(Role.STAFF)
def request_changes(application_id: int) -> Response | tuple[str, int]:
    """Send the application back: what to fix and which answers the tenant may change."""

    def run(application: Application, task: Task, form: Any) -> object:
        allowed = [step.slug for step in task.active_steps(application.answers)]
        return applications.request_changes(
            get_session(),
            application.id,
            actor(),
            form.changes_reason.data,
            form.steps.data or [],
            allowed,
        )

    done = _("The application is sent back to the tenant for changes.")
    return _decide(application_id, Decision.REQUEST_CHANGES, run, done)


@bp.post("/applications/<int:application_id>/cancel")
@requires(Role.STAFF)
def cancel_booking(application_id: int) -> Response | tuple[str, int]:
    """Cancel a booking (the desk is closed, the tenant called); its place is freed."""

    def run(application: Application, task: Task, form: Any) -> object:
        return applications.cancel_booking(
            get_session(), application.id, actor(), form.cancel_reason.data
        )

    return _decide(application_id, Decision.CANCEL, run, _("The booking is cancelled."))


@bp.post("/applications/<int:application_id>/paid")
@requires(Role.STAFF)
def record_payment(application_id: int) -> Response | tuple[str, int]:
    """Record the day a claim's granted amount was paid (惠企资金兑现)."""
    db = get_session()
    application = _application(db, application_id)
    back = url_for("admin.show_application", application_id=application_id)
    form = PaidForm()
    if not form.validate():
        return render_application(application, paid_form=form)
    try:
        paid_on = date.fromisoformat((form.paid_on.data or "").strip())
    except ValueError:
        form.paid_on.errors = [_("Enter the date it was paid, e.g. 2026-11-20.")]
        return render_application(application, paid_form=form)
    now = utcnow().astimezone(settings().zone)
    try:
        claims.record_payment(db, application_id, paid_on, actor(), now)
    except ValidationFailed as exc:
        form.show_errors(exc.fields)
        return render_application(application, paid_form=form)
    except Conflict as exc:
        flash(str(exc.message), "error")
        return redirect(back, 303)
    flash(_("The payment is recorded."), "success")
    return redirect(back, 303)


@bp.context_processor
def _navigation() -> dict[str, Any]:
    return {"applications_waiting": _waiting}


def _waiting() -> int | None:
    """How many applications wait, for the top bar (called only when someone is signed in)."""
    try:
        return applications.waiting_count(get_session())
    except OperationalError:
        return None
