"""The central's page for a tracking link made at a terminal before its submission arrived:
"taken at that kiosk at that time, on its way" — said only when the link's MAC is right."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import select

from kiosk.db import get_session
from kiosk.edge.links import short_code_of, verify
from kiosk.edge.outbox import MODELS
from kiosk.models import EdgeTerminal, Kiosk

# The status pages a slip's QR opens, and the kind of submission each shows.
STATUS_PAGES = {
    "public.appeal_status": "appeal",
    "public.application_status": "application",
    "public.signup_status": "signup",
}


def pending_page(**_: Any) -> tuple[str, int, dict[str, str]] | None:
    """Before a status page: if its terminal token is genuine and nothing has arrived yet, say
    so; otherwise let the page answer as usual."""
    kind = STATUS_PAGES.get(request.endpoint or "")
    token = (request.view_args or {}).get("token", "")
    if kind is None or not isinstance(token, str):
        return None
    code = short_code_of(token)
    if code is None:
        return None
    db = get_session()
    model = MODELS[kind]
    if db.scalar(select(model.id).where(model.token == token)) is not None:
        return None
    terminal = db.scalar(select(EdgeTerminal).where(EdgeTerminal.short_code == code))
    pending = verify(token, terminal.link_key) if terminal is not None else None
    if terminal is None or pending is None:
        return None
    kiosk = db.get(Kiosk, terminal.kiosk_id)
    html = render_template(
        "public/pending.html",
        kiosk_name=(kiosk.name if kiosk is not None and kiosk.name else terminal.kiosk_id),
        taken_at=pending.taken_at,
        kind=kind,
    )
    return html, 200, {"Cache-Control": "no-store"}
