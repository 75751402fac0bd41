"""The policy catalogue: one policy's fields checked, saved and indexed; a compilation imported.

The import format is documented in docs/policy-import.md. A file is checked whole before any of
it is written: every wrong row is reported with its line number, and a file with any wrong row
changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Benefit, Policy, PolicyLevel
from kiosk.services.policies import search
from kiosk.text import clean_text, strict_json_loads

# GB/T 4754-2017 sections (门类), the industries a policy may be for; one bit each.
INDUSTRIES = {
    "A": _l("Agriculture, forestry, animal husbandry and fishery"),
    "B": _l("Mining"),
    "C": _l("Manufacturing"),
    "D": _l("Electricity, heat, gas and water"),
    "E": _l("Construction"),
    "F": _l("Wholesale and retail"),
    "G": _l("Transport, storage and post"),
    "H": _l("Accommodation and catering"),
    "I": _l("Information transmission, software and IT services"),
    "J": _l("Finance"),
    "K": _l("Real estate"),
    "L": _l("Leasing and business services"),
    "M": _l("Scientific research and technical services"),
    "N": _l("Water, environment and public facilities"),
    "O": _l("Resident, repair and other services"),
    "P": _l("Education"),
    "Q": _l("Health and social work"),
    "R": _l("Culture, sports and entertainment"),
    "S": _l("Public administration and social organisations"),
    "T": _l("International organisations"),
}
SIZE_BANDS = {
    "micro": _l("Micro"),
    "small": _l("Small"),
    "medium": _l("Medium"),
    "large": _l("Large"),
}
FIELDS = (
    "code",
    "title",
    "issuer",
    "level",
    "doc_number",
    "published_on",
    "opens_on",
    "closes_on",
    "summary",
    "body",
    "industries",
    "size_bands",
    "district",
    "min_years",
    "min_employees",
    "other_conditions",
    "benefit",
    "max_amount",
    "materials",
    "contact",
)
LIST_FIELDS = ("industries", "size_bands", "materials")
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ROWS = 20_000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
_LIMITS = {
    "title": 200,
    "issuer": 100,
    "doc_number": 100,
    "summary": 500,
    "body": 20_000,
    "district": 40,
    "other_conditions": 1_000,
    "contact": 200,
}
_REQUIRED = ("code", "title", "issuer", "level", "published_on", "summary", "body", "benefit")


def industry_bit(section: str) -> int:
    """The bit of an industry section in Policy.industry_mask (0 for an unknown section)."""
    return 1 << (ord(section) - ord("A")) if section in INDUSTRIES else 0


def size_bit(band: str) -> int:
    """The bit of a size band in Policy.size_mask (0 for an unknown band)."""
    return 1 << list(SIZE_BANDS).index(band) if band in SIZE_BANDS else 0


class PolicyError(ValueError):
    """A policy's fields are wrong; `problems` says which and why, in words staff read."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RowError:
    """One wrong row of an import."""

    line: int
    problems: list[str]


@dataclass(frozen=True)
class ImportResult:
    """What an import did (when it did anything)."""

    added: int
    updated: int


# ---- one policy's fields ----------------------------------------------------------------------


def _text(raw: Any, field: str, problems: list[str], *, multiline: bool = False) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raw = str(raw)
    cleaned = clean_text(raw, multiline=multiline)
    if cleaned.removed:
        problems.append(str(_l("%(field)s: contains control characters", field=field)))
    limit = _LIMITS.get(field)
    if limit is not None and len(cleaned.text) > limit:
        problems.append(
            str(
                _l(
                    "%(field)s: longer than %(limit)s characters",
                    field=field,
                    limit=limit,
                )
            )
        )
    return cleaned.text


def _date(raw: Any, field: str, problems: list[str]) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        problems.append(str(_l("%(field)s: not a date like 2026-03-31", field=field)))
        return None


def _whole(raw: Any, field: str, problems: list[str], *, high: int) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        problems.append(str(_l("%(field)s: not a whole number", field=field)))
        return None
    if not 0 <= value <= high:
        problems.append(
            str(_l("%(field)s: must be between 0 and %(high)s", field=field, high=high))
        )
        return None
    return value


def _list(raw: Any, field: str, problems: list[str]) -> list[str]:
    if raw is None or raw == "":
        return []
    items: list[Any]
    if isinstance(raw, str):
        items = raw.split("|")
    elif isinstance(raw, list):
        items = raw
    else:
        problems.append(str(_l("%(field)s: not a list", field=field)))
        return []
    values = []
    for item in items:
        text = _text(item, field, problems)
        if len(text) > 100:
            problems.append(str(_l("%(field)s: an item longer than 100 characters", field=field)))
        if text and text not in values:
            values.append(text)
    return values


