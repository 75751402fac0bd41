"""How fast is printing? Prints medians and percentiles; asserts nothing.

    .venv/bin/python bench/print.py [--repeat 200] [--submits 40] [--paper-speed 250]
                                    [--edge-submits 60]

1. Building the bytes of a standard appeal slip (Chinese text, native QR, one cut) with our
   encoder, against building the same content with python-escpos's Dummy printer directly
   (its own text path, which garbles Chinese but is the bare baseline), in the same run.
2. Submit to confirmed: a tenant taps Submit on the check page of a running app (Flask test
   client, real SQLite file, the print worker thread, the TCP driver) until the fake printer
   has answered the process ID request after the cut and the job is recorded as printed. Two
   kiosks take turns, one with a fake printing at once and one with a fake moving its paper
   at `--paper-speed` mm/s (tests/support/paper_length.py measures the slip's paper); the
   kiosk's own part is what the tap took beyond the paper's time.
3. The same on an edge terminal (its own SQLite, its outbox, its agent handing over to a
   central served by waitress on loopback), with the link up and with the link down in
   alternate runs: taking a submission never waits for the central, so the two must not differ.
4. The A4 licence PDF, per page (after the font is loaded once).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.support (the fake printer)

from escpos.printer import Dummy  # noqa: E402

from printers import QRCode, Receipt, Rule, Text, encode_receipt, parse_printer_url  # noqa: E402
from tests.support.fake_printer import FakePrinter  # noqa: E402
from tests.support.paper_length import paper_mm  # noqa: E402

SECRET = "bench-secret-key-" + "x" * 32
STATUS_URL = "https://kiosk.example.gov.cn/status/Zq3N7v1xQm2bW8cR5tY0uI9oP4aS6dF"
LINES = [
    ("楼宇政务服务驿站", "center", 2, True),
    ("芙蓉国际金融中心", "center", 1, False),
    ("诉求回执", "center", 1, True),
    ("诉求编号", "left", 1, True),
    ("SQ-20261124-0042", "left", 2, True),
    ("提交时间：2026-11-24 10:30", "left", 1, False),
    ("诉求类别：交通出行", "left", 1, False),
    ("联系电话：138****5678", "left", 1, False),
    ("预计答复：2026-12-01 前", "left", 1, False),
]


def slip() -> Receipt:
    """The appeal slip the kiosk prints, as a document."""
    elements: list[Text | QRCode | Rule] = [
        Text(text, align=align, size=size, bold=bold)  # type: ignore[arg-type]
        for text, align, size, bold in LINES
    ]
    elements += [Rule(), QRCode(STATUS_URL), Text("扫码查看办理进度", align="center"), Rule()]
    elements.append(Text("营商环境投诉热线：12345", align="center"))
    return Receipt(tuple(elements))


def bare_escpos() -> bytes:
    """The same content straight through python-escpos (no sanitising, no GB18030 mode)."""
    printer = Dummy()
    for text, align, size, bold in LINES:
        printer.set(align=align, bold=bold, double_width=size == 2, double_height=size == 2)
        printer.textln(text)
    printer.set(align="center")
    printer.qr(STATUS_URL, native=True, size=6)
    printer.textln("扫码查看办理进度")
    printer.textln("营商环境投诉热线：12345")
    printer.cut()
    return bytes(printer.output)


def median_ms(function: Callable[[], object], repeat: int) -> float:
    """Median wall time of `function`, in milliseconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def bench_build(repeat: int) -> None:
    """Our encoder against python-escpos alone."""
    document = slip()
    profile = parse_printer_url("dummy://").profile
    ours = median_ms(lambda: encode_receipt(document, profile=profile), repeat)
    bare = median_ms(bare_escpos, repeat)
    print(f"slip bytes, ours (GB18030 + native QR)   {ours:8.3f} ms (median of {repeat})")
    print(f"slip bytes, bare python-escpos Dummy     {bare:8.3f} ms")
    print(f"ratio ours / bare                        {ours / bare:8.2f}x (target: within 3x)")


