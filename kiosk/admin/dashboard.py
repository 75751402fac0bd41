"""The admin's home page: the programme's figures for the officer's unit and a period."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from kiosk.access import requires
from kiosk.admin.views import bp, me, settings, today
from kiosk.db import get_session
from kiosk.errors import NotFound
from kiosk.i18n import current_locale
from kiosk.labels import SOURCE
from kiosk.models import Role, Unit
from kiosk.services.figures import dashboard, named
from kiosk.services.figures.periods import KINDS
from kiosk.services.units import unit_in_reach

PERIODS = {
    "week": _l("This week"),
    "month": _l("This month"),
    "quarter": _l("This quarter"),
    "year": _l("This year"),
    "custom": _l("Two dates"),
}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _unit() -> Unit:
    """The unit asked for (a unit in reach, to drill down), else the officer's own."""
    asked = request.args.get("unit", "")
    if asked:
        found = unit_in_reach(get_session(), int(asked)) if asked.isdigit() else None
        if found is None:
            raise NotFound()
        return found
    mine = me().unit
    if mine is None:
        raise NotFound()
    return mine


@bp.get("/dashboard")
@requires(Role.STAFF)
def show_dashboard() -> str:
    """Figures, breakdowns and the weekly trend; every figure links to the list it counts."""
    kind = request.args.get("period", "month")
    kind = kind if kind in KINDS else "month"
    period = named(kind, today(), _day(request.args.get("from")), _day(request.args.get("to")))
    unit = _unit()
    locale = current_locale()
    board = dashboard.build(get_session(), unit, period, settings().zone, locale)
    return render_template(
        "admin/dashboard/show.html",
        board=board,
        periods=PERIODS,
        kind=period.kind,
        chart=_chart(board),
        link=_linker(board),
        locale=locale,
        source_words=SOURCE,
    )


def _linker(board: dashboard.Dashboard) -> Any:
    """The ledger's address listing what one figure counts."""
    from flask import url_for

    def link(what: str, unit_id: int | None = None) -> str:
        args: dict[str, Any] = {
            "figure": what,
            "unit": unit_id or board.unit.id,
            "from": board.period.first.isoformat(),
            "to": board.period.last.isoformat(),
        }
        return url_for("admin.list_appeals", **args)

    return link


def _chart(board: dashboard.Dashboard) -> dict[str, Any]:
    """The numbers the charts draw (the same as the tables beside them)."""
    return {
        "weeks": [week for week, _, _ in board.weeks],
        "raised": [raised for _, raised, _ in board.weeks],
        "solved": [solved for _, _, solved in board.weeks],
        "labels": {"raised": str(_l("Raised")), "solved": str(_l("Solved"))},
        "categories": [row.label for row in board.categories],
        "category_raised": [row.raised for row in board.categories],
    }
