"""How many pages a second does `kiosk serve` answer, against a bare Flask app? Prints figures;
asserts nothing.

    .venv/bin/python bench/pages.py [--seconds 5] [--rounds 3] [--connections 8]
        [--taps 60] [--postgresql postgresql://postgres@127.0.0.1:5432/test] [--processes 2]

1. Throughput: `kiosk serve` with the demo data (a temporary SQLite file; with --postgresql, a
   scratch database that is dropped afterwards) and a bare Flask app serving a small Chinese HTML
   page, both under waitress with the same settings (`kiosk serve`'s default thread count or
   --threads, the same body limit, ident and proxy-header handling). Rounds alternate between the
   two servers page by page, so a machine busy with other work slows both alike: compare the
   ratio, not the absolute figures. The load comes from `wrk -t2 -c<connections>` when it is
   installed (`apt-get install wrk`), else from a Python load generator (keep-alive connections
   on threads), which is slower than wrk and may itself be the limit for the bare app.
2. Taps from a fresh start: a new `kiosk serve` is started and, as soon as it accepts
   connections, one tenant taps through the terminal's pages (one connection, one request at a
   time, a short pause between taps): the first tap, p50 and p99 in milliseconds.
3. With --postgresql and --processes 2: the status page's req/s with two `kiosk serve`
   processes behind one port each, loaded together, against one process.

Figures per page: req/s, p50 and p99 (ms), and kiosk ÷ bare for req/s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from kiosk.config import Settings

ROOT = Path(__file__).resolve().parent.parent
LOCAL = "http://127.0.0.1"
TAP_PAUSE = 0.05  # seconds between taps, a quick finger
TAPS = ("/", "/appeal/", "/", "/policies", "/", "/events", "/", "/welcome")
BARE_APP = """
import sys
from flask import Flask
from waitress import serve
app = Flask("bare")
PAGE = (
    "<!doctype html><html lang=zh-Hans><head><meta charset=utf-8><title>楼宇政务服务驿站</title>"
    "</head><body><h1>诉求办理进度</h1><p>您的诉求已受理，预计 2026-12-01 前答复。</p>"
    "<ol><li>已提交</li><li>已受理</li><li>办理中</li></ol></body></html>"
)
@app.get("/<path:anything>")
@app.get("/")
def page(anything: str = "") -> str:
    return PAGE
serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]),
      max_request_body_size=int(sys.argv[3]), ident="lobby-kiosk",
      clear_untrusted_proxy_headers=True)