def check(raw: dict[str, Any]) -> dict[str, Any]:
    """The policy's fields from `raw` (a JSON object, a CSV row or a form), checked and cleaned.

    Raises PolicyError listing every problem; the result holds Policy's column values."""
    problems: list[str] = []
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        problems.append(str(_l("unknown fields: %(names)s", names=", ".join(unknown))))
    for field in _REQUIRED:
        if raw.get(field) is None or str(raw.get(field)).strip() == "":
            problems.append(str(_l("%(field)s: required", field=field)))
    values: dict[str, Any] = {}
    code = str(raw.get("code") or "").strip()
    if code and not _CODE.match(code):
        problems.append(str(_l("code: letters, digits and - only, up to 40")))
    values["code"] = code
    for field in ("title", "issuer", "doc_number", "summary", "district", "contact"):
        values[field] = _text(raw.get(field), field, problems)
    for field in ("body", "other_conditions"):
        values[field] = _text(raw.get(field), field, problems, multiline=True)
    level = str(raw.get("level") or "").strip()
    levels = {m.value for m in PolicyLevel}
    benefits = {m.value for m in Benefit}
    if level and level not in levels:
        problems.append(
            str(_l("level: one of %(names)s", names=", ".join(m.value for m in PolicyLevel)))
        )
    values["level"] = PolicyLevel(level) if level in levels else None
    benefit = str(raw.get("benefit") or "").strip()
    if benefit and benefit not in benefits:
        problems.append(
            str(_l("benefit: one of %(names)s", names=", ".join(m.value for m in Benefit)))
        )
    values["benefit"] = Benefit(benefit) if benefit in benefits else None
    for field in ("published_on", "opens_on", "closes_on"):
        values[field] = _date(raw.get(field), field, problems)
    if values["opens_on"] and values["closes_on"] and values["closes_on"] < values["opens_on"]:
        problems.append(str(_l("closes_on: before opens_on")))
    values["min_years"] = _whole(raw.get("min_years"), "min_years", problems, high=100)
    values["min_employees"] = _whole(
        raw.get("min_employees"), "min_employees", problems, high=1_000_000
    )
    values["max_amount"] = _amount(raw.get("max_amount"), problems)
    for field in LIST_FIELDS:
        values[field] = _list(raw.get(field), field, problems)
    values["industries"] = [s.upper() for s in values["industries"]]
    bad = [s for s in values["industries"] if s not in INDUSTRIES]
    if bad:
        problems.append(
            str(_l("industries: not GB/T 4754 sections: %(names)s", names=", ".join(bad)))
        )
    bad = [s for s in values["size_bands"] if s not in SIZE_BANDS]
    if bad:
        problems.append(
            str(
                _l(
                    "size_bands: one of %(names)s, not %(bad)s",
                    names=", ".join(SIZE_BANDS),
                    bad=", ".join(bad),
                )
            )
        )
    if problems:
        raise PolicyError(problems)
    values["industry_mask"] = sum(industry_bit(s) for s in values["industries"])
    values["size_mask"] = sum(size_bit(b) for b in values["size_bands"])
    return values


def _amount(raw: Any, problems: list[str]) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        problems.append(str(_l("max_amount: not a number of yuan")))
        return None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        problems.append(str(_l("max_amount: must be between 0 and 999,999,999,999 yuan")))
        return None
    return value.quantize(Decimal("0.01"))


# ---- saving -----------------------------------------------------------------------------------


def save(
    db: Session, values: dict[str, Any], *, policy: Policy | None = None, staff_id: int | None
) -> Policy:
    """Create or change one policy from checked `values` (see check()) and reindex it.

    Raises PolicyError if another policy has the code. Commits."""
    with transaction(db):
        clash = db.scalar(select(Policy).where(Policy.code == values["code"]))
        if clash is not None and clash is not policy:
            raise PolicyError([str(_l("code: another policy has this code"))])
        if policy is None:
            policy = Policy()
            db.add(policy)
        _apply(policy, values, staff_id)
        db.flush()
        search.index(db, [policy])
    return policy


def _apply(policy: Policy, values: dict[str, Any], staff_id: int | None) -> None:
    for field, value in values.items():
        setattr(policy, field, value)
    if policy.id is not None:
        policy.updated_at = utcnow()
        policy.updated_by_id = staff_id


def set_active(db: Session, policy: Policy, active: bool, *, staff_id: int | None) -> None:
    """Withdraw a policy (it leaves search and matching; claims under it stay) or restore it."""
    with transaction(db):
        policy.active = active
        policy.updated_at = utcnow()
        policy.updated_by_id = staff_id
        search.index(db, [policy])  # PostgreSQL's search table keeps a copy of `active`


