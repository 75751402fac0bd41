"""Edge terminals: how long a backlog takes to hand over, and the tap-to-record time with the
link up and down.

A central (`create_app` served by waitress on loopback, SQLite or `--postgresql URL`) and an
enrolled terminal (its own SQLite) in one process, talking over real HTTP. The terminal takes
`--backlog` appeals with the central stopped, then hands them over with its agent's `drain`
(batches of 50, one transaction each at both ends). Taking an appeal is timed with the link up
and down: the same code runs either way (the outbox row is written in the appeal's own
transaction; nothing waits for the central).

    .venv/bin/python bench/edge.py [--backlog 1000] [--postgresql URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from waitress import create_server

from kiosk import create_app
from kiosk.db import upgrade
from kiosk.edge import identity as enrolment
from kiosk.edge.agent import EdgeAgent
from kiosk.edge.client import Central
from kiosk.edge.enrol import issue_code
from kiosk.edge.outbox import depth
from kiosk.models import Building
from kiosk.services.appeals import AppealDraft, submit_appeal
from kiosk.services.fleet.executors import EXECUTORS
from printers import Receipt, Text

SECRET = "bench-secret-key-" + "x" * 32


def _take(terminal: object, n: int) -> float:
    """Take one appeal with its slip at the terminal; milliseconds."""
    app = terminal  # a Flask app
    draft = AppealDraft(
        submission_key=uuid.uuid4().hex, tenant_id=None, company_name="长沙某某贸易有限公司",
        company_uscc="", category="policy", description=f"第{n}号：停车难。",
        contact_name="张三", contact_mobile="13812345678", locale="zh_CN",
    )  # fmt: skip
    started = time.perf_counter()
    with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:  # type: ignore[attr-defined]
        submit_appeal(
            db, app.config["KIOSK"], draft,  # type: ignore[attr-defined]
            slip=lambda a: Receipt((Text(a.reference),)).to_dict(),
        )  # fmt: skip
    return (time.perf_counter() - started) * 1000


def main() -> None:
    """Run the bench and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=1000)
    parser.add_argument("--postgresql", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kiosk-edge-bench-"))
    url = args.postgresql or f"sqlite:///{folder / 'central.db'}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    if args.postgresql:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    central = create_app(
        {"secret_key": SECRET, "database_url": url, "terminal": False, "print_worker": False},
        instance_path=folder / "central",
    )
    with central.extensions["kiosk.sessionmaker"]() as db:
        db.add(Building(code="tower-1", name_zh="芙蓉国际金融中心", name_en="Furong IFC"))
        db.commit()
        code = issue_code(db, "lobby-1", "tower-1", "大堂 1 号机", "bench").code
    server = create_server(central, host="127.0.0.1", port=0, threads=4)
    base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    threading.Thread(target=server.run, daemon=True).start()

    body = Central(base, "").call("POST", "/api/v1/edge/enrol", {"code": code}, authorised=False)
    enrolment.save(
        folder / "terminal",
        enrolment.Identity(
            central_url=base, kiosk_id=body.body["kiosk_id"], building=body.body["building"],
            name=body.body["name"], short_code=body.body["short_code"], token=body.body["token"],
            link_key=body.body["link_key"], public_keys=tuple(body.body["public_keys"]),
        ),
    )  # fmt: skip
    terminal_db = f"sqlite:///{folder / 'terminal.db'}"
    upgrade(create_engine(terminal_db))
    terminal = create_app(
        {"secret_key": SECRET, "database_url": terminal_db, "edge": True, "print_worker": False},
        instance_path=folder / "terminal",
    )
    agent = EdgeAgent(terminal, EXECUTORS)
    agent.sync()
    agent.drain()

    for n in range(50):  # warm up: templates, statements, the first pages of the database
        _take(terminal, n)
    # Up and down taken in turns, so neither gets the warmer half of the run.
    real, dead = agent.central, Central("http://127.0.0.1:9", "")  # nothing listens on 9
    up: list[float] = []
    down: list[float] = []
    for n in range(400):
        agent.central = real if n % 2 else dead
        agent.tick()  # marks the link up or down, as the terminal's own rounds do
        (up if n % 2 else down).append(_take(terminal, n))
    agent.central = dead
    agent.tick()
    backlog = [_take(terminal, n) for n in range(args.backlog)]
    agent.central = real
    with terminal.extensions["kiosk.sessionmaker"]() as db:
        waiting = depth(db)
    started = time.perf_counter()
    handed = agent.drain()
    seconds = time.perf_counter() - started
    server.close()

    def summary(values: list[float]) -> str:
        values = sorted(values)
        p95 = values[int(len(values) * 0.95)]
        return f"median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms"

    backend = "PostgreSQL" if args.postgresql else "SQLite"
    print(f"central on {backend}, over HTTP on loopback")
    print(f"taking an appeal with its slip, link up:   {summary(up)}")
    print(f"taking an appeal with its slip, link down: {summary(down + backlog)}")
    print(
        f"a backlog of {waiting} handed over in {seconds:.2f} s ({handed / seconds:.0f} a second)"
    )


if __name__ == "__main__":
    main()
