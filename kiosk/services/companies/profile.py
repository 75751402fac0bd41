"""A company's profile on the unit's list: checking what staff type (or a spreadsheet holds),
and adding or editing a company with it.

`check_profile` is pure: text in, typed values and field messages out, so the admin's forms and
a spreadsheet import judge a company the same way. Messages are lazy strings, read in the
reader's language (Chinese or English) when shown.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Role, Staff, Tenant
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.companies import moves, officers
from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS
from kiosk.text import clean_text, mask_mobile
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


# ---- adding and editing a company -------------------------------------------------------------

# What an officer (role STAFF) may change of a company they look after: they meet it in the
# field and are the first to learn of a new contact; the rest is the station's to decide.
CONTACT_FIELDS = ("contact_name", "contact_mobile")


def editable_fields(staff: Staff, tenant: Tenant | None) -> tuple[str, ...]:
    """The profile fields `staff` may change (with "officer" and moves, supervisors only)."""
    if staff.role.rank >= Role.SUPERVISOR.rank:
        return (*FIELDS, "officer")
    if tenant is not None and tenant.officer_id == staff.id:
        return CONTACT_FIELDS
    return ()


def uscc_taken(db: Session, uscc: str, other_than: int | None = None) -> bool:
    """Whether a company on any list (in reach or not) has this credit code: a Core read of the
    table, as the scope would hide another unit's company and the unique index then refuse."""
    table = Tenant.__table__
    query = select(table.c.id).where(table.c.uscc == uscc)
    if other_than is not None:
        query = query.where(table.c.id != other_than)
    return db.execute(query).first() is not None


def _checked(
    db: Session, values: dict[str, str], today: date, other_than: int | None, partial: bool
) -> dict[str, Any]:
    cleaned, errors = check_profile(values, today=today, partial=partial)
    if "uscc" in cleaned and uscc_taken(db, cleaned["uscc"], other_than):
        errors["uscc"] = _l("A company with this credit code is already on a list.")
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


def _shown(name: str, value: Any) -> Any:
    """A value as the audit log keeps it: text, dates and amounts as text, mobiles masked."""
    if value is None or value == "":
        return None
    if name == "contact_mobile":
        return mask_mobile(str(value))
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value


def _officer_name(staff: Staff | None) -> str | None:
    return f"{staff.display_name} ({staff.username})" if staff is not None else None


def add_company(
    db: Session,
    values: dict[str, str],
    *,
    where: str,
    place: str,
    came_from: str,
    officer: str,
    actor: Actor,
    today: date,
    now: datetime,
) -> Tenant:
    """A new company on a list in reach, moving in (from `came_from`) to `where` (see
    moves.target_of), with its liaison officer; audited."""
    problems: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned.update(_checked(db, values, today, None, False))
    except ValidationFailed as exc:
        problems.update(exc.fields)
    try:
        cleaned["target"] = moves.target_of(db, where, place)
    except ValidationFailed as exc:
        problems.update(exc.fields)
    try:
        cleaned["officer"] = officers.find_officer(db, officer)
    except ValidationFailed as exc:
        problems.update(exc.fields)
    if problems:
        raise ValidationFailed(fields=problems)
    with transaction(db):
        target, chosen = cleaned.pop("target"), cleaned.pop("officer")
        tenant = Tenant(**{k: v for k, v in cleaned.items() if k != "floor_room"}, officer=chosen)
        db.add(tenant)
        move = moves.place(
            db, tenant, target, staff_id=actor.staff_id, now=now, came_from=came_from
        )
        entry = audit.record(
            db, actor, "company.create", "company", tenant.uscc,
            name=tenant.name, officer=_officer_name(chosen), place=target.place,
        )  # fmt: skip
        moves.file_under(entry, tenant)
        moves.audit_move(db, actor, tenant, move)
    return tenant


def edit_company(
    db: Session,
    tenant: Tenant,
    values: dict[str, str],
    *,
    actor: Actor,
    today: date,
) -> dict[str, list[Any]]:
    """Change the fields of `values` that the actor may change ("officer" among them: an
    account id or username, "" for none); audited old → new. Returns what changed."""
    assert actor.staff is not None
    allowed = editable_fields(actor.staff, tenant)
    wanted = {k: v for k, v in values.items() if k in allowed}
    if not wanted:
        raise ValidationFailed(_l("You may not change this company."))
    problems: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = _checked(db, wanted, today, tenant.id, True)
    except ValidationFailed as exc:
        problems.update(exc.fields)
    if "officer" in wanted:
        try:
            cleaned["officer"] = officers.find_officer(db, wanted["officer"])
        except ValidationFailed as exc:
            problems.update(exc.fields)
    if problems:
        raise ValidationFailed(fields=problems)
    cleaned.pop("floor_room", None)  # where it is changes by a move, with its history
    changed: dict[str, list[Any]] = {}
    with transaction(db):
        for name, value in cleaned.items():
            old = tenant.officer if name == "officer" else getattr(tenant, name)
            if old == value:
                continue
            if name == "officer":
                changed[name] = [_officer_name(old), _officer_name(value)]
            else:
                changed[name] = [_shown(name, old), _shown(name, value)]
            setattr(tenant, name, value)
        if changed:
            entry = audit.record(db, actor, "company.update", "company", tenant.uscc, **changed)
            moves.file_under(entry, tenant)
    return changed
