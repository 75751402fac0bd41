"""GET /metrics: Prometheus' text format, read with prometheus_client's own parser."""

from __future__ import annotations

import sys
import types
import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, Scope
from kiosk.services import applications, printing, tokens
from kiosk.services.applications import Draft
from kiosk.services.printing import state as printer_state

URL = "/metrics"


@pytest.fixture
def reader(db: Session) -> dict[str, str]:
    """Headers with a read token, as Prometheus sends them."""
    made = tokens.create(db, "prometheus", Scope.READ)
    return {"Authorization": f"Bearer {made.token}"}


def scrape(client: FlaskClient, headers: dict[str, str]) -> list[Sample]:
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    return [
        sample
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    ]


def value(samples: list[Sample], name: str, **labels: str) -> float | None:
    """The one sample called `name` whose labels include `labels`, if any."""
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert len(found) <= 1, f"{name} {labels} matches {len(found)} samples"
    return found[0] if found else None


def test_a_scrape_needs_a_read_token(client: FlaskClient, reader: dict[str, str]) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer lk_nonsense"}).status_code == 401
    response = client.get(URL, headers=reader)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.mimetype_params.get("version") == "0.0.4"


def test_requests_are_counted_and_timed_by_endpoint(
    client: FlaskClient, reader: dict[str, str]
) -> None:
    client.get(URL)  # refused: counted with its status
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    samples = scrape(client, reader)
    health = {"endpoint": "api.health", "method": "GET", "status": "200"}
    assert value(samples, "kiosk_http_requests_total", **health) == 3
    assert value(samples, "kiosk_http_request_duration_seconds_count", **health) == 3
    total = value(samples, "kiosk_http_request_duration_seconds_sum", **health)
    assert total is not None and total > 0
    inf = value(samples, "kiosk_http_request_duration_seconds_bucket", le="+Inf", **health)
    assert inf == 3
    refused = {"endpoint": "api.show_metrics", "method": "GET", "status": "401"}
    assert value(samples, "kiosk_http_requests_total", **refused) == 1
    # The next scrape sees this one.
    again = scrape(client, reader)
    ok = {"endpoint": "api.show_metrics", "method": "GET", "status": "200"}
    assert value(again, "kiosk_http_requests_total", **ok) == 1


def test_figures_match_the_database(
    app: Flask,
    db: Session,
    client: FlaskClient,
    reader: dict[str, str],
    make_appeal: Callable[..., Appeal],
) -> None:
    make_appeal()
    make_appeal()
    make_appeal(status=AppealStatus.RESOLVED)
    draft = Draft(
        task="union", reference_prefix="GH", submission_key=uuid.uuid4().hex,
        answers={}, company_name="长沙测试科技有限公司", company_uscc="", tenant_id=None,
        locale="zh_CN",
    )  # fmt: skip
    applications.submit(db, app.config["KIOSK"], draft)
    for kiosk in ("kiosk-1", "kiosk-1", "lobby-2"):
        printing.enqueue(db, kiosk_id=kiosk, kind="appeal_slip", subject="SQ-1", document={})
    printer_state.record(
        db, kiosk_id="lobby-2", printer="receipt", url="dummy://", state="paper_out"
    )
    printer_state.record(db, kiosk_id="kiosk-1", printer="receipt", url="dummy://", state="ready")
    db.commit()

    samples = scrape(client, reader)
    assert value(samples, "kiosk_database_up") == 1
    assert value(samples, "kiosk_appeals", state="new") == 2
    assert value(samples, "kiosk_appeals", state="resolved") == 1
    assert value(samples, "kiosk_appeals", state="closed") == 0  # every state, even when empty
    assert value(samples, "kiosk_applications", task="union", status="submitted") == 1
    assert value(samples, "kiosk_applications", task="union", status="approved") == 0
    assert value(samples, "kiosk_print_jobs", kiosk="kiosk-1", status="pending") == 2
    assert value(samples, "kiosk_print_jobs", kiosk="lobby-2", status="pending") == 1
    assert value(samples, "kiosk_print_jobs", kiosk="lobby-2", status="sent") == 0
    assert value(samples, "kiosk_printer_up", kiosk="lobby-2", printer="receipt") == 0
    assert value(samples, "kiosk_printer_up", kiosk="kiosk-1", printer="receipt") == 1
    down = {"kiosk": "lobby-2", "printer": "receipt", "state": "paper_out"}
    assert value(samples, "kiosk_printer_state", **down) == 1


def test_a_scrape_answers_when_the_database_is_down(
    app: Flask, client: FlaskClient, reader: dict[str, str], make_appeal: Callable[..., Appeal]
) -> None:
    make_appeal()

    def unreachable() -> Session:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    collector = app.extensions["kiosk.metrics"].database
    collector.sessions = unreachable  # only the collector's: the token is still checked
    samples = scrape(client, reader)
    assert value(samples, "kiosk_database_up") == 0
    assert not [s for s in samples if s.name.startswith(("kiosk_appeals", "kiosk_print_jobs"))]


def test_made_up_paths_add_no_label_values(client: FlaskClient, reader: dict[str, str]) -> None:
    scrape(client, reader)  # so this scrape's own labels are there before we look
    assert client.get("/no-such-page").status_code == 404
    before = scrape(client, reader)
    for n in range(50):
        assert client.get(f"/probe-{n}/wp-admin.php?x={n}").status_code == 404
    client.open("/healthz", method="BREW")  # a made-up method is folded into "other"
    client.open("/healthz", method="TEA")
    after = scrape(client, reader)

    def label_values(samples: list[Sample]) -> set[tuple[str, str]]:
        return {
            (key, v)
            for s in samples
            if s.name.startswith("kiosk_http_")
            for key, v in s.labels.items()
            if key != "le"
        }

    added = label_values(after) - label_values(before)
    assert added <= {("method", "other"), ("status", "405")}
    unmatched = {"endpoint": "unmatched", "method": "GET", "status": "404"}
    assert value(after, "kiosk_http_requests_total", **unmatched) == 51
    assert value(after, "kiosk_http_requests_total", method="other") == 2
    assert not any("probe" in v for _, v in label_values(after))


def test_kiosks_by_fleet_state_come_from_the_fleet_service(
    client: FlaskClient, reader: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []

    def state_counts(db: Session) -> dict[str, int]:
        seen.append(db)
        return {"online": 3, "offline": 1}

    fleet = types.ModuleType("kiosk.services.fleet")
    fleet.state_counts = state_counts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kiosk.services.fleet", fleet)
    samples = scrape(client, reader)
    assert value(samples, "kiosk_fleet_kiosks", state="online") == 3
    assert value(samples, "kiosk_fleet_kiosks", state="offline") == 1
    assert len(seen) == 1 and isinstance(seen[0], Session)
    # Without the module (None in sys.modules stops the import), the family is left out.
    monkeypatch.setitem(sys.modules, "kiosk.services.fleet", None)
    samples = scrape(client, reader)
    assert value(samples, "kiosk_database_up") == 1
    assert not [s for s in samples if s.name == "kiosk_fleet_kiosks"]


def test_each_app_has_its_own_registry(make_app: Callable[..., Flask], db: Session) -> None:
    first, second = make_app(), make_app()
    assert (
        first.extensions["kiosk.metrics"].registry
        is not second.extensions["kiosk.metrics"].registry
    )
    headers = {"Authorization": f"Bearer {tokens.create(db, 'p', Scope.READ).token}"}
    first.test_client().get("/healthz")
    samples = scrape(second.test_client(), headers)
    assert value(samples, "kiosk_http_requests_total", endpoint="api.health") is None