def bench_submit(submits: int, paper_speed: float) -> None:
    """From the Submit tap to the slip confirmed by the printer and recorded as printed, with
    a printer printing at once and one moving its paper at `paper_speed` mm/s, in turns."""
    with contextlib.ExitStack() as stack:
        kiosks = [stack.enter_context(_kiosk(speed)) for speed in (None, paper_speed)]
        timings: list[list[float]] = [[], []]
        lengths: list[float] = []  # mm, each slip printed at paper speed
        for n in range(submits):
            for (app, printer), taken in zip(kiosks, timings, strict=True):
                taken.append(_tap_to_slip(app, n))
                start = time.perf_counter()
                while len(printer.jobs) < n + 1:  # the fake files a job when its connection ends
                    assert time.perf_counter() - start < 10, "the fake printer kept no job"
                    time.sleep(0.001)
                assert re.search(rb"SQ-\d{8}-\d{4}", printer.jobs[-1])
            _, paced_printer = kiosks[1]
            lengths.append(paper_mm(paced_printer.jobs[-1]))
    at_once, paced = timings
    paper = [length / paper_speed * 1000 for length in lengths]  # ms
    own = [took - physical for took, physical in zip(paced, paper, strict=True)]
    for label, figures in (
        ("submit to slip confirmed, printer at once", at_once),
        (f"submit to slip confirmed, at {paper_speed:g} mm/s", paced),
        ("  of which the kiosk's own (less paper)", own),
    ):
        median, p95 = _percentiles(figures)
        print(f"{label:41}{median:8.1f} ms median, {p95:.1f} ms p95")
    low, high = min(lengths), max(lengths)
    size = f"{low:.1f} mm" if high - low < 0.05 else f"{low:.1f}-{high:.1f} mm"
    print(f"  (slip {size} of paper: {min(paper):.0f} ms at {paper_speed:g} mm/s at the least;")
    print(f"  {submits} submits each, in turns; target p95 under 150 ms at once)")


@contextlib.contextmanager
def _kiosk(paper_speed: float | None) -> Iterator[tuple[Any, FakePrinter]]:
    """A kiosk with one tenant and its print worker, printing on a fake printer of its own."""
    from kiosk import create_app
    from kiosk.db import upgrade
    from kiosk.models import Building, Tenant
    from kiosk.services.printing import PrintWorker
    from kiosk.validators import uscc_check_char

    with (
        tempfile.TemporaryDirectory() as folder,
        FakePrinter(paper_mm_per_second=paper_speed) as printer,
    ):
        app = create_app(
            {"receipt_printer": printer.url, "public_url": "http://kiosk.test"},
            instance_path=folder,
        )
        upgrade(app.extensions["kiosk.engine"])
        with app.extensions["kiosk.sessionmaker"]() as db:
            building = Building(code="demo", name_zh="芙蓉国际金融中心", name_en="Furong IFC")
            db.add(building)
            db.flush()
            first17 = "91430102MA4L00001"
            db.add(
                Tenant(
                    building_id=building.id,
                    uscc=first17 + uscc_check_char(first17),
                    name="长沙星辰软件科技有限公司",
                )
            )
            db.commit()
        worker = PrintWorker(app.extensions["kiosk.sessionmaker"], app.config["KIOSK"])
        worker.start()
        app.extensions["kiosk.print_worker"] = worker
        try:
            yield app, printer
        finally:
            worker.stop()


