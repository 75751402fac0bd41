"""The report's content as rows of text, the same for the spreadsheet and the PDF."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import SOURCE
from kiosk.services.figures.core import Figures
from kiosk.services.figures.report import Problem, Report

SOURCES = {str(key): words for key, words in SOURCE.items()}


def _n(value: Any) -> str:
    return f"{value:,}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else _("%(n)s days", n=f"{value:.1f}")


def _money(value: Decimal) -> str:
    return str(_("¥%(n)s", n=f"{value:,.2f}"))


FIGURES: list[tuple[Any, Callable[[Figures], str]]] = [
    (_l("Problems raised"), lambda f: _n(f.raised)),
    (_l("Problems solved"), lambda f: _n(f.solved)),
    (_l("Resolution rate"), lambda f: _rate(f.resolution_rate)),
    (_l("Solved on time"), lambda f: _rate(f.on_time_rate)),
    (_l("Average time to an answer"), lambda f: _days(f.days_to_answer)),
    (_l("Satisfaction"), lambda f: _rate(f.satisfaction_rate)),
    (_l("Policy money paid"), lambda f: _money(f.money_paid)),
    (_l("Claims paid"), lambda f: _n(f.claims_paid)),
    (_l("Applications approved"), lambda f: _n(f.applications_done)),
    (_l("Events held"), lambda f: _n(f.events)),
]


def title(report: Report, locale: str) -> str:
    """The report's title line."""
    board = report.board
    return str(
        _(
            "%(unit)s: the programme's figures, %(first)s to %(last)s",
            unit=board.unit.name(locale),
            first=board.period.first.isoformat(),
            last=board.period.last.isoformat(),
        )
    )


def sections(report: Report) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, column names, rows) for every table of the report, in order."""
    board = report.board
    found = [
        (
            _("The figures"),
            [_("Figure"), _("This period"), _("Same period last year"), _("Period before")],
            [
                [str(label), show(board.now), show(board.last_year), show(board.before)]
                for label, show in FIGURES
            ],
        )
    ]
    counts = [_("Raised"), _("Solved"), _("On time")]
    if board.children:
        found.append(
            (
                _("By unit"),
                [_("Unit"), *counts],
                [
                    [r.label, _n(r.raised), _n(r.solved), _rate(r.on_time_rate)]
                    for r in board.children
                ],
            )
        )
    if board.departments:
        found.append(
            (
                _("By department"),
                [_("Department"), _("Handed to it"), _("Answered"), _("On time"),
                 _("Average time to a reply")],
                [
                    [d.name(_locale()), _n(f.handed), _n(f.answered),
                     _rate(f.on_time_rate), _days(f.days_to_reply)]
                    for d, f in board.departments
                ],
            )
        )  # fmt: skip
    found.append(
        (
            _("By category"),
            [_("Category"), *counts],
            [
                [r.label, _n(r.raised), _n(r.solved), _rate(r.on_time_rate)]
                for r in board.categories
            ],
        )
    )
    found.append(
        (
            _("By source"),
            [_("Source"), *counts],
            [
                [str(SOURCES.get(r.key, r.key)), _n(r.raised), _n(r.solved), _rate(r.on_time_rate)]
                for r in board.sources
            ],
        )
    )
    found.append(
        (
            _("Week by week"),
            [_("Week of"), _("Raised"), _("Solved")],
            [[week, _n(raised), _n(solved)] for week, raised, solved in board.weeks],
        )
    )
    found.append(
        _problems(
            _("Overdue at the end of the period"),
            _("Days overdue"),
            report.overdue,
            report.overdue_total,
        )
    )
    found.append(
        _problems(
            _("Rated dissatisfied in the period"),
            _("Reason given"),
            report.dissatisfied,
            report.dissatisfied_total,
        )
    )
    return found


def _locale() -> str:
    from kiosk.i18n import current_locale

    return current_locale()


def _problems(
    heading: str, note: str, problems: list[Problem], total: int
) -> tuple[str, list[str], list[list[str]]]:
    rows = [
        [
            p.reference,
            p.company,
            p.category,
            p.building,
            p.raised.strftime("%Y-%m-%d"),
            p.due,
            p.note,
        ]
        for p in problems
    ]
    if total > len(problems):
        rows.append([_("… and %(n)s more in the ledger", n=_n(total - len(problems)))] + [""] * 6)
    if not rows:
        rows.append([_("None")] + [""] * 6)
    columns = [
        _("Reference"),
        _("Company"),
        _("Category"),
        _("Building"),
        _("Raised on"),
        _("Due"),
        note,
    ]
    return (_("%(what)s: %(n)s", what=heading, n=_n(total)), columns, rows)
