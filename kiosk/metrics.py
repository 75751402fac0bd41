"""Prometheus metrics: every request counted and timed, and the ledger's figures at scrape time.

Each app has its own `CollectorRegistry` (tests build many apps in one process; the global
REGISTRY would mix them or refuse the second app's metrics as duplicates). Request labels are
the endpoint's name, never the raw path, so a scan of made-up URLs cannot add series.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from kiosk.models import Appeal, AppealStatus, Application, ApplicationStatus, PrintJob, PrintStatus
from kiosk.services.figures.public import per_unit
from kiosk.services.printing import state as printer_state

log = logging.getLogger(__name__)
EXTENSION = "kiosk.metrics"
FLEET_MODULE = "kiosk.services.fleet"
_STARTED = "kiosk_metrics_started"
# Seconds. A touch should answer within 0.1 s to feel instant and within 1 s to keep the flow;
# pages are rendered on the kiosk itself, so most land in the first buckets, and anything past
# 5 s (a locked SQLite database waiting out its busy timeout) is an incident.
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A client may send any method token; anything else is folded into "other" to bound the label.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

SessionFactory = Callable[[], Session]
StateCounts = Callable[[Session], Mapping[str, int]]


@dataclass
class Snapshot:
    """What the database said at one scrape."""

    appeals: dict[str, int] = field(default_factory=dict)
    applications: dict[tuple[str, str], int] = field(default_factory=dict)
    print_jobs: dict[tuple[str, str], int] = field(default_factory=dict)
    # (kiosk, printer, last reported state, whether it can print)
    printers: list[tuple[str, str, str, bool]] = field(default_factory=list)
    fleet: dict[str, int] | None = None  # None: no fleet service to ask
    # This year's headline figures per unit of the programme (unit code -> figures).
    programme: dict[str, Any] = field(default_factory=dict)


def _fill(counts: dict[tuple[str, str], int], statuses: list[str]) -> dict[tuple[str, str], int]:
    """Every status for each key seen, 0 where there are none, so a series never vanishes."""
    keys = {key for key, _ in counts}
    return {(key, status): counts.get((key, status), 0) for key in keys for status in statuses}


def _pairs(db: Session, first: Any, second: Any) -> dict[tuple[str, str], int]:
    """SELECT first, second, COUNT(*) … GROUP BY first, second, enum values as their text."""
    rows = db.execute(select(first, second, func.count()).group_by(first, second)).all()
    return {(str(a), str(getattr(b, "value", b))): int(n) for a, b, n in rows}


def _fleet_counter() -> StateCounts | None:
    """`kiosk.services.fleet.state_counts`, when that module exists and offers it."""
    try:
        module: ModuleType = importlib.import_module(FLEET_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != FLEET_MODULE:
            raise  # the module exists but something it imports is missing: a real bug
        return None
    counter = getattr(module, "state_counts", None)
    return counter if callable(counter) else None


def read_snapshot(db: Session, zone: ZoneInfo | None = None) -> Snapshot:
    """Count appeals, applications, print jobs, printers and kiosks (read-only); with the
    city's time zone, also this year's figures of every unit of the programme."""
    appeals = {status.value: 0 for status in AppealStatus}
    rows = db.execute(select(Appeal.status, func.count()).group_by(Appeal.status)).all()
    appeals.update({status.value: int(n) for status, n in rows})
    printers = [
        (row.kiosk_id, row.printer, row.state, not printer_state.is_down(row))
        for row in printer_state.all_states(db)
    ]
    return Snapshot(
        appeals=appeals,
        applications=_fill(
            _pairs(db, Application.task, Application.status), [s.value for s in ApplicationStatus]
        ),
        print_jobs=_fill(
            _pairs(db, PrintJob.kiosk_id, PrintJob.status), [s.value for s in PrintStatus]
        ),
        printers=printers,
        fleet=_fleet_counts(db),
        programme=per_unit(db, zone, datetime.now(zone).date()) if zone is not None else {},
    )


def _fleet_counts(db: Session) -> dict[str, int] | None:
    counter = _fleet_counter()
    if counter is None:
        return None
    try:
        return dict(counter(db))
    except SQLAlchemyError:
        # Asked last, after the ledger's figures: a fleet table not yet migrated must not turn
        # every other figure into "database down".
        log.exception("metrics: the fleet's state counts failed")
        return None


class DatabaseCollector(Collector):
    """Reads the ledger's figures at scrape time, with a short session of its own."""

    def __init__(self, sessions: SessionFactory, zone: ZoneInfo | None = None) -> None:
        self.sessions = sessions
        self.zone = zone

    def _snapshot(self) -> Snapshot | None:
        try:
            with self.sessions() as db:
                return read_snapshot(db, self.zone)
        except SQLAlchemyError as exc:
            # The scrape must still answer: kiosk_database_up 0 is the alert, not a failed scrape.
            log.warning("metrics: database unavailable (%s)", type(exc).__name__)
            return None

    def collect(self) -> Iterator[Metric]:
        """The database's state now, as gauges."""
        snapshot = self._snapshot()
        yield GaugeMetricFamily(
            "kiosk_database_up",
            "1 if the database answered this scrape",
            0 if snapshot is None else 1,
        )
        if snapshot is not None:
            yield from _families(snapshot)