def _percentiles(timings: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in the same unit."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _tap_to_slip(app: Any, printed_before: int) -> float:
    """Answer an appeal up to its check page, then time Submit until its slip is printed."""
    from sqlalchemy import func, select

    from kiosk.models import PrintJob, PrintStatus
    from tests.support.terminal import Terminal

    terminal = Terminal(app.test_client())
    terminal.fill_appeal(tenant=1)
    form = terminal.check_form(terminal.page("/appeal/check").get_data(as_text=True))
    printed = select(func.count()).where(PrintJob.status == PrintStatus.PRINTED)
    start = time.perf_counter()
    terminal.client.post("/appeal/check", data=form)
    while True:
        with app.extensions["kiosk.sessionmaker"]() as db:
            if db.scalar(printed) == printed_before + 1:
                return (time.perf_counter() - start) * 1000
        assert time.perf_counter() - start < 10, "the slip was not confirmed"
        time.sleep(0.001)


def _central(folder: Path) -> tuple[Any, Any, str]:
    """A central on SQLite served by waitress on loopback; its server, app and a code."""
    from waitress import create_server

    from kiosk import create_app
    from kiosk.db import upgrade
    from kiosk.edge.enrol import issue_code
    from kiosk.models import Building, Tenant
    from kiosk.validators import uscc_check_char

    url = f"sqlite:///{folder / 'central.db'}"
    central = create_app(
        {"secret_key": SECRET, "database_url": url, "terminal": False, "print_worker": False},
        instance_path=folder / "central",
    )
    upgrade(central.extensions["kiosk.engine"])
    with central.extensions["kiosk.sessionmaker"]() as db:
        building = Building(code="tower-1", name_zh="芙蓉国际金融中心", name_en="Furong IFC")
        db.add(building)
        db.flush()
        first17 = "91430102MA4L00001"
        db.add(Tenant(building_id=building.id, uscc=first17 + uscc_check_char(first17),
                      name="长沙星辰软件科技有限公司"))  # fmt: skip
        db.commit()
        code = issue_code(db, "lobby-1", "tower-1", "大堂 1 号机", "bench").code
    server = create_server(central, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return server, central, code


def _terminal(folder: Path, base: str, code: str, printer_url: str) -> Any:
    """An edge terminal enrolled at `base` with `code`, on its own SQLite."""
    from sqlalchemy import create_engine

    from kiosk import create_app
    from kiosk.db import upgrade
    from kiosk.edge import identity as enrolment
    from kiosk.edge.client import Central

    body = Central(base, "").call("POST", "/api/v1/edge/enrol", {"code": code}, authorised=False)
    enrolment.save(
        folder / "terminal",
        enrolment.Identity(
            central_url=base, kiosk_id=body.body["kiosk_id"], building=body.body["building"],
            name=body.body["name"], short_code=body.body["short_code"], token=body.body["token"],
            link_key=body.body["link_key"], public_keys=tuple(body.body["public_keys"]),
        ),
    )  # fmt: skip
    url = f"sqlite:///{folder / 'terminal.db'}"
    upgrade(create_engine(url))
    return create_app(
        {
            "secret_key": SECRET, "database_url": url, "edge": True, "print_worker": False,
            "receipt_printer": printer_url, "public_url": "http://kiosk.test",
            "heartbeat_seconds": 1, "command_poll_seconds": 0.2,
        },
        instance_path=folder / "terminal",
    )  # fmt: skip


def bench_edge_submit(submits: int) -> None:
    """Tap to slip on an edge terminal, the link up and down in alternate runs (its agent
    running all along, handing each appeal over as soon as the link allows)."""
    from kiosk.edge.agent import EdgeAgent
    from kiosk.edge.client import Central
    from kiosk.services.fleet.executors import EXECUTORS
    from kiosk.services.printing import PrintWorker

    logging.getLogger("kiosk.edge").setLevel(logging.ERROR)  # the link changes on purpose
    with tempfile.TemporaryDirectory() as name, FakePrinter() as printer:
        folder = Path(name)
        server, _central_app, code = _central(folder)
        base = f"http://127.0.0.1:{server.effective_port}"
        app = _terminal(folder, base, code, printer.url)
        worker = PrintWorker(app.extensions["kiosk.sessionmaker"], app.config["KIOSK"])
        worker.start()
        app.extensions["kiosk.print_worker"] = worker
        agent = EdgeAgent(app, EXECUTORS)
        agent.sync()  # the building's companies and categories come down
        real, dead = agent.central, Central("http://127.0.0.1:9", "")  # nothing listens on 9
        agent.start()
        timings: dict[bool, list[float]] = {True: [], False: []}
        done = 0
        try:
            for n in range(10 + submits):  # the first ten warm up
                up = n % 2 == 0
                agent.central = real if up else dead
                deadline = time.monotonic() + 10
                while agent.link.up is not up:  # the agent's own rounds notice the change
                    assert time.monotonic() < deadline, "the link did not change"
                    time.sleep(0.01)
                took = _tap_to_slip(app, done)
                done += 1
                if n >= 10:
                    timings[up].append(took)
        finally:
            agent.stop()
            worker.stop()
            server.close()
        for up, label in ((True, "up  "), (False, "down")):
            median, p95 = _percentiles(timings[up])
            print(f"edge tap to slip, link {label}              {median:8.1f} ms median, "
                  f"{p95:.1f} ms p95")  # fmt: skip
        print(f"  ({submits // 2} submits each way, in turns; target: the same either way)")


def bench_licence(repeat: int) -> None:
    """One A4 licence page, after the font is registered (the licence from bench/licence.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from licence import TYPICAL  # the same sample licence as the licence bench

    from printers.licence import render_licence_pdf

    start = time.perf_counter()
    render_licence_pdf(TYPICAL)
    first = (time.perf_counter() - start) * 1000
    page = median_ms(lambda: render_licence_pdf(TYPICAL), repeat)
    print(f"licence PDF, first page (loads the font)  {first:8.1f} ms")
    print(f"licence PDF, per page                     {page:8.1f} ms (median; target under 50 ms)")


def bench_preview(repeat: int) -> None:
    """The PNG preview of a slip that the admin's print history shows (fonts already loaded)."""
    from printers.preview import render_png

    render_png(slip(), reprint=True)  # fonts and glyphs load once per process
    median = median_ms(lambda: render_png(slip(), reprint=True), repeat)
    print(f"slip preview PNG (admin print history)  {median:8.1f} ms (median; target under 50 ms)")


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--submits", type=int, default=40)
    parser.add_argument("--paper-speed", type=float, default=250.0, metavar="MM_PER_S")
    parser.add_argument("--edge-submits", type=int, default=60)
    parser.add_argument("--only", choices=("edge",), default="")
    args = parser.parse_args()
    if args.paper_speed <= 0:
        parser.error("--paper-speed must be more than 0 mm/s")
    if args.only == "edge":
        bench_edge_submit(args.edge_submits)
        return
    bench_build(args.repeat)
    bench_submit(args.submits, args.paper_speed)
    bench_edge_submit(args.edge_submits)
    bench_licence(max(10, args.repeat // 10))
    bench_preview(max(10, args.repeat // 10))


if __name__ == "__main__":
    main()
