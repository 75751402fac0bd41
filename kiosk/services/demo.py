"""The demo data set (`kiosk demo`): a fictional Changsha office tower, its companies and appeals.

Everything here is made up: the building, the companies, their credit codes (valid in form,
generated from a seeded random source) and the people. The data is in kiosk/data (read by
demo_data); this module plays it through the services. Appeals go through the appeal service
so that timelines and the audit log are what real use would leave; afterwards their event
times are moved into the past so the ledger looks like a month of work.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.models import (
    Announcement,
    Appeal,
    AppealEvent,
    Building,
    InvoiceSlot,
    PrintJob,
    PrintStatus,
    Rating,
    Role,
    Room,
    Staff,
    Tenant,
)
from kiosk.services import appeals, demo_tree
from kiosk.services.appeals import AppealDraft
from kiosk.services.audit import Actor
from kiosk.services.demo_data import (
    ADMIN,
    ANNOUNCEMENTS,
    BUILDING,
    CASES,
    COMPANIES,
    FACTS,
    OUTSIDE,
    STAFF,
    SUPERVISOR,
    Case,
    Company,
    Step,
)
from kiosk.services.demo_events import add_demo_events
from kiosk.services.demo_policies import load_demo_policies
from kiosk.services.staff import create_staff
from kiosk.services.tenants import get_building
from kiosk.validators import USCC_ALPHABET, is_valid_uscc, uscc_check_char
from kiosk.workdays import is_workday

SEED = "lobby-kiosk-demo"  # with the building code: the same data set every time
PASSWORD_BYTES = 15  # token_urlsafe: 20 characters
MAX_DAYS_AGO = 30  # the oldest appeal in the data set

MOBILE_PREFIXES = ("138", "139", "136", "150", "186", "187")  # then 0000: plainly not real
TENANT_ACTIONS = ("rate", "tenant_reopen")


# ---- credit codes ----------------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check digit


def org_check_char(first8: str) -> str:
    """The 9th (check) character of a GB 11714 organisation code; letters count A=10 … Z=35."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, company: Company) -> str:
    """A well-formed, made-up unified social credit code for `company`."""
    if company.legacy:
        body = rng.choice("567") + "".join(rng.choices("0123456789", k=7))
    else:
        # Codes issued since 2015: MA for companies, MD for law firms, MJ for civil affairs.
        lead = {"31": "MD", "51": "MJ", "52": "MJ"}.get(company.prefix, "MA4L")
        body = lead + "".join(rng.choices(USCC_ALPHABET, k=8 - len(lead)))
    first17 = company.prefix + company.district + body + org_check_char(body)
    code = first17 + uscc_check_char(first17)
    assert is_valid_uscc(code) and set(code) <= set(USCC_ALPHABET), code
    return code


# ---- loading ---------------------------------------------------------------------------------


