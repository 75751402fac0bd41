"""A policy's full text on a phone, opened from the kiosk's screen or the printed sheet."""

from __future__ import annotations

from flask import abort, current_app, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.caching import cacheable
from kiosk.db import get_session
from kiosk.labels import BENEFIT, POLICY_LEVEL, WINDOW
from kiosk.models import Policy
from kiosk.public.views import bp
from kiosk.services.policies import matching
from kiosk.services.policies.catalogue import today_in
from kiosk.services.policies.sheet import amount_text, deadline_text


@bp.get("/policy/<code>")
@public
def policy_text(code: str) -> Response:
    """The whole policy: conditions, benefit, window, materials, contact and full text."""
    policy = get_session().scalar(select(Policy).where(Policy.code == code[:40]))
    if policy is None:
        abort(404)
    today = today_in(current_app.config["KIOSK"].zone)
    html = render_template(
        "public/policy.html",
        policy=policy,
        today=today,
        window=policy.window(today),
        level_labels=POLICY_LEVEL,
        benefit_labels=BENEFIT,
        window_labels=WINDOW,
        conditions=[r.label for r in matching.reasons(policy, matching.Facts())],
        amount_text=amount_text,
        deadline_text=deadline_text,
    )
    return cacheable(html)  # the catalogue's text, nothing personal: revalidated, then 304
