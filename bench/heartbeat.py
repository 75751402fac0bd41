"""Can one PostgreSQL take the heartbeats of a city's fleet? Prints figures; asserts nothing.

    .venv/bin/python bench/heartbeat.py [--kiosks 10000] [--interval 30] [--threads 32]
        [--postgresql postgresql://postgres@127.0.0.1:5432/test] [--no-http]
        [--servers 1,2] [--server-threads 8]

Simulates `--kiosks` kiosks each reporting once every `--interval` seconds (10,000 every 30 s
is about 333 a second), open loop: every heartbeat has its own start time on a fixed schedule,
and its latency is counted from that time, so a slow database shows as queueing rather than
as fewer requests (no coordinated omission). Each heartbeat is `kiosks.heartbeat`, exactly
what a kiosk's fleet agent writes, in a scratch schema dropped afterwards.

Rounds, one after another in this process:

- first: every kiosk's first heartbeat (an insert each);
- steady: the next round (each an update of its row, the state every 30 s from then on);
- baseline: the same schedule with the least a heartbeat could be, one UPDATE of
  `last_seen_at`, for the ratio;
- judging: one `sweep` over the fleet with 1 % of kiosks gone silent;
- http: the same schedule through `kiosk serve` (waitress, in subprocesses: one, then two,
  the kiosks spread over them), each kiosk POSTing `/api/v1/kiosks/<id>/heartbeat` with a
  token of its own over a kept-alive connection: what the web servers take when kiosks
  report over HTTP instead of holding database connections of their own.

Figures: median, p99 and max latency in milliseconds, errors, achieved rate, and CPU of this
process, of the kiosk servers (HTTP rounds) and of the PostgreSQL server processes, as a share
of one core over the round.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from kiosk.db import upgrade, utcnow
from kiosk.models import Kiosk, Scope
from kiosk.services import tokens
from kiosk.services.fleet import kiosks

TICKS = os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time used so far by every PostgreSQL process on this machine (needs /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if "postgres" not in fields[0]:
                continue
            parts = fields[1].split()
            total += int(parts[11]) + int(parts[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / TICKS


def process_cpu_seconds(pid: int) -> float:
    """CPU time used so far by process `pid` (needs /proc)."""
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / TICKS


def beat_for(number: int) -> kiosks.Beat:
    """A plausible report from simulated kiosk `number`."""
    return kiosks.Beat(
        kiosk_id=f"k{number:05d}", building_code=f"tower-{number // 4:04d}",
        name=f"{number // 4}号楼 {number % 4 + 1}号机", version="0.1.0",
        uptime_seconds=3600 + number, last_page="/policies/<int:policy_id>",
        last_page_at=utcnow(), screen_seen_at=utcnow(),
        printers={"receipt": "ready", "licence": "ready"}, queue_depth=number % 3,
        free_disk_bytes=20_000_000_000, closed_hours="23:00-06:00",
    )  # fmt: skip


def run_round(
    label: str,
    factory: sessionmaker[Session],
    work: Callable[[Session, int], None],
    args: argparse.Namespace,
    server_pids: list[int] | None = None,
) -> None:
    """Send every kiosk's heartbeat once on the open-loop schedule; print the figures."""
    rate = args.kiosks / args.interval
    slots: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    for number in range(args.kiosks):
        slots.put(number)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic() + 0.2

    def worker() -> None:
        with factory() as db:
            while (number := slots.get()) is not None:
                due = start + number / rate
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    work(db, number)
                    ok = True
                except Exception as exc:  # counted, never fatal: the figure is the error rate
                    db.rollback()
                    ok = False
                    with lock:
                        errors.append(type(exc).__name__)
                took = time.monotonic() - due
                if ok:
                    with lock:
                        latencies.append(took)

    cpu_before, pg_before, wall_before = (
        time.process_time(),
        postgres_cpu_seconds(),
        time.monotonic(),
    )
    servers = server_pids or []
    server_before = sum(process_cpu_seconds(pid) for pid in servers)
    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for thread in threads:
        slots.put(None)
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - wall_before
    cpu = (time.process_time() - cpu_before) / wall * 100
    pg = (postgres_cpu_seconds() - pg_before) / wall * 100
    server_cpu = sum(process_cpu_seconds(pid) for pid in servers) - server_before
    server = f", servers {server_cpu / wall * 100:4.0f} %" if servers else ""
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[int(len(ms) * 0.99) - 1] if ms else float("nan")
    print(
        f"{label:<10} {len(ms):>6} ok {len(errors):>4} errors  {len(ms) / wall:6.1f}/s   "
        f"median {statistics.median(ms):6.1f} ms  p99 {p99:6.1f} ms  max {ms[-1]:7.1f} ms   "
        f"CPU: bench {cpu:4.0f} %{server}, PostgreSQL {pg:4.0f} % of a core"
    )
    if errors:
        print(f"           errors: {sorted(set(errors))}")