"""


@dataclass
class Figures:
    """One load run: requests a second, median and 99th percentile latency in ms."""

    rps: float
    p50: float
    p99: float
    errors: int = 0
    requests: int = 0
    cpu_ms: float = float("nan")  # the server's CPU time per request (user + system)


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(port: int, timeout: float = 120.0) -> None:
    """Return once something accepts connections on `port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"nothing listens on port {port} after {timeout:.0f} s")


def kiosk_env(instance: Path, database_url: str) -> dict[str, str]:
    """The environment of a kiosk command on this instance and database."""
    env = dict(os.environ)
    env.update(
        KIOSK_INSTANCE_PATH=str(instance),
        KIOSK_DATABASE_URL=database_url,
        KIOSK_PRINT_WORKER="false",
        KIOSK_FLEET_AGENT="false",
        KIOSK_PUBLIC_URL="https://kiosk.example.gov.cn",
    )
    return env


def kiosk(*args: str) -> list[str]:
    """The command line of `kiosk ARGS…` with this interpreter."""
    return [sys.executable, "-c", "from kiosk.cli import main; main()", *args]


@contextmanager
def running(
    command: list[str], port: int, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server until the block ends; it is ready when the block starts."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        wait_for(port)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(url: str, seconds: float, connections: int) -> Figures:
    """Load `url` with wrk and read its summary."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if match is None:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Figures(
        rps=float(rps.group(1)) if rps else 0.0,
        p50=ms("50"),
        p99=ms("99"),
        errors=int(errors.group(1)) if errors else 0,
        requests=int(done.group(1)) if done else 0,
    )


def python_load(url: str, seconds: float, connections: int) -> Figures:
    """Load `url` from `connections` threads, each with one keep-alive connection."""
    parsed = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    assert parsed is not None
    host, port, path = parsed.group(1), int(parsed.group(2)), parsed.group(3)
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status >= 400:
                errors[0] += 1
        connection.close()
        latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begun
    latencies.sort()
    return Figures(
        rps=len(latencies) / elapsed,
        p50=statistics.median(latencies),
        p99=latencies[int(len(latencies) * 0.99) - 1],
        errors=errors[0],
        requests=len(latencies),
    )


def load(url: str, seconds: float, connections: int) -> Figures:
    """wrk when installed, else the Python load generator."""
    if shutil.which("wrk"):
        return wrk(url, seconds, connections)
    return python_load(url, seconds, connections)


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (Linux's /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(pid: int, url: str, seconds: float, connections: int) -> Figures:
    """`load`, with the CPU the server spent per request: unlike req/s, it hardly depends on
    what else the machine is doing, so it compares two servers even on a busy machine."""
    before = cpu_seconds(pid)
    figures = load(url, seconds, connections)
    spent = cpu_seconds(pid) - before
    if figures.requests:
        figures.cpu_ms = spent * 1000 / figures.requests
    return figures


def prepare(database_url: str, instance: Path) -> str:
    """Create the schema and load the demo; return a status page's token."""
    env = kiosk_env(instance, database_url)
    for args in (("db", "upgrade"), ("demo",)):
        subprocess.run(kiosk(*args), env=env, check=True, capture_output=True, cwd=ROOT)
    from kiosk.models import Appeal, AppealStatus

    engine = create_engine(make_url(database_url))
    with engine.connect() as connection:
        token = connection.scalar(
            # the first closed appeal: the same one on both databases, so the same page
            select(Appeal.token)
            .where(Appeal.status == AppealStatus.CLOSED)
            .order_by(Appeal.id)
            .limit(1)
        )
    engine.dispose()
    assert token, "the demo has no closed appeal"
    return str(token)


def pages(token: str) -> dict[str, str]:
    """The pages compared, by name."""
    return {
        "terminal home /": "/",
        "phone status page /status/<token>": f"/status/{token}",
        "attract screen /welcome": "/welcome",
        "GET /api/v1/policies?q=补贴": "/api/v1/policies?q=%E8%A1%A5%E8%B4%B4",
        "/healthz": "/healthz",
    }


def serve_command(env: dict[str, str], port: int) -> list[str]:
    """`kiosk serve` on `port` with the bench's thread count (KIOSK_THREADS in `env`)."""
    return kiosk("serve", "--port", str(port))


def throughput(args: argparse.Namespace, env: dict[str, str], token: str) -> None:
    """Alternate rounds between the kiosk and the bare app; print the medians per page."""
    kiosk_port, bare_port = free_port(), free_port()
    bare = [sys.executable, "-c", BARE_APP, str(bare_port), env["KIOSK_THREADS"], str(1 << 20)]
    results: dict[str, tuple[list[Figures], list[Figures]]] = {}
    with (
        running(serve_command(env, kiosk_port), kiosk_port, env) as server,
        running(bare, bare_port) as baseline,
    ):
        for path in pages(token).values():  # warm both before timing
            load(f"http://127.0.0.1:{kiosk_port}{path}", 1, args.connections)
        load(f"http://127.0.0.1:{bare_port}/", 1, args.connections)
        for _round in range(args.rounds):
            for name, path in pages(token).items():
                mine, theirs = results.setdefault(name, ([], []))
                mine.append(
                    measured(
                        server.pid,
                        f"http://127.0.0.1:{kiosk_port}{path}",
                        args.seconds,
                        args.connections,
                    )
                )
                theirs.append(
                    measured(
                        baseline.pid,
                        f"http://127.0.0.1:{bare_port}{path}",
                        args.seconds,
                        args.connections,
                    )
                )
    print(
        "| page | kiosk req/s | kiosk p50 | kiosk p99 | bare req/s | bare p99 | ratio "
        "| kiosk CPU/req | bare CPU/req | CPU ratio |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (mine, theirs) in results.items():
        ratios = [m.rps / t.rps for m, t in zip(mine, theirs, strict=True) if t.rps]
        errors = sum(m.errors for m in mine)
        print(
            f"| {name} | {med(mine, 'rps'):,.0f} | {med(mine, 'p50'):.1f} ms "
            f"| {med(mine, 'p99'):.1f} ms | {med(theirs, 'rps'):,.0f} "
            f"| {med(theirs, 'p99'):.1f} ms "
            f"| {statistics.median(ratios):.2f}× | {med(mine, 'cpu_ms'):.2f} ms "
            f"| {med(theirs, 'cpu_ms'):.2f} ms "
            f"| {med(theirs, 'cpu_ms') / med(mine, 'cpu_ms'):.2f}× |"
            + (f" ({errors} errors)" if errors else "")
        )


def med(runs: list[Figures], attribute: str) -> float:
    """The median of one figure over rounds."""
    return float(statistics.median(getattr(run, attribute) for run in runs))


def taps(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Start a fresh kiosk and time a tenant's taps from the moment it accepts connections."""
    port = free_port()
    started = time.perf_counter()
    with running(serve_command(env, port), port, env):
        ready = time.perf_counter() - started
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        timings: list[float] = []
        cookie = ""
        for index in range(args.taps):
            path = TAPS[index % len(TAPS)]
            start = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            timings.append((time.perf_counter() - start) * 1000)
            found = re.match(r"(kiosk_session=[^;]+)", response.getheader("Set-Cookie") or "")
            cookie = found.group(1) if found else cookie
            time.sleep(TAP_PAUSE)
        connection.close()
    ordered = sorted(timings)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"taps from a fresh start ({args.taps} taps, accepting after {ready:.1f} s): first "
        f"{timings[0]:.1f} ms, slowest of the first ten {max(timings[:10]):.1f} ms, "
        f"p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms"
    )


def two_processes(args: argparse.Namespace, env: dict[str, str], token: str) -> None:
    """The status page with one process, then with two loaded together (one port each)."""
    path = f"/status/{token}"
    ports = [free_port() for _ in range(args.processes)]
    with running(serve_command(env, ports[0]), ports[0], env):
        load(f"http://127.0.0.1:{ports[0]}{path}", 1, args.connections)
        one = load(f"http://127.0.0.1:{ports[0]}{path}", args.seconds, args.connections)
    with contextmanager_all([(serve_command(env, p), p) for p in ports], env):
        runs: list[Figures] = []
        lock = threading.Lock()

        def run(port: int) -> None:
            load(f"http://127.0.0.1:{port}{path}", 1, args.connections)
            figures = load(f"http://127.0.0.1:{port}{path}", args.seconds, args.connections)
            with lock:
                runs.append(figures)

        threads = [threading.Thread(target=run, args=(p,)) for p in ports]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    total = sum(r.rps for r in runs)
    print(
        f"status page on PostgreSQL: one process {one.rps:,.0f} req/s (p99 {one.p99:.1f} ms); "
        f"{len(ports)} processes {total:,.0f} req/s together ({total / one.rps:.2f}×)"
    )


@contextmanager
def contextmanager_all(servers: list[tuple[list[str], int]], env: dict[str, str]) -> Iterator[None]:
    """Run several servers at once."""
    if not servers:
        yield
        return
    (command, port), rest = servers[0], servers[1:]
    with running(command, port, env), contextmanager_all(rest, env):
        yield


@contextmanager
def scratch_database(url: str | None, instance: Path) -> Iterator[str]:
    """A SQLite file in `instance`, or a new PostgreSQL database dropped afterwards."""
    if url is None:
        yield f"sqlite:///{instance / 'kiosk.db'}"
        return
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    name = f"kiosk_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(args: argparse.Namespace, url: str | None) -> None:
    """Every part of the bench on one database."""
    label = "PostgreSQL" if url else "SQLite"
    with tempfile.TemporaryDirectory() as folder, scratch_database(url, Path(folder)) as database:
        env = kiosk_env(Path(folder), database) | {"KIOSK_THREADS": str(args.threads)}
        token = prepare(database, Path(folder))
        generator = "wrk -t2" if shutil.which("wrk") else "a Python load generator"
        print(
            f"\n{label}: {args.connections} connections ({generator}), {args.rounds} rounds of "
            f"{args.seconds:g} s per page, alternating kiosk and bare app, {args.threads} waitress "
            "threads each; medians over rounds"
        )
        if not args.taps_only:
            throughput(args, env, token)
        taps(args, env)
        if url and args.processes > 1 and not args.taps_only:
            two_processes(args, env, token)


def main() -> None:
    """Run the bench on SQLite, then on PostgreSQL when given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--taps", type=int, default=60)
    parser.add_argument("--postgresql", metavar="URL")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--taps-only", action="store_true", help="only the fresh-start taps")
    parser.add_argument(
        "--threads",
        type=int,
        default=Settings.model_fields["threads"].default,
        help="waitress threads of both servers (default: kiosk serve's)",
    )
    args = parser.parse_args()
    if not args.skip_sqlite:
        run(args, None)
    if args.postgresql:
        run(args, args.postgresql)


if __name__ == "__main__":
    main()
