"""The ledger's list of appeals, its filters, and the CSV export of what it shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Response, current_app, render_template, request, stream_with_context
from sqlalchemy.orm import Session, sessionmaker

from kiosk import scope
from kiosk.access import requires
from kiosk.admin import ledger_filters
from kiosk.admin.export import csv_chunks
from kiosk.admin.forms import FilterForm
from kiosk.admin.views import actor, bp, cursor, me, settings, today
from kiosk.db import get_session
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import CALLBACK, HANDOFF_STATE, RATING, SOURCE, STATUS
from kiosk.models import AppealStatus, Role
from kiosk.services import assignments, ledger
from kiosk.services.figures import named
from kiosk.services.figures.dashboard import buildings_under
from kiosk.services.figures.links import WHAT, Counted
from kiosk.services.units import unit_in_reach

FILTER_ARGS = (
    "q", "status", "category", "overdue", "mine", "follow_up", "due_today",
    "figure", "from", "to", "unit", *ledger_filters.ARGS,
)  # fmt: skip


LEDGER_LABELS = {
    "source_labels": SOURCE,
    "progress_labels": HANDOFF_STATE,
    "callback_labels": CALLBACK,
    "rating_labels": RATING,
    "timing_labels": ledger_filters.TIMING,
}
FIGURE_WORDS = {
    "raised": _l("Problems raised"),
    "raised_solved": _l("Problems raised, solved by now"),
    "solved": _l("Problems solved"),
    "on_time": _l("Problems solved on time"),
    "late": _l("Problems solved late"),
    "rated": _l("Ratings given"),
    "content": _l("Satisfied ratings"),
}


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    locale = current_locale()
    form.status.choices = [("", _l("Any status"))] + [(s.value, STATUS[s]) for s in AppealStatus]
    form.category.choices = [("", _l("Any category"))] + [
        (c.code, c.name(locale)) for c in ledger.categories(get_session())
    ]
    return form


def _wanted(form: FilterForm) -> ledger.AppealFilter:
    """The filter the form asks for; values that are not on offer are ignored."""
    statuses = {s.value: s for s in AppealStatus}
    codes = {code for code, _label in form.category.choices}
    return ledger.AppealFilter(
        status=statuses.get(form.status.data or ""),
        category=form.category.data if form.category.data in codes else "",
        overdue_on=today() if form.overdue.data else None,
        assignee_id=me().id if form.mine.data else None,
        q=(form.q.data or "").strip(),
        follow_up=bool(form.follow_up.data),
        due_on=today() if form.due_today.data else None,
        figure=counted_figure(),
        handoff=ledger_filters.wanted(ledger_filters.columns_form()),
    )


def counted_figure() -> Counted | None:
    """The dashboard figure the query string opens (`figure`, `from`, `to`, `unit`), if any;
    a unit out of reach or a wrong date opens no figure rather than another one."""
    what = request.args.get("figure", "")
    first, last = _day(request.args.get("from")), _day(request.args.get("to"))
    if what not in WHAT or first is None or last is None:
        return None
    db = get_session()
    unit = me().unit
    if request.args.get("unit", "").isdigit():
        unit = unit_in_reach(db, int(request.args["unit"]))
    if unit is None:
        return None
    period = named("custom", today(), first, last)
    return Counted(what, period, settings().zone, buildings_under(db, unit))


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def filter_args() -> dict[str, str]:
    """The filters in the current query string, to carry into paging and export links."""
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


@bp.get("/appeals")
@requires(Role.STAFF)
def list_appeals() -> str:
    """Appeals, newest first, filtered, paged by keyset, with the number that match."""
    form = _filter_form()
    wanted = _wanted(form)
    db = get_session()
    page = ledger.list_appeals(
        db,
        wanted,
        before=cursor("before"),
        after=cursor("after"),
        limit=settings().staff_page_size,
    )
    return render_template(
        "admin/list_appeals.html",
        form=form,
        page=page,
        total=ledger.count_appeals(db, wanted),
        to_do=ledger.follow_up_counts(db, today()),
        filters=filter_args(),
        filtered=wanted != ledger.AppealFilter(),
        figure=wanted.figure,
        figure_words=FIGURE_WORDS,
        today=today(),
        locale=current_locale(),
        status_labels=STATUS,
        columns=ledger_filters.columns_form(),
        columns_filtered=wanted.handoff is not None,
        below=ledger_filters.below_us(),
        cutoffs=assignments.Cutoffs.on(assignments.Calendar.of(settings()), today()),
        **LEDGER_LABELS,
    )


def _csv_body(wanted: ledger.AppealFilter, day: date, reach: scope.Reach) -> Iterator[str]:
    """The CSV, read through a session of its own (the request's is closed before streaming),
    limited as the request's is."""
    factory: sessionmaker[Session] = current_app.extensions["kiosk.sessionmaker"]
    with scope.open_session(factory, reach) as db:
        yield from csv_chunks(ledger.iter_appeals(db, wanted), settings().zone, day)


@bp.get("/appeals/export")
@requires(Role.STAFF)
def export_appeals() -> Response:
    """Every appeal matching the filters as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    wanted = _wanted(_filter_form())
    ledger.record_export(get_session(), actor(), wanted)
    day = today()
    body: Any = stream_with_context(_csv_body(wanted, day, scope.reach_of(get_session())))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="appeals-{day:%Y%m%d}.csv"'},
    )