def bench(engine: Engine, args: argparse.Namespace) -> None:
    factory = sessionmaker(engine, expire_on_commit=False)
    print(
        f"{args.kiosks} kiosks every {args.interval:g} s = {args.kiosks / args.interval:.0f}/s, "
        f"{args.threads} threads, {os.cpu_count()} cores"
    )

    def heartbeat(db: Session, number: int) -> None:
        kiosks.heartbeat(db, beat_for(number))

    def baseline(db: Session, number: int) -> None:
        db.execute(update(Kiosk).where(Kiosk.id == f"k{number:05d}").values(last_seen_at=utcnow()))
        db.commit()

    run_round("first", factory, heartbeat, args)
    run_round("steady", factory, heartbeat, args)
    run_round("baseline", factory, baseline, args)
    with factory() as db:
        silent = utcnow() - timedelta(seconds=600)
        db.execute(
            update(Kiosk).where(Kiosk.id.like("k%00")).values(last_seen_at=silent)
        )  # every hundredth kiosk
        db.commit()
        began = time.monotonic()
        changed = kiosks.sweep(db, kiosks.Limits(90, 180))
        took = (time.monotonic() - began) * 1000
    print(
        f"judging   one sweep of {args.kiosks} kiosks: {took:.0f} ms, {len(changed)} went offline"
    )
    if args.http:
        http_round(engine, factory, args)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_round(engine: Engine, factory: sessionmaker[Session], args: argparse.Namespace) -> None:
    """The heartbeats again, over HTTP to `kiosk serve`, each kiosk with its own token: once
    for each number of server processes in `--servers`, the kiosks spread over them."""
    with factory() as db:
        secrets = [
            tokens.create(db, f"k{n:05d}", Scope.OPERATE, kiosk_id=f"k{n:05d}").token
            for n in range(args.kiosks)
        ]
    for count in args.servers:
        with tempfile.TemporaryDirectory() as instance:
            servers = [_start_server(engine, instance, args) for _ in range(count)]
            try:
                for port, server in servers:
                    _wait_healthy(f"http://127.0.0.1:{port}/healthz", server)
                print(
                    f"http      {count} `kiosk serve` process(es), "
                    f"{args.server_threads} threads each:"
                )
                post = _poster([port for port, _ in servers], secrets)
                pids = [server.pid for _, server in servers]
                run_round(f"http x{count}", factory, post, args, server_pids=pids)
            finally:
                for _, server in servers:
                    server.terminate()
                    server.wait(timeout=30)


def _start_server(
    engine: Engine, instance: str, args: argparse.Namespace
) -> tuple[int, subprocess.Popen[bytes]]:
    """`kiosk serve` on a free port, on the bench's schema, with no agent and no printing."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")},
        "KIOSK_INSTANCE_PATH": instance,
        "KIOSK_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "KIOSK_FLEET_AGENT": "false",
        "KIOSK_PRINT_WORKER": "false",
        "KIOSK_DB_POOL_SIZE": str(args.server_threads),
    }
    command = [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(port),
               "--threads", str(args.server_threads)]  # fmt: skip
    return port, subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _poster(ports: list[int], secrets: list[str]) -> Callable[[Session, int], None]:
    """What kiosk `number` sends: its heartbeat, to server `number % len(ports)`, kept alive."""
    local = threading.local()

    def post(_db: Session, number: int) -> None:
        if not hasattr(local, "connections"):
            local.connections = {
                port: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports
            }
        body = json.dumps({
            "building": f"tower-{number // 4:04d}", "version": "0.1.0",
            "uptime_seconds": 3600 + number, "last_page": "/policies",
            "queue_depth": number % 3, "free_disk_bytes": 20_000_000_000,
            "printers": {"receipt": "ready", "licence": "ready"},
        })  # fmt: skip
        connection = local.connections[ports[number % len(ports)]]
        connection.request(
            "POST", f"/api/v1/kiosks/k{number:05d}/heartbeat", body,
            {"Authorization": f"Bearer {secrets[number]}", "Content-Type": "application/json"},
        )  # fmt: skip
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")

    return post


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"kiosk serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("kiosk serve did not become healthy")


def main() -> None:
    logging.getLogger("kiosk.fleet").setLevel(logging.ERROR)  # 1 % going offline: 100 lines
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--postgresql", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--no-http", dest="http", action="store_false", help="skip the round over HTTP"
    )
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument(
        "--servers", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2],
        help="server processes for the HTTP rounds, e.g. 1,2",
    )  # fmt: skip
    args = parser.parse_args()
    url = make_url(args.postgresql).set(drivername="postgresql+psycopg")
    schema = "bench_heartbeat"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(
        url.update_query_dict({"options": f"-csearch_path={schema}"}),
        pool_size=args.threads, max_overflow=0,
    )  # fmt: skip
    try:
        upgrade(engine)
        bench(engine, args)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
