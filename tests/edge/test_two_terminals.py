"""A central (`kiosk serve` with KIOSK_TERMINAL=false, on PostgreSQL) and two edge terminals
(`kiosk serve` with KIOSK_EDGE=true, each on its own SQLite, enrolled with a one-time code):
the central is stopped, 100 appeals (ten tapped through the touchscreen's pages, the rest
taken by the terminal's own services), 20 applications with a resident ID and 10 event sign-ups
are taken at the terminals and printed with their references; the central comes back and every
one arrives once, the same, its ID readable there; a terminal killed with kill -9 while handing
over loses nothing and doubles nothing; and no file of either terminal holds a database
credential, a private key or a resident ID in clear.
Needs PostgreSQL (KIOSK_TEST_DATABASE_URL); skipped with that message otherwise."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from kiosk import create_app
from kiosk.db import utcnow
from kiosk.edge.enrol import issue_code
from kiosk.edge.sealing import FleetVault, read_fleet_keys
from kiosk.models import (
    Appeal,
    AppealCategory,
    Application,
    Building,
    Event,
    EventSignup,
    EventType,
    Tenant,
)
from kiosk.validators import uscc_check_char
from printers import Receipt
from printers.document import Text
from tests.conftest import _reset_postgresql
from tests.fleet.test_three_kiosks import Station, _free_port, wait_for
from tests.support.escpos_decoder import decode
from tests.support.fake_printer import FakePrinter
from tests.support.pages import csrf_token

FAST = {
    "KIOSK_HEARTBEAT_SECONDS": "0.5", "KIOSK_STALE_SECONDS": "2", "KIOSK_OFFLINE_SECONDS": "4",
    "KIOSK_COMMAND_POLL_SECONDS": "0.2", "KIOSK_EDGE_SYNC_SECONDS": "1",
    "KIOSK_PRINTER_TIMEOUT": "2",
}  # fmt: skip


def _id_with_check(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


TAPPED = 5  # appeals each terminal takes through its screen's pages, over HTTP
IDS = [_id_with_check(f"43010219850101{n:03d}") for n in range(20)]


def _with_index(folder: Path, seed: Callable[[Path], None]) -> Path:
    seed(folder)  # the pinyin index, built once per run (tests/conftest.py)
    return folder


@pytest.fixture
def pg(pg_schema_url: str) -> Iterator[Engine]:
    _reset_postgresql(pg_schema_url)
    engine = create_engine(make_url(pg_schema_url).set(drivername="postgresql+psycopg"))
    yield engine
    engine.dispose()


def _env(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return {**base, **FAST, **values}


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """A `kiosk` command started (the two terminals enrol at once)."""
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", *args], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _finish(process: subprocess.Popen[str]) -> str:
    """What the command printed, once it has succeeded."""
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0, out
    return out


def _seed(pg: Engine) -> tuple[list[int], int]:
    """The building, five companies and an event of ten places, on the central."""
    with Session(pg) as db:
        if db.scalar(select(func.count()).select_from(AppealCategory)) == 0:
            db.add(AppealCategory(code="policy", name_zh="政策兑现", name_en="Policies"))
        building = Building(code="tower-1", name_zh="芙蓉国际金融中心", name_en="Furong IFC")
        db.add(building)
        db.flush()
        tenants = []
        for n in range(5):
            first17 = f"91430102MA4L{n:05d}"
            tenants.append(
                Tenant(building_id=building.id, uscc=first17 + uscc_check_char(first17),
                       name=f"长沙测试科技有限公司{n}", floor_room=f"1{n}F")
            )  # fmt: skip
        db.add_all(tenants)
        event = Event(
            building_code="tower-1", title="营商课堂：出口退税", kind=EventType.CLASS,
            starts_at=utcnow() + timedelta(days=3), ends_at=utcnow() + timedelta(days=3, hours=2),
            place="3楼会议室", capacity=8,
        )  # fmt: skip
        db.add(event)
        db.commit()
        return [t.id for t in tenants], event.id


class Screen:
    """A person at a terminal's touchscreen, over HTTP (its own cookie jar)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.url + path, timeout=10) as response:
            return str(response.read().decode())

    def post(self, path: str, html: str, **fields: str) -> str:
        data = urllib.parse.urlencode({"csrf_token": csrf_token(html), **fields}).encode()
        with self.opener.open(self.url + path, data=data, timeout=10) as response:
            return str(response.read().decode())

    def appeal(self, tenant: int, n: int) -> str:
        """One appeal, tap by tap; its reference from the confirmation page."""
        self.get("/")
        page = self.post("/appeal/company", self.get("/appeal/company"), tenant=str(tenant))
        page = self.post("/appeal/category", page, category="policy")
        page = self.post("/appeal/description", page, description=f"第{n}号诉求：停车难。")
        page = self.post("/appeal/contact", page, contact_name="张三", contact_mobile="13812345678")
        key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page)
        assert key, page[-1500:]
        done = self.post("/appeal/check", page, submission_key=key.group(1))
        reference = re.search(r"data-reference>([^<]+)<", done)
        assert reference, done[-1500:]
        return reference.group(1).strip()


