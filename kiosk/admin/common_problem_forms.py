"""The forms of common problems: grouping appeals, a meeting, progress and the answer."""

from __future__ import annotations

from typing import Any, ClassVar

from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kiosk.admin.forms import ActionForm
from kiosk.i18n import lazy_gettext as _l
from kiosk.services.appeals import REPLY_MAX
from kiosk.services.common_problems.answering import ACTION_MAX, OTHERS_MAX
from kiosk.services.common_problems.problems import TITLE_MAX

ACTION_ROWS = 4  # who-does-what rows on a meeting form


def _ids(**kwargs: Any) -> SelectMultipleField:
    return SelectMultipleField(
        validate_choice=False,
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        **kwargs,
    )


def _text(label: Any, rows: int = 4, limit: int = REPLY_MAX, hint: Any = None) -> TextAreaField:
    return TextAreaField(label, description=hint, render_kw={"rows": rows, "data-max-chars": limit})


class GroupForm(ActionForm):
    """Group the chosen similar appeals, with this one, into a new common problem."""

    service_fields: ClassVar[dict[str, str]] = {"unit": "owner"}
    appeals = _ids(label=_l("Similar appeals to group with this one"))
    title = StringField(
        _l("Title of the common problem"),
        description=_l("What the companies share, in a few words (e.g. 5路公交改线)."),
        render_kw={"maxlength": TITLE_MAX},
    )
    owner = SelectField(_l("Owned by"), validate_choice=False)
    officer = SelectField(_l("Officer in charge (指标长)"), validate_choice=False)


class JoinForm(ActionForm):
    """Add one appeal to a common problem that already exists."""

    appeal = StringField()


class AnswerForm(ActionForm):
    """The one answer that goes to every appeal of the problem."""

    answer = _text(
        _l("Answer to every company"),
        rows=6,
        hint=_l(
            "Every open appeal in the problem is resolved with this answer, and each company "
            "is told by SMS."
        ),
    )


class ProgressForm(ActionForm):
    """A note on progress, for staff."""

    body = _text(_l("Progress"), rows=3, hint=_l("Seen by staff only."))


class ActionRow(Form):
    """Who does what by when (a subform: the meeting form carries the CSRF token)."""

    who = SelectField(_l("Who"), validate_choice=False)
    what = StringField(_l("What"), render_kw={"maxlength": ACTION_MAX})
    due = DateField(_l("By when"), validators=[Optional()])


class MeetingForm(ActionForm):
    """A joint meeting (会商会): when, who came, what was decided, who does what by when."""

    held_on = DateField(_l("Held on"), validators=[Optional()])
    present = _ids(label=_l("Departments present"))
    others = StringField(
        _l("Others present (optional)"),
        description=_l("For example 公交集团, the companies' representatives."),
        render_kw={"maxlength": OTHERS_MAX},
    )
    decisions = _text(_l("Decisions"), rows=5)
    actions = FieldList(FormField(ActionRow), min_entries=ACTION_ROWS, max_entries=ACTION_ROWS)

    def show_errors(self, problems: dict[str, Any]) -> bool:
        """Field errors, those of an action row (actions-N-what) on that row's field."""
        shown = False
        for name, message in problems.items():
            parts = name.split("-")
            if len(parts) == 3 and parts[0] == "actions" and parts[1].isdigit():
                row = int(parts[1])
                if row < len(self.actions.entries):
                    getattr(self.actions.entries[row].form, parts[2]).errors = [message]
                    shown = True
                continue
            shown = super().show_errors({name: message}) or shown
        return shown
