"""A company's profile on the unit's list: checking what staff type (or a spreadsheet holds),
and adding or editing a company with it.

`check_profile` is pure: text in, typed values and field messages out, so the admin's forms and
a spreadsheet import judge a company the same way. Messages are lazy strings, read in the
reader's language (Chinese or English) when shown.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS
from kiosk.text import clean_text
from kiosk.validators import is_valid_mobile, normalize_mobile, normalize_uscc, uscc_problem

# The profile's fields, as Tenant names its columns, in the order a form shows them.
FIELDS = (
    "name",
    "uscc",
    "legal_representative",
    "registered_capital",
    "founded_on",
    "industry",
    "size_band",
    "employees",
    "contact_name",
    "contact_mobile",
    "floor_room",
)
REQUIRED = ("name", "uscc")
# Longest text each column holds (characters).
LIMITS = {
    "name": 100,
    "legal_representative": 60,
    "contact_name": 60,
    "floor_room": 40,
}
CAPITAL_MAX = Decimal("99999999999999.99")  # Numeric(16, 2), in 10,000 yuan
EMPLOYEES_MAX = 10_000_000
EARLIEST_FOUNDING = date(1900, 1, 1)

# How people write a size band in a spreadsheet, besides the code itself.
_SIZE_WORDS = {
    "微型": "micro",
    "微": "micro",
    "小型": "small",
    "小": "small",
    "中型": "medium",
    "中": "medium",
    "大型": "large",
    "大": "large",
}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")

MESSAGES: dict[str, Any] = {
    "name_missing": _l("Enter the company's name."),
    "uscc_missing": _l("Enter the company's unified social credit code."),
    "uscc_length": _l("A unified social credit code has 18 characters."),
    "uscc_characters": _l(
        "A unified social credit code uses digits and capital letters, but never I, O, S, V or Z."
    ),
    "uscc_checksum": _l(
        "This code is not right: one character is probably mistyped. "
        "Check it against the business licence."
    ),
    "capital": _l("Enter the registered capital in 10,000 yuan, like 500 or 120.5."),
    "capital_range": _l("The registered capital must be between 0 and 99,999,999,999,999.99."),
    "date": _l("Enter the founding date as year-month-day, like 2019-03-05."),
    "date_future": _l("The founding date cannot be in the future."),
    "date_early": _l("The founding date cannot be before 1900."),
    "industry": _l("Choose an industry section of GB/T 4754, a letter from A to T."),
    "size_band": _l("Choose a size: micro, small, medium or large."),
    "employees": _l("Enter the number of employees as a whole number, like 25."),
    "mobile": _l("Enter an 11-digit mobile number starting with 1, like 13812345678."),
}


def _text(raw: str) -> str:
    return clean_text(raw).text


def _uscc(raw: str) -> tuple[str, Any]:
    code = normalize_uscc(raw)
    if not code:
        return "", MESSAGES["uscc_missing"]
    problem = uscc_problem(code)
    return code, MESSAGES[f"uscc_{problem}"] if problem else None


def _capital(raw: str) -> tuple[Decimal | None, Any]:
    text = unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "")
    text = text.removesuffix("万元").removesuffix("万")
    if not text:
        return None, None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, MESSAGES["capital"]
    if not value.is_finite():
        return None, MESSAGES["capital"]
    if not Decimal(0) <= value <= CAPITAL_MAX:
        return None, MESSAGES["capital_range"]
    return value.quantize(Decimal("0.01")), None


def parse_date(raw: str) -> date | None:
    """A date written 2019-03-05, 2019/3/5, 2019.3.5 or 2019年3月5日 (None if it is none)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    found = _DATE.match(text)
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _founded(raw: str, today: date) -> tuple[date | None, Any]:
    if not raw.strip():
        return None, None
    value = parse_date(raw)
    if value is None:
        return None, MESSAGES["date"]
    if value > today:
        return None, MESSAGES["date_future"]
    if value < EARLIEST_FOUNDING:
        return None, MESSAGES["date_early"]
    return value, None


def _industry(raw: str) -> tuple[str, Any]:
    """A GB/T 4754 section letter; "I" and "I 信息传输…" (the letter, then the name) both do."""
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    if not text:
        return "", None
    letter = text[0]
    if letter in INDUSTRIES and (len(text) == 1 or not text[1].isascii() or not text[1].isalpha()):
        return letter, None
    return "", MESSAGES["industry"]


def _size_band(raw: str) -> tuple[str, Any]:
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    if not text:
        return "", None
    text = text.removesuffix("企业")
    band = text if text in SIZE_BANDS else _SIZE_WORDS.get(text, "")
    return band, None if band else MESSAGES["size_band"]


def _employees(raw: str) -> tuple[int | None, Any]:
    text = unicodedata.normalize("NFKC", raw).replace(",", "").strip()
    if not text:
        return None, None
    if not (text.isascii() and text.isdigit()) or int(text) > EMPLOYEES_MAX:
        return None, MESSAGES["employees"]
    return int(text), None


def _mobile(raw: str) -> tuple[str, Any]:
    if not raw.strip():
        return "", None
    if not is_valid_mobile(raw):
        return "", MESSAGES["mobile"]
    return normalize_mobile(raw), None


def _check_one(name: str, raw: str, today: date) -> tuple[Any, Any]:
    """One field's typed value and its problem (None when there is none)."""
    if name == "uscc":
        return _uscc(raw)
    if name == "registered_capital":
        return _capital(raw)
    if name == "founded_on":
        return _founded(raw, today)
    if name == "industry":
        return _industry(raw)
    if name == "size_band":
        return _size_band(raw)
    if name == "employees":
        return _employees(raw)
    if name == "contact_mobile":
        return _mobile(raw)
    text = _text(raw)
    if name == "name" and not text:
        return "", MESSAGES["name_missing"]
    limit = LIMITS.get(name, 100)
    if len(text) > limit:
        return text, _l("This is too long: at most %(limit)s characters.", limit=limit)
    return text, None


def check_profile(
    values: dict[str, str], *, today: date, partial: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a company's profile as typed: `values` maps FIELDS to text (other keys are
    ignored). Returns the cleaned values, typed as Tenant's columns (str, Decimal, date, int;
    None or "" for "not known"), and the problems, field name → message in the reader's
    language. With `partial`, only the fields present are checked (an edit of some fields);
    otherwise a missing field is empty, and name and credit code are required.

    Pure: no database. Whether the credit code is already another company's is asked when
    the company is saved (`save_profile`)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name in FIELDS:
        if partial and name not in values:
            continue
        raw = values.get(name)
        value, problem = _check_one(name, raw if isinstance(raw, str) else "", today)
        if problem is not None:
            errors[name] = problem
        else:
            cleaned[name] = value
    return cleaned, errors
