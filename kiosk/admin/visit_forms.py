"""The visit form: when, who was met, what was discussed, problems raised, policies handed over."""

from __future__ import annotations

from typing import Any, ClassVar

from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from kiosk.admin.forms import ActionForm
from kiosk.i18n import lazy_gettext as _l
from kiosk.services.appeals import CONTACT_NAME_MAX, DESCRIPTION_MAX
from kiosk.services.visits import MAX_PROBLEMS, MET_MAX, ProblemDraft
from kiosk.services.visits.record import DISCUSSED_MAX


def _text(label: Any, limit: int, rows: int = 4, hint: Any = None) -> TextAreaField:
    return TextAreaField(label, description=hint, render_kw={"rows": rows, "data-max-chars": limit})


class VisitForm(ActionForm):
    """One visit to one company (problem slots are added below, numbered from 1)."""

    service_fields: ClassVar[dict[str, str]] = {}
    key = HiddenField()
    visited_on = StringField(_l("Date of the visit"), render_kw={"type": "date"})
    met = StringField(
        _l("Who did you meet?"),
        description=_l("Name and position, e.g. 李明（总经理）."),
        render_kw={"maxlength": MET_MAX},
    )
    discussed = _text(_l("What was discussed?"), DISCUSSED_MAX, rows=5)
    contact_name = StringField(
        _l("Contact for the problems"),
        description=_l("Who hears about the answers; the company's contact is filled in."),
        render_kw={"maxlength": CONTACT_NAME_MAX, "autocomplete": "off"},
    )
    contact_mobile = StringField(
        _l("Contact's mobile"), render_kw={"inputmode": "numeric", "maxlength": 11}
    )
    policies = SelectMultipleField(
        _l("Policies handed over (送政策上门)"),
        coerce=str,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def problem_fields(self) -> list[tuple[Any, Any]]:
        """The (category, description) fields of each problem slot."""
        return [
            (getattr(self, f"problem{n}_category"), getattr(self, f"problem{n}_description"))
            for n in range(1, MAX_PROBLEMS + 1)
        ]

    def problems(self) -> tuple[ProblemDraft, ...]:
        """What was typed in the problem slots."""
        return tuple(
            ProblemDraft(category.data or "", description.data or "")
            for category, description in self.problem_fields()
        )

    def policy_ids(self) -> tuple[int, ...]:
        """The policies ticked (ids)."""
        return tuple(int(v) for v in self.policies.data or [] if str(v).isdigit() and len(v) < 10)


for _n in range(1, MAX_PROBLEMS + 1):
    setattr(
        VisitForm,
        f"problem{_n}_category",
        SelectField(_l("Problem %(n)s: category", n=_n), validate_choice=False),
    )
    setattr(
        VisitForm,
        f"problem{_n}_description",
        _text(_l("Problem %(n)s: what is the problem?", n=_n), DESCRIPTION_MAX, rows=3),
    )


class CompanySearchForm(ActionForm):
    """Search the companies in reach, when the one visited is not among "my companies"."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Find a company by name or credit code"),
        render_kw={"type": "search", "maxlength": 100},
    )
