"""The company list's forms: its filters, a company's profile, adding one, moving one."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from kiosk.admin.forms import ActionForm
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Staff
from kiosk.services.companies.moves import Choice
from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS


def _select(label: Any, hint: Any = None) -> SelectField:
    return SelectField(label, description=hint, validate_choice=False)


class CompanyFilterForm(FlaskForm):
    """The list's filters, sent by GET so a filtered list can be bookmarked and shared."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or credit code"), render_kw={"type": "search", "maxlength": 100})
    floor = StringField(_l("Floor"), render_kw={"maxlength": 20, "inputmode": "numeric"})
    industry = _select(_l("Industry"))
    officer = _select(_l("Liaison officer"))
    unit = _select(_l("Unit"))
    status = _select(_l("State"))
    no_officer = BooleanField(_l("No liaison officer yet"))


def _text(label: Any, limit: int, hint: Any = None, **more: Any) -> StringField:
    return StringField(label, description=hint, render_kw={"maxlength": limit, **more})


class ProfileForm(ActionForm):
    """A company's profile; the service checks every field (kiosk.services.companies.profile)."""

    name = _text(_l("Company name"), 100)
    uscc = _text(
        _l("Unified social credit code"), 24, _l("18 characters, as on the business licence."),
        autocapitalize="characters",
    )  # fmt: skip
    legal_representative = _text(_l("Legal representative"), 60)
    registered_capital = _text(_l("Registered capital (10,000 yuan)"), 20, inputmode="decimal")
    founded_on = _text(_l("Founded on"), 20, _l("Year-month-day, like 2019-03-05."), type="date")
    industry = _select(_l("Industry (GB/T 4754)"))
    size_band = _select(_l("Company size"))
    employees = _text(_l("Employees"), 9, inputmode="numeric")
    contact_name = _text(_l("Contact"), 60)
    contact_mobile = _text(_l("Contact's mobile number"), 20, inputmode="tel", autocomplete="off")
    officer = _select(_l("Liaison officer"), _l("The officer (联企干部) who looks after it."))

    def offer(self, officers: list[Staff]) -> None:
        """Fill the choices: industries, sizes and the officers in reach."""
        self.industry.choices = [("", _l("Not recorded"))] + [
            (code, f"{code} {words}") for code, words in INDUSTRIES.items()
        ]
        self.size_band.choices = [("", _l("Not recorded")), *SIZE_BANDS.items()]
        self.officer.choices = [("", _l("No liaison officer yet"))] + [
            (str(s.id), f"{s.display_name} ({s.unit.name_zh if s.unit else ''})") for s in officers
        ]


def offer_destinations(field: SelectField, choices: list[Choice]) -> None:
    """Destinations grouped under their building (or "outside any building")."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for choice in choices:
        label = choice.label
        if choice.occupied:
            label = str(_l("%(room)s (%(n)s companies there)", room=label, n=choice.occupied))
        groups.setdefault(choice.group, []).append((choice.value, label))
    field.choices = {"": [("", _l("Choose…"))], **groups}


class NewCompanyForm(ProfileForm):
    """A company moving in: its profile, where it moves to, and where from."""

    where = _select(
        _l("Where it is now"), _l("A room of a building, or a list outside any building.")
    )
    place = _text(
        _l("Floor and room, or the address"), 40,
        _l("Only for a building without rooms on record, or a company outside any building."),
    )  # fmt: skip
    came_from = _text(_l("Moved in from"), 40, _l("Where it was before, if known."))


class MoveForm(ActionForm):
    """Where a company moves to (another room, another building, a list outside buildings)."""

    where = _select(_l("Move to"), _l("A room of a building, or a list outside any building."))
    place = NewCompanyForm.place


class MoveOutForm(ActionForm):
    """A company leaving: where it goes, if known."""

    service_fields: ClassVar[dict[str, str]] = {}
    to_place = TextAreaField(
        _l("Where it moves to"), description=_l("If known: an address or a city."),
        render_kw={"rows": 2, "maxlength": 200},
    )  # fmt: skip