def _families(snapshot: Snapshot) -> Iterator[Metric]:
    appeals = GaugeMetricFamily("kiosk_appeals", "Appeals by state", labels=["state"])
    for status, n in sorted(snapshot.appeals.items()):
        appeals.add_metric([status], n)
    yield appeals
    applications = GaugeMetricFamily(
        "kiosk_applications", "Applications by task and status", labels=["task", "status"]
    )
    for (task, status), n in sorted(snapshot.applications.items()):
        applications.add_metric([task, status], n)
    yield applications
    jobs = GaugeMetricFamily(
        "kiosk_print_jobs",
        "Print jobs in the outbox by kiosk and status",
        labels=["kiosk", "status"],
    )
    for (kiosk, status), n in sorted(snapshot.print_jobs.items()):
        jobs.add_metric([kiosk, status], n)
    yield jobs
    up = GaugeMetricFamily(
        "kiosk_printer_up",
        "1 unless the printer recently said it cannot print",
        labels=["kiosk", "printer"],
    )
    states = GaugeMetricFamily(
        "kiosk_printer_state",
        "The printer's last reported state (always 1; the state is the label)",
        labels=["kiosk", "printer", "state"],
    )
    for kiosk, printer, state, working in snapshot.printers:
        up.add_metric([kiosk, printer], 1 if working else 0)
        states.add_metric([kiosk, printer, state], 1)
    yield up
    yield states
    yield from _programme(snapshot)
    if snapshot.fleet is not None:
        fleet = GaugeMetricFamily("kiosk_fleet_kiosks", "Kiosks by fleet state", labels=["state"])
        for state, n in sorted(snapshot.fleet.items()):
            fleet.add_metric([state], n)
        yield fleet


def _programme(snapshot: Snapshot) -> Iterator[Metric]:
    """This year's figures per unit, the same as the dashboard and the public page count."""
    families = [
        ("kiosk_programme_problems_solved", "Problems solved this year", "solved"),
        ("kiosk_programme_claims_paid", "Claims paid this year", "claims_paid"),
        ("kiosk_programme_money_paid_yuan", "Policy money paid this year, yuan", "money_paid"),
    ]
    for name, text, attribute in families:
        family = GaugeMetricFamily(name, text, labels=["unit"])
        for unit, figures in sorted(snapshot.programme.items()):
            family.add_metric([unit], float(getattr(figures, attribute)))
        yield family


@dataclass(frozen=True)
class Metrics:
    """One app's registry and the instruments its request hooks update."""

    registry: CollectorRegistry
    requests: Counter
    duration: Histogram
    database: DatabaseCollector


def _start_timer() -> None:
    setattr(g, _STARTED, time.perf_counter())


def _labels() -> tuple[str, str]:
    rule = request.url_rule
    endpoint = rule.endpoint if rule is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"
    return endpoint, method


def init_app(app: Flask) -> None:
    """Give the app its registry, time every request, and read the database at scrape time."""
    registry = CollectorRegistry()
    labels = ["endpoint", "method", "status"]
    metrics = Metrics(
        registry=registry,
        requests=Counter(
            "kiosk_http_requests", "HTTP requests answered", labels, registry=registry
        ),
        duration=Histogram(
            "kiosk_http_request_duration_seconds",
            "Time to answer an HTTP request",
            labels,
            buckets=BUCKETS,
            registry=registry,
        ),
        database=DatabaseCollector(app.extensions["kiosk.sessionmaker"], app.config["KIOSK"].zone),
    )
    registry.register(metrics.database)
    app.extensions[EXTENSION] = metrics

    def record(response: Response) -> Response:
        started: float | None = g.pop(_STARTED, None)
        endpoint, method = _labels()
        values = (endpoint, method, str(response.status_code))
        metrics.requests.labels(*values).inc()
        if started is not None:  # None: a hook before ours answered first
            metrics.duration.labels(*values).observe(time.perf_counter() - started)
        return response

    # Registered before access control, so a refused request is timed too; after_request hooks
    # run in reverse, so ours runs last and sees the final status code.
    app.before_request(_start_timer)
    app.after_request(record)


def registry(app: Flask) -> CollectorRegistry:
    """The app's metrics registry."""
    metrics: Metrics = app.extensions[EXTENSION]
    return metrics.registry