# ---- importing a compilation ------------------------------------------------------------------


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, raw fields) for each policy of a CSV or JSON file.

    Raises PolicyError when the file as a whole cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise PolicyError([str(_l("The file is larger than 8 MB."))])
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError([str(_l("The file is not UTF-8 text."))]) from None
    if filename.lower().endswith(".json"):
        rows = _json_rows(content)
    elif filename.lower().endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise PolicyError([str(_l("Choose a .csv or .json file."))])
    if not rows:
        raise PolicyError([str(_l("The file holds no policies."))])
    if len(rows) > MAX_ROWS:
        raise PolicyError([str(_l("More than 20,000 policies in one file."))])
    return rows


def _json_rows(content: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = strict_json_loads(content)
    except json.JSONDecodeError as exc:
        raise PolicyError(
            [str(_l("Line %(line)s: not valid JSON (%(error)s)", line=exc.lineno, error=exc.msg))]
        ) from None
    if not isinstance(document, list):
        raise PolicyError([str(_l("The JSON file must hold a list of policies."))])
    starts = _object_lines(content)
    rows: list[tuple[int, dict[str, Any]]] = []
    for i, item in enumerate(document):
        line = starts[i] if i < len(starts) else 1
        rows.append((line, item if isinstance(item, dict) else {"": item}))
    return rows


def _object_lines(content: str) -> list[int]:
    """The line on which each element of the top-level JSON list starts."""
    lines: list[int] = []
    depth = 0
    line = 1
    expecting = False  # the next thing at depth 1 starts an element
    in_string = escaped = False
    for char in content:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char.isspace():
            continue
        if depth == 1 and expecting and char not in "],":
            lines.append(line)
            expecting = False
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth == 1:
                expecting = True
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 1:
            expecting = True
    return lines


def _csv_rows(content: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in FIELDS]
    if unknown:
        raise PolicyError(
            [str(_l("Line 1: unknown columns: %(names)s", names=", ".join(map(str, unknown))))]
        )
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        line = reader.line_num + 1
        for record in reader:
            extra = record.pop(None, None)
            if extra:
                record[""] = extra  # reported as an unknown field
            rows.append((line, {k: v for k, v in record.items() if v not in (None, "")}))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise PolicyError(
            [str(_l("Line %(line)s: %(error)s", line=reader.line_num, error=str(exc)))]
        ) from None
    return rows


def check_rows(
    rows: Sequence[tuple[int, dict[str, Any]]],
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Every row checked: the values of the good ones and the problems of the wrong ones."""
    good: list[dict[str, Any]] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for line, raw in rows:
        try:
            values = check(raw)
        except PolicyError as exc:
            errors.append(RowError(line, exc.problems))
            continue
        if values["code"] in first_line:
            errors.append(
                RowError(
                    line,
                    [
                        str(
                            _l(
                                "code: %(code)s is also on line %(other)s",
                                code=values["code"],
                                other=first_line[values["code"]],
                            )
                        )
                    ],
                )
            )
            continue
        first_line[values["code"]] = line
        good.append(values)
    return good, errors


def import_policies(
    db: Session, rows: Iterable[dict[str, Any]], *, staff_id: int | None
) -> ImportResult:
    """Save checked rows (see check_rows) in one transaction: a known code replaces that policy."""
    values = list(rows)
    added = updated = 0
    with transaction(db):
        existing = {
            p.code: p
            for p in db.scalars(select(Policy).where(Policy.code.in_([v["code"] for v in values])))
        }
        saved: list[Policy] = []
        for row in values:
            policy = existing.get(row["code"])
            if policy is None:
                policy = Policy()
                db.add(policy)
                added += 1
            else:
                updated += 1
            _apply(policy, row, staff_id)
            saved.append(policy)
        db.flush()
        search.index(db, saved)
    return ImportResult(added, updated)


def as_row(policy: Policy) -> dict[str, Any]:
    """A policy as an import row (JSON types): export and the public API use it."""
    return {
        "code": policy.code,
        "title": policy.title,
        "issuer": policy.issuer,
        "level": policy.level.value,
        "doc_number": policy.doc_number,
        "published_on": policy.published_on.isoformat(),
        "opens_on": policy.opens_on.isoformat() if policy.opens_on else None,
        "closes_on": policy.closes_on.isoformat() if policy.closes_on else None,
        "summary": policy.summary,
        "body": policy.body,
        "industries": list(policy.industries),
        "size_bands": list(policy.size_bands),
        "district": policy.district,
        "min_years": policy.min_years,
        "min_employees": policy.min_employees,
        "other_conditions": policy.other_conditions,
        "benefit": policy.benefit.value,
        "max_amount": float(policy.max_amount) if policy.max_amount is not None else None,
        "materials": list(policy.materials),
        "contact": policy.contact,
    }


def today_in(zone: Any) -> date:
    """Today where the kiosk is (windows open and close on local days)."""
    return datetime.now(zone).date()
