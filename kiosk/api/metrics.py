"""Prometheus scrapes (/metrics) with a read token, as `Authorization: Bearer …`.

Under /api/v1/ like every token-opened view (tests/test_architecture.py); point the scrape
config's `metrics_path` here.
"""

from __future__ import annotations

from flask import current_app, jsonify
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from werkzeug.wrappers import Response

from kiosk import metrics, scope
from kiosk.access import requires_token
from kiosk.api.views import bp
from kiosk.db import get_session
from kiosk.models import Scope


@bp.get("/metrics")
@requires_token(Scope.READ)
def show_metrics() -> Response:
    """Request counts and latencies, and the ledger's figures, in Prometheus' text format."""
    if not scope.reach_of(get_session()).everything:
        # The figures are the whole fleet's and the whole city's: a maintainer's token only.
        refused = jsonify(error="forbidden", message="The metrics need a token for the fleet.")
        refused.status_code = 403
        return refused
    body = generate_latest(metrics.registry(current_app))
    # generate_latest writes text format 0.0.4; CONTENT_TYPE_LATEST now names 1.0.0.
    return Response(body, content_type=CONTENT_TYPE_PLAIN_0_0_4)