def _terminal_app(station: Station) -> Any:
    """The terminal's own code on its own database, for what the test takes without a screen."""
    app = create_app(
        {"print_worker": False, "fleet_agent": False, "edge": True},
        instance_path=station.env["KIOSK_INSTANCE_PATH"],
    )
    return app


def _slip(record: Any, *_: Any) -> dict[str, Any]:
    return Receipt((Text(record.reference),)).to_dict()


def _taken_by_services(
    station: Station, tenants: list[int], event_id: int, half: int, appeals: int
) -> dict[str, str]:
    """`appeals` appeals, ten applications (each with a resident ID) and five sign-ups, taken
    by the terminal's own services in its own database, each slip queued for its printer (as
    the screens' pages would: tapping them all over HTTP costs seconds and tests nothing more);
    reference → resident ID."""
    from kiosk.services import applications, events
    from kiosk.services.appeals import AppealDraft, submit_appeal
    from kiosk.tasks.applying import seal_resident_id

    app = _terminal_app(station)
    settings, taken = app.config["KIOSK"], {}
    try:
        with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:
            for n in range(appeals):
                appeal = submit_appeal(
                    db, settings,
                    AppealDraft(
                        submission_key=uuid.uuid4().hex, tenant_id=tenants[n % 5],
                        company_name="", company_uscc="", category="policy",
                        description=f"第{half}{n}号诉求：停车难。", contact_name="张三",
                        contact_mobile="13812345678", locale="zh_CN",
                    ),
                    slip=_slip,
                )  # fmt: skip
                taken[appeal.reference] = ""
            for n in range(10):
                resident_id = IDS[half * 10 + n]
                answers: dict[str, Any] = {"proposed_name": f"长沙新办科技有限公司{half}{n}"}
                seal_resident_id(answers, "rep_id", resident_id)
                draft = applications.Draft(
                    task="register", reference_prefix="DJ", submission_key=uuid.uuid4().hex,
                    answers=answers, company_name=answers["proposed_name"], company_uscc="",
                    tenant_id=None, locale="zh_CN",
                )  # fmt: skip
                made = applications.submit(db, settings, draft, slip=_slip)
                taken[made.reference] = resident_id
            for n in range(5):
                signup = events.sign_up(
                    db, settings,
                    events.SignupDraft(
                        submission_key=uuid.uuid4().hex, event_id=event_id,
                        tenant_id=tenants[n], company_name="", contact_name="李四",
                        mobile=f"1390000{half}{n:03d}", locale="zh_CN",
                    ),
                    slip=_slip,
                )  # fmt: skip
                taken[signup.reference] = ""
    finally:
        app.extensions["kiosk.engine"].dispose()
    return taken


def _outbox(station: Station) -> int:
    path = Path(station.env["KIOSK_INSTANCE_PATH"]) / "kiosk.db"
    with sqlite3.connect(path, timeout=5) as con:
        (count,) = con.execute("SELECT count(*) FROM edge_outbox WHERE acked_at IS NULL").fetchone()
    return int(count)


def _synced(station: Station) -> bool:
    path = Path(station.env["KIOSK_INSTANCE_PATH"]) / "kiosk.db"
    try:
        with sqlite3.connect(path, timeout=5) as con:
            (count,) = con.execute("SELECT count(*) FROM edge_sync WHERE rows > 0").fetchone()
            (tenants,) = con.execute("SELECT count(*) FROM tenant").fetchone()
    except sqlite3.OperationalError:
        return False
    return bool(count >= 3 and tenants == 5)


def _counts(pg: Engine) -> tuple[int, int, int]:
    with Session(pg) as db:
        return tuple(  # type: ignore[return-value]
            db.scalar(select(func.count()).select_from(m)) or 0
            for m in (Appeal, Application, EventSignup)
        )


