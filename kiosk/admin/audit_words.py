"""The audit log in words: what an entry's action, target and details say to a person.

Codes stay in the database (they are what a query or an export matches on); these are only the
words the page shows, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import format_datetime, get_locale, gettext
from sqlalchemy import select

from kiosk.admin.fleet_forms import COMMAND, LABELS
from kiosk.db import get_session
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import AUDIT_ACTION, AUDIT_TARGET, STATUS, UNIT_KIND
from kiosk.models import AppealStatus, AuditLog, Unit
from kiosk.services import events
from kiosk.services.companies.moves import MOVE_KIND
from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS
from kiosk.tasks import TASKS

ROLE = {"staff": _l("Officer"), "supervisor": _l("Supervisor"), "admin": _l("Administrator")}

FIELD = {
    "task": _l("Kind of application"),
    "issued_uscc": _l("Credit code issued"),
    "steps": _l("Answers to fix"),
    "code": _l("Credit code"),
    "reason": _l("Reason given"),
    "role": _l("Role"),
    "building": _l("Building"),
    "building_code": _l("Building"),
    "unit": _l("Unit"),
    "title": _l("Title"),
    "subject": _l("What was printed"),
    "original": _l("Copy of print job"),
    "tenant": _l("Company's credit code"),
    "appeals": _l("Appeals recorded"),
    "policies": _l("Policies told"),
    "rows": _l("Rows"),
    "file": _l("File name"),
    "added": _l("Added"),
    "updated": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "moved": _l("Moves recorded"),
    "command": _l("Command number"),
    "kind": _l("Kind"),
    "payload": _l("Details"),
    "version": _l("Settings version"),
    "changed": _l("Settings changed"),
    "text_zh": _l("Announcement in Chinese"),
    "text_en": _l("Announcement in English"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "place": _l("Place"),
    "online_url": _l("Online link"),
    "capacity": _l("Places"),
    "audience": _l("Who it is for"),
    "amount": _l("Amount paid"),
    "paid_on": _l("Paid on"),
    "amount_granted": _l("Amount granted"),
    "amount_requested": _l("Amount claimed"),
    "policy": _l("Policy"),
    "assignee": _l("Username"),
    "assignee_name": _l("Assigned to"),
    "status": _l("Status"),
    "category": _l("Category"),
    "overdue_on": _l("Overdue before"),
    "assignee_id": _l("Assigned to"),
    "q": _l("Search"),
    "what": _l("What was tried"),
    "tries": _l("Wrong tries allowed"),
    "minutes": _l("Wait (minutes)"),
    "until": _l("Locked until"),
    "session": _l("Kiosk session"),
    "kiosk": _l("Kiosk"),
    "expires_at": _l("Valid until"),
    "key": _l("Locked key"),
    "strikes": _l("Times locked"),
    "active": _l("Active"),
    "must_change_password": _l("Must change the password"),
    "second_factor": _l("Second factor"),
    "name_zh": _l("Chinese name"),
    "name_en": _l("English name"),
    "sort_order": _l("Order"),
    "parent": _l("Under"),
    "closed": _l("Unit closed"),
    "district": _l("District the building is in"),
    "floor": _l("Floor"),
    "number": _l("Room number"),
    "numbers": _l("Rooms"),
    "department": _l("Usually handed to"),
    # a company's profile and moves
    "name": _l("Name"),
    "uscc": _l("Credit code"),
    "legal_representative": _l("Legal representative"),
    "registered_capital": _l("Registered capital (10,000 yuan)"),
    "founded_on": _l("Founded on"),
    "industry": _l("Industry"),
    "size_band": _l("Company size"),
    "employees": _l("Employees"),
    "contact_name": _l("Contact"),
    "contact_mobile": _l("Contact's mobile number"),
    "officer": _l("Liaison officer"),
    "move": _l("Move"),
    "source": _l("Moved by"),
}
# Actions whose details are pairs of before and after, shown as "old → new" (as for *.update).
OLD_NEW = {
    "staff.change",
    "staff.deactivate",
    "staff.reactivate",
    "staff.reset_password",
    "staff.change_password",
    "staff.second_factor_on",
    "staff.second_factor_reset",
    "unit.move",
    "unit.close",
    "unit.reopen",
    "room.deactivate",
    "room.reactivate",
    "category.deactivate",
    "category.reactivate",
    "company.move",
}
COMPANY_WORDS: dict[str, dict[str, Any]] = {
    "industry": INDUSTRIES,
    "size_band": SIZE_BANDS,
    "move": MOVE_KIND,
    "source": {"admin": _l("Staff, in the admin")},
}
EVENT_KINDS = {kind.value: words for kind, words in events.KINDS.items()}
MONEY = {"amount", "amount_granted", "amount_requested"}
UNIT_KINDS = {kind.value: words for kind, words in UNIT_KIND.items()}
UNIT_KEYS = {"parent", "department", "unit"}  # values that are a unit's code
TIMES = {"starts_at", "ends_at", "until", "expires_at"}


@dataclass(frozen=True)
class Line:
    """One detail of an entry: its label and its value, both in words."""

    label: str
    value: str


def action_words(code: str) -> str:
    """The action in words, or its code when no words are known (an action since retired)."""
    words = AUDIT_ACTION.get(code)
    return str(words) if words is not None else code


def target_kind(entry: AuditLog) -> str:
    """What kind of record the action was done to, in words: "Application"."""
    kind = AUDIT_TARGET.get(entry.target_type)
    return str(kind) if kind is not None else entry.target_type


def target_words(entry: AuditLog) -> str:
    """What the action was done to, in words: "Application DJ-20261124-0001"."""
    name = target_kind(entry)
    if entry.target_id in ("", "*"):
        return name
    return f"{name} {entry.target_id}"


def detail_lines(entry: AuditLog, zone: ZoneInfo) -> list[Line]:
    """The entry's details in words, in a stable order."""
    detail = entry.detail or {}
    change = entry.action.endswith(".update") or entry.action in OLD_NEW
    lines = []
    for key in sorted(detail):
        label = FIELD.get(key)
        value = detail[key]
        if value is None:
            continue  # nothing to say (a registration's issued code on another kind of task)
        if change and isinstance(value, list) and len(value) == 2:
            shown = " → ".join(_value(entry, key, part, zone) for part in value)
        else:
            shown = _value(entry, key, value, zone)
        lines.append(Line(str(label) if label is not None else key, shown))
    return lines


