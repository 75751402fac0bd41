"""Checking what a tenant typed: one set of rules for the forms and the service."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.text import clean_text
from kiosk.validators import is_valid_mobile, is_valid_uscc, normalize_mobile, normalize_uscc

COMPANY_NAME_MAX = 100
DESCRIPTION_MAX = 1000
CONTACT_NAME_MAX = 50
REPLY_MAX = 2000
REASON_MAX = 500


@dataclass(frozen=True)
class Checked:
    """A value after checking, and whether invisible characters were taken out of it."""

    value: str
    cleaned: bool = False


def checked_text(value: str, field: str, limit: int, *, multiline: bool = False) -> Checked:
    """Clean `value`; refuse it (naming `field`) when empty or longer than `limit` characters."""
    cleaned = clean_text(value, multiline=multiline)
    if not cleaned.text:
        raise ValidationFailed(fields={field: _l("This cannot be empty.")})
    if len(cleaned.text) > limit:
        message = _l(
            "This must be %(limit)s characters or fewer; it has %(count)s.",
            limit=f"{limit:,}",
            count=f"{len(cleaned.text):,}",
        )
        raise ValidationFailed(fields={field: message})
    return Checked(cleaned.text, cleaned.removed > 0)


def check_company_name(value: str) -> Checked:
    """A company name typed by a tenant not on the building's list."""
    return checked_text(value, "company_name", COMPANY_NAME_MAX)


def check_uscc(value: str, *, required: bool = False) -> Checked:
    """An optional unified social credit code; normalised to 18 upper-case characters."""
    code = normalize_uscc(value)
    if not code and not required:
        return Checked("")
    if not is_valid_uscc(code):
        raise ValidationFailed(
            fields={
                "company_uscc": _l(
                    "Enter the 18-character unified social credit code exactly as it is on "
                    "the business licence."
                )
            }
        )
    return Checked(code)


def check_description(value: str) -> Checked:
    """The description of the problem (up to 1,000 characters; newlines kept)."""
    return checked_text(value, "description", DESCRIPTION_MAX, multiline=True)


def check_contact_name(value: str) -> Checked:
    """The contact person's name."""
    return checked_text(value, "contact_name", CONTACT_NAME_MAX)


def check_mobile(value: str) -> Checked:
    """A mainland mobile number, normalised to 11 digits."""
    if not is_valid_mobile(value):
        raise ValidationFailed(
            fields={
                "contact_mobile": _l(
                    "Enter an 11-digit mobile number starting with 1, like 13812345678."
                )
            }
        )
    return Checked(normalize_mobile(value))