def load_demo(
    db: Session,
    settings: Settings,
    *,
    now: datetime | None = None,
    status_link: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Load the demo building, companies, staff and appeals, unless the building has companies.

    With `status_link` (token → the status page's URL) the appeals' slips are in the print
    history too, so the printers page has something to show. Returns {"already": True}, or the
    counts and the admin's one-time password.
    """
    now = now or utcnow()
    building = get_building(db, settings.building)
    if building is not None and db.scalar(
        select(func.count()).select_from(Tenant).where(Tenant.building_id == building.id)
    ):
        return {"already": True}
    rng = random.Random(f"{SEED}:{settings.building}")  # noqa: S311 - made-up data, not secrets
    since = now - timedelta(days=60)
    fresh_tree = not demo_tree.has_tree(db)
    if fresh_tree:
        other = random.Random(f"{SEED}:tree")  # noqa: S311 - its own, so the codes above stay
        demo_tree.build_tree(
            db, building or BUILDING, settings.building, lambda c: make_uscc(other, c), since
        )
    tenants = _load_companies(db, settings, building, rng, since)
    home = settings.building
    admin, password = _new_account(db, *ADMIN, Role.ADMIN, home)
    made = [demo_tree.Made(admin.username, Role.ADMIN, _unit_name(admin), password)]
    accounts = {}
    for name, display, role in STAFF:
        accounts[name], secret = _new_account(db, name, display, role, home)
        made.append(
            demo_tree.Made(accounts[name].username, role, _unit_name(accounts[name]), secret)
        )
    if fresh_tree:
        made += demo_tree.add_staff(db, lambda *row: _new_account(db, *row), tenants)
    clock = _Clock(settings, rng, now)
    plans = [clock.plan(case) for case in CASES]
    # Everything happens in time order across all appeals, so that appeal, event and audit ids,
    # and the reference numbers of a day, follow the clock as they would in real use.
    moments = sorted((at, c, s) for c, plan in enumerate(plans) for s, at in enumerate(plan))
    progress: dict[int, _Progress] = {}
    for at, c, s in moments:
        if s == 0:
            progress[c] = _submit(db, settings, CASES[c], c + 1, tenants, accounts, rng, at)
        else:
            _step(db, settings, progress[c], CASES[c].steps[s - 1], at)
    _announcements(db, settings, admin, now)
    _rooms_and_slots(db, settings, now)
    policies = load_demo_policies(db, now.astimezone(settings.zone).date())
    events = add_demo_events(db, settings, now)
    if status_link is not None:
        building = get_building(db, settings.building)
        name = building.name_zh if building else settings.station_name
        _print_history(
            db, settings, [p.appeal for p in progress.values()], name, status_link, accounts
        )
    return {
        "tenants": len(tenants),
        "tenant_rows": list(tenants.values()),
        "officer": accounts["liujianming"],
        "appeals": len(CASES),
        "policies": policies,
        "events": len(events),
        "username": admin.username,
        "password": password,
        "accounts": made,
    }


def _announcements(db: Session, settings: Settings, author: Staff, now: datetime) -> None:
    with transaction(db):
        for starts, ends, text_zh, text_en in ANNOUNCEMENTS:
            db.add(
                Announcement(
                    building_code=settings.building,
                    text_zh=text_zh,
                    text_en=text_en,
                    starts_at=now + timedelta(days=starts),
                    ends_at=now + timedelta(days=ends) if ends is not None else None,
                    active=True,
                    staff_id=author.id,
                )
            )


# Every floor with rooms a company can rent: shops on 1F, the station on 2F (no rooms), small
# offices on 3F, offices from 5F to the top (58F; the tower has no 4F). Each tenant's room is one.
DEMO_FLOORS = (1, 3, *range(5, 59))
ROOMS_PER_FLOOR = 12
SLOT_HOURS = (9, 10, 11, 14, 15, 16)  # the tax desk's invoice hours, an hour each
SLOT_CAPACITY = 4
SLOT_DAYS = 5  # working days ahead with slots
TAX_DESK = "二楼税务专窗"  # a place name, as signposted in the lobby


def _rooms_and_slots(db: Session, settings: Settings, now: datetime) -> None:
    """The building's rooms (registered addresses) and the tax desk's invoice slots."""
    with transaction(db):
        building = get_building(db, settings.building)
        assert building is not None
        db.add_all(
            Room(building_id=building.id, floor=floor, number=f"{floor}{number:02d}")
            for floor in DEMO_FLOORS
            for number in range(1, ROOMS_PER_FLOOR + 1)
        )
        day = now.astimezone(settings.zone).date()
        added = 0
        while added < SLOT_DAYS:
            day += timedelta(days=1)
            if not is_workday(day, settings.extra_holidays, settings.extra_workdays):
                continue
            for index, hour in enumerate(SLOT_HOURS):
                starts = datetime.combine(day, time(hour), tzinfo=settings.zone)
                full = added == 0 and index == 0  # one full slot, so the screen shows one
                db.add(
                    InvoiceSlot(
                        building_code=settings.building,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1),
                        capacity=SLOT_CAPACITY,
                        booked=SLOT_CAPACITY if full else 0,
                        desk=TAX_DESK,
                    )
                )
            added += 1


def _load_companies(
    db: Session, settings: Settings, building: Building | None, rng: random.Random, since: datetime
) -> dict[str, Tenant]:
    with transaction(db):
        if building is None:
            building = Building(code=settings.building, created_at=since, **BUILDING)
            db.add(building)
            db.flush()
        codes: set[str] = set()
        tenants: dict[str, Tenant] = {}
        for company in COMPANIES:
            code = make_uscc(rng, company)
            while code in codes:
                code = make_uscc(rng, company)
            codes.add(code)
            tenants[company.key] = Tenant(
                building_id=building.id,
                uscc=code,
                name=company.name,
                floor_room=company.floor_room,
                created_at=since,
            )
            industry, size, years, employees = FACTS.get(company.key, ("", "", None, None))
            tenant = tenants[company.key]
            tenant.industry, tenant.size_band, tenant.employees = industry, size, employees
            if years is not None:
                founded = since.date() - timedelta(days=365 * years + rng.randrange(30, 300))
                tenant.founded_on = founded
        db.add_all(tenants.values())
    return tenants


def _unit_name(staff: Staff) -> str:
    return staff.unit.name_zh if staff.unit is not None else ""


def _new_account(
    db: Session, username: str, display_name: str, role: Role, unit: str = ""
) -> tuple[Staff, str]:
    """Create a staff account in `unit` (its code; "" the city) with a fresh random password;
    never touch an existing account.

    If the name is taken (say `kiosk staff create admin` ran first), use admin-2 and so on.
    """
    taken = set(db.scalars(select(Staff.username).where(Staff.username.startswith(username))))
    candidates = [username] + [f"{username}-{n}" for n in range(2, 100)]
    free = next(name for name in candidates if name not in taken)
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    actor = Actor(None, "demo")
    return create_staff(db, free, display_name, password, role, actor, unit), password


class _Clock:
    """Plausible past times: staff act in office hours, tenants whenever, nothing after `now`."""

    OFFICE = ((time(9, 0), time(12, 0)), (time(14, 0), time(17, 30)))  # lunch 12:00-14:00

    def __init__(self, settings: Settings, rng: random.Random, now: datetime) -> None:
        self.settings, self.rng, self.now = settings, rng, now
        self.zone = settings.zone
        self._workdays: dict[date, bool] = {}

    def plan(self, case: Case) -> list[datetime]:
        """When the case was submitted, then when each of its steps happened; strictly rising.

        When a public holiday holds the staff steps up past now, the case starts a day or more
        earlier (up to MAX_DAYS_AGO); what still does not fit is squeezed in just before now.
        """
        for days_ago in range(case.days_ago, max(case.days_ago, MAX_DAYS_AGO) + 1):
            times = [self._submitted(days_ago)]
            for step in case.steps:
                at = times[-1] + timedelta(hours=step.hours, minutes=self.rng.randint(1, 25))
                times.append(at if step.action in TENANT_ACTIONS else self._office_hours(at))
            if times[-1] <= self.now - timedelta(minutes=10):
                break
        for index in range(1, len(times)):
            latest = self.now - timedelta(minutes=7 * (len(times) - index))
            times[index] = max(times[index - 1] + timedelta(minutes=1), min(times[index], latest))
        return times

    def _submitted(self, days_ago: int) -> datetime:
        """A time of day on the day `days_ago` days before now (a little before now for today)."""
        day = self.now.astimezone(self.zone).date() - timedelta(days=days_ago)
        minutes = self.rng.randint(8 * 60 + 30, 19 * 60 + 30)
        at = datetime.combine(day, time(minutes // 60, minutes % 60), self.zone)
        if at > self.now - timedelta(minutes=15):
            at = self.now - timedelta(minutes=self.rng.randint(15, 120))
        return at.replace(second=0, microsecond=0)

    def _office_hours(self, at: datetime) -> datetime:
        """`at`, or a little after the next office hours begin if it is outside them."""
        local = at.astimezone(self.zone)
        for _ in range(60):  # days; the longest public holiday is eight
            day = local.date()
            if self._is_workday(day):
                for start, end in self.OFFICE:
                    opens = datetime.combine(day, start, self.zone)
                    if local < opens:  # staff pick it up some time in the morning/afternoon
                        return opens + timedelta(minutes=self.rng.randint(0, 150))
                    if local <= datetime.combine(day, end, self.zone):
                        return local
            local = datetime.combine(day + timedelta(days=1), time(0, 0), self.zone)
        return at

    def _is_workday(self, day: date) -> bool:
        if day not in self._workdays:
            settings = self.settings
            self._workdays[day] = is_workday(day, settings.extra_holidays, settings.extra_workdays)
        return self._workdays[day]


@dataclass
class _Progress:
    """An appeal being played through: who acts on it and the newest event already dated."""

    appeal: Appeal
    supervisor: Actor
    handler: Actor
    last_event: int


def _submit(
    db: Session,
    settings: Settings,
    case: Case,
    number: int,
    tenants: dict[str, Tenant],
    accounts: dict[str, Staff],
    rng: random.Random,
    at: datetime,
) -> _Progress:
    """Submit the case's appeal at `at`, as the terminal would."""
    tenant = tenants.get(case.company)
    mobile = rng.choice(MOBILE_PREFIXES) + "0000" + f"{rng.randrange(10_000):04d}"
    draft = AppealDraft(
        submission_key=f"demo-appeal-{settings.building}-{number:03d}",
        tenant_id=tenant.id if tenant else None,
        company_name="" if tenant else OUTSIDE.name,
        company_uscc="" if tenant else make_uscc(rng, OUTSIDE),
        category=case.category,
        description=case.description,
        contact_name=case.contact,
        contact_mobile=mobile,
        locale=case.locale,
    )
    appeal = appeals.submit_appeal(db, settings, draft, now=at)
    supervisor = Actor(accounts[SUPERVISOR], "demo")
    handler = Actor(accounts[case.officer], "demo") if case.officer else supervisor
    last = db.scalar(select(func.max(AppealEvent.id)).where(AppealEvent.appeal_id == appeal.id))
    return _Progress(appeal, supervisor, handler, last or 0)


def _step(db: Session, settings: Settings, progress: _Progress, step: Step, at: datetime) -> None:
    """Do one step through the appeal service, then date what it wrote at `at`."""
    appeal, supervisor, handler = progress.appeal, progress.supervisor, progress.handler
    if step.action == "accept":
        appeals.accept(db, appeal.id, supervisor)
    elif step.action == "assign":
        assert handler.staff is not None
        appeals.assign(db, appeal.id, handler.staff.id, supervisor)
    elif step.action == "note":
        appeals.add_note(db, appeal.id, step.text, handler)
    elif step.action == "reply":
        appeals.reply(db, appeal.id, step.text, handler)
    elif step.action == "resolve":
        appeals.resolve(db, appeal.id, step.text, handler)
    elif step.action == "reopen":
        appeals.reopen(db, settings, appeal.id, step.text, supervisor)
    elif step.action == "rate":
        assert step.rating is not None
        appeals.rate(db, settings, appeal.token, step.rating.value, step.text)
    elif step.action == "tenant_reopen":
        appeals.tenant_reopen(db, settings, appeal.token, step.text)
    else:
        raise ValueError(f"unknown demo step {step.action!r}")
    progress.last_event = _backdate(db, settings, appeal, progress.last_event, step.action, at)


def _backdate(
    db: Session, settings: Settings, appeal: Appeal, after_id: int, action: str, at: datetime
) -> int:
    """Move the events a step just wrote (and the times it set) to `at`; the newest event id.

    The services stamp the real time; their audit entries keep it (they say when it was done).
    """
    with transaction(db):
        events = db.scalars(
            select(AppealEvent)
            .where(AppealEvent.appeal_id == appeal.id, AppealEvent.id > after_id)
            .order_by(AppealEvent.id)
        ).all()
        for event in events:
            event.created_at = at
        if action == "resolve":
            appeal.resolved_at = at
        elif action in ("reopen", "tenant_reopen"):
            appeal.due_date = appeals.due_date(settings, at.astimezone(settings.zone).date())
        elif action == "rate":
            appeal.rated_at = at
            if appeal.rating is Rating.DISSATISFIED:  # the follow-up is due from the rating
                appeal.due_date = appeals.due_date(settings, at.astimezone(settings.zone).date())
    return events[-1].id if events else after_id


def _print_history(
    db: Session,
    settings: Settings,
    submitted: list[Appeal],
    building_name: str,
    status_link: Callable[[str], str],
    accounts: dict[str, Staff],
) -> None:
    """Each appeal's slip as it went: most printed, the newest lost to paper out, one reprint."""
    from kiosk.services import printing, slips

    ordered = sorted(submitted, key=lambda a: a.created_at)
    with transaction(db):
        for appeal in ordered:
            document = slips.appeal_slip(appeal, settings, building_name, status_link(appeal.token))
            job = printing.enqueue(
                db,
                kiosk_id=settings.id,
                kind="appeal_slip",
                subject=appeal.reference,
                document=document,
            )
            job.created_at = job.next_attempt_at = appeal.created_at
            job.status, job.attempts, job.sent_at = (
                PrintStatus.SENT,
                1,
                appeal.created_at + timedelta(seconds=2),
            )
        newest = db.scalars(select(PrintJob).order_by(PrintJob.created_at.desc()).limit(1)).one()
        newest.status, newest.sent_at, newest.attempts = PrintStatus.EXPIRED, None, 3
        newest.last_error = "printer reported: paper out"
        reprinted = db.scalars(
            select(PrintJob).order_by(PrintJob.created_at).offset(3).limit(1)
        ).one()
        copy = printing.enqueue(
            db, kiosk_id=settings.id, kind="appeal_slip", subject=reprinted.subject,
            document=reprinted.document, reprint=True, staff_id=accounts[SUPERVISOR].id,
        )  # fmt: skip
        copy.status, copy.attempts, copy.sent_at = (
            PrintStatus.SENT,
            1,
            reprinted.created_at + timedelta(days=1),
        )
        copy.created_at = copy.next_attempt_at = reprinted.created_at + timedelta(days=1)