def _value(entry: AuditLog, key: str, value: Any, zone: ZoneInfo) -> str:
    """One value in words: no None, no brackets, codes named."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(gettext("Yes") if value else gettext("No"))
    if isinstance(value, list):
        if key == "steps":
            return "；".join(_step(entry, str(step)) for step in value) or "—"
        if key == "changed":
            return "；".join(str(LABELS.get(str(name), name)) for name in value) or "—"
        return "、".join(_value(entry, key, part, zone) for part in value) or "—"
    if isinstance(value, dict):
        return "；".join(
            f"{name}: {_value(entry, name, part, zone)}" for name, part in value.items()
        )
    text = str(value)
    if text == "" and key in ("building", "building_code"):
        return str(gettext("Every building"))  # staff or a record not limited to one building
    if text == "":
        return str(gettext("(empty)"))
    return _named(entry, key, text, zone)


def _named(entry: AuditLog, key: str, text: str, zone: ZoneInfo) -> str:
    if key in MONEY:
        try:
            return str(gettext("%(n)s yuan", n=f"{Decimal(text):,.2f}"))
        except InvalidOperation:
            return text
    if key in TIMES:
        try:
            local = datetime.fromisoformat(text).astimezone(zone)
            return str(format_datetime(local, "yyyy-MM-dd HH:mm"))
        except ValueError:
            return text
    words: Any = None
    if key == "role":
        words = ROLE.get(text)
    elif key == "task" and text in TASKS:
        words = TASKS[text].title
    elif key == "kind" and entry.action.startswith("unit."):
        words = UNIT_KINDS.get(text)
    elif key == "kind":
        words = (COMMAND if entry.action.startswith("fleet.") else EVENT_KINDS).get(text)
    elif key in UNIT_KEYS:
        words = _unit_name(text)
    elif key in COMPANY_WORDS:
        words = COMPANY_WORDS[key].get(text)
    elif key == "status" and text in set(AppealStatus):
        words = STATUS[AppealStatus(text)]
    return str(words) if words is not None else text


def _step(entry: AuditLog, slug: str) -> str:
    """A step's title: from the entry's task when it says which, else the first task with it."""
    task = TASKS.get(str((entry.detail or {}).get("task", "")))
    tasks = [task] if task is not None else list(TASKS.values())
    for candidate in tasks:
        for step in candidate.steps:
            if step.slug == slug:
                return str(step.title)
    return slug


def _unit_name(code: str) -> str | None:
    """A unit's name in the reader's language, from its code (None if no unit has it)."""
    unit = get_session().scalar(select(Unit).where(Unit.code == code))
    return unit.name(str(get_locale() or "zh_CN")) if unit is not None else None