def test_two_terminals_keep_taking_submissions_while_the_central_is_away(
    pg: Engine,
    pg_schema_url: str,
    tmp_path: Path,
    keyboard_index: Callable[[Path], None],
    sqlite_template: Path,
) -> None:
    tenants, event_id = _seed(pg)
    port = _free_port()
    central_url = f"http://127.0.0.1:{port}"
    central_dir = _with_index(tmp_path / "central", keyboard_index)
    central = Station(
        "central", central_url, None,  # type: ignore[arg-type]
        [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(port)],
        _env(KIOSK_INSTANCE_PATH=str(central_dir), KIOSK_DATABASE_URL=pg_schema_url,
             KIOSK_TERMINAL="false", KIOSK_PRINT_WORKER="false", KIOSK_ID="central-1",
             KIOSK_BUILDING="tower-1", KIOSK_PUBLIC_URL="https://kiosk.example.gov.cn"),
        tmp_path / "central.log",
    )  # fmt: skip
    with ExitStack() as stack:
        stack.callback(central.stop)
        central.start()
        central.wait_healthy()
        terminals: list[Station] = []
        enrolling = []
        for letter in "ab":
            printer = stack.enter_context(FakePrinter())
            folder = _with_index(tmp_path / f"lobby-{letter}", keyboard_index)
            shutil.copyfile(sqlite_template, folder / "kiosk.db")  # migrated once per run
            with Session(pg) as db:
                code = issue_code(
                    db, f"lobby-{letter}", "tower-1", f"A座大堂 {letter}", "test"
                ).code
            env = _env(KIOSK_INSTANCE_PATH=str(folder), KIOSK_EDGE="true",
                       KIOSK_RECEIPT_PRINTER=printer.url)  # fmt: skip
            enrolling.append((printer, env, _start(env, "enrol", central_url, code)))
        for letter, (printer, env, enrolment) in zip("ab", enrolling, strict=True):
            assert "enrolled as" in _finish(enrolment)
            port = _free_port()
            station = Station(
                f"lobby-{letter}", f"http://127.0.0.1:{port}", printer,
                [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(port)], env,
                tmp_path / f"lobby-{letter}.log",
            )  # fmt: skip
            stack.callback(station.stop)
            station.start()
            terminals.append(station)
        for station in terminals:
            station.wait_healthy()
            wait_for(lambda s=station: _synced(s), 30, f"{station.kiosk_id} to copy data down")

        # The link goes: the central stops. Each terminal takes 5 appeals at its screen, both
        # at once, then 45 more, 10 applications and 5 sign-ups through its own services.
        central.stop()
        taken: dict[str, dict[str, str]] = {t.kiosk_id: {} for t in terminals}
        errors: list[BaseException] = []

        def tap(station: Station) -> None:
            try:
                screen = Screen(station.url)
                for n in range(TAPPED):
                    taken[station.kiosk_id][screen.appeal(tenants[n % 5], n)] = ""
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=tap, args=(t,)) for t in terminals]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        for half, station in enumerate(terminals):
            taken[station.kiosk_id].update(
                _taken_by_services(station, tenants, event_id, half, 50 - TAPPED)
            )
        everything = {ref: rid for refs in taken.values() for ref, rid in refs.items()}
        assert len(everything) == 130  # unique across the fleet, no central asked
        for station in terminals:
            slips = station.printer.wait_for_jobs(65, timeout=60)
            printed = {line.strip() for job in slips for line in decode(job).text.splitlines()}
            missing = [r for r in taken[station.kiosk_id] if not any(r in p for p in printed)]
            assert not missing, f"{station.kiosk_id}: not printed {missing[:5]}"
            assert _outbox(station) == 65
        assert _counts(pg) == (0, 0, 0)

        # The central comes back; one terminal is killed while it hands over, and restarted.
        central.start()
        central.wait_healthy()
        victim = terminals[0]
        deadline = time.monotonic() + 30
        while _outbox(victim) == 65 and time.monotonic() < deadline:
            time.sleep(0.01)
        victim.kill()  # as soon as the first of its submissions is handed over
        assert 0 < _outbox(victim) < 65, "the kill came before or after the handing over"
        victim.start()
        victim.wait_healthy()
        for station in terminals:
            wait_for(lambda s=station: _outbox(s) == 0, 60, f"{station.kiosk_id}'s outbox to empty")

        # Every submission arrived once, with the same reference, content and sealed ID.
        assert _counts(pg) == (100, 20, 10)
        keys = read_fleet_keys(central_dir)
        assert keys is not None
        vault = FleetVault(keys)
        with Session(pg) as db:
            stored = {a.reference: a for a in db.scalars(select(Appeal))}
            assert set(stored) == {r for r in everything if r.startswith("SQ-")}
            assert {a.kiosk_id for a in stored.values()} == {"lobby-a", "lobby-b"}
            assert all(a.description.startswith("第") for a in stored.values())
            for application in db.scalars(select(Application)):
                sealed = application.answers["rep_id"]
                assert sealed.startswith("v2:")
                assert vault.open(sealed) == everything[application.reference]
                assert application.answers["rep_id_masked"].endswith(
                    everything[application.reference][-4:]
                )
            signups = list(db.scalars(select(EventSignup)))
            assert sorted(s.status.value for s in signups).count("confirmed") == 8
            assert db.get(Event, event_id).confirmed == 8  # type: ignore[union-attr]
        # An appeal's link made at a terminal opens the appeal at the central.
        reference = next(iter(stored))
        with urllib.request.urlopen(f"{central_url}/status/{stored[reference].token}") as page:
            assert reference in page.read().decode()

        # What a stolen terminal holds: no database URL, no private key, no ID in clear.
        central.stop()
        key_lines = (central_dir / "fleet.keys").read_bytes().splitlines()
        secrets_ = [
            make_url(pg_schema_url).render_as_string(hide_password=False).encode(),
            b"postgresql://",
            *(bytes(k).hex().encode() for k in keys),
            *(line.strip() for line in key_lines),
        ]
        for station in terminals:
            station.stop()
            for path in Path(station.env["KIOSK_INSTANCE_PATH"]).rglob("*"):
                if not path.is_file():
                    continue
                data = path.read_bytes()
                for secret in secrets_:
                    assert secret not in data, f"{path} holds a secret"
                for resident_id in IDS:
                    for form in (resident_id.encode(), resident_id.encode("utf-16-le")):
                        assert form not in data, f"{path} holds a resident ID in clear"
