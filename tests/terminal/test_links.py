"""Links a phone can trust: a QR code on a slip or a screen names the configured public URL, or
the address the kiosk serves on, whatever Host header a request brings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import PrintJob, Tenant
from tests.support.terminal import Terminal

LINK = re.compile(r"https?://[^\s\"'<>]+")


def _appeal_from(app: Flask, tenant: Tenant, host: str) -> list[str]:
    """File an appeal through a client whose every request says `Host: host`; return the
    links its confirmation screen made QR codes of."""
    shown: list[str] = []
    hosts: list[str] = []
    real = app.jinja_env.globals["qr_svg"]

    def recording(data: str, *args: Any, **kwargs: Any) -> Any:
        shown.append(data)
        hosts.append(request.host)
        return real(data, *args, **kwargs)  # type: ignore[operator]

    app.jinja_env.globals["qr_svg"] = recording
    inner = app.wsgi_app

    def with_host(environ: dict[str, Any], start_response: Any) -> Any:
        environ["HTTP_HOST"] = host  # as a proxy passing the caller's header on would
        return inner(environ, start_response)

    app.wsgi_app = with_host  # type: ignore[method-assign]
    client = app.test_client()
    terminal = Terminal(client)
    terminal.fill_appeal(tenant=tenant.id)
    assert terminal.submit().status_code == 303
    assert terminal.page("/appeal/done").status_code == 200
    assert hosts and set(hosts) == {host}  # the header did reach the app
    return [link for link in shown if "/status/" in link]


def _slip_links(db: Session) -> list[str]:
    db.rollback()
    job = db.scalars(select(PrintJob)).one()
    return LINK.findall(json.dumps(job.document, ensure_ascii=False))


@pytest.mark.parametrize(
    ("settings", "base"),
    [
        ({"public_url": "https://kiosk.example.gov.cn"}, "https://kiosk.example.gov.cn/status/"),
        ({"public_url": "", "host": "192.168.10.20", "port": 8123}, "http://192.168.10.20:8123/"),
        ({"public_url": "", "host": "0.0.0.0", "port": 9000}, "http://127.0.0.1:9000/status/"),
    ],
    ids=["public-url", "served-address", "all-interfaces"],
)
def test_a_host_header_never_reaches_a_qr_code(
    make_app: Callable[..., Flask],
    make_tenant: Callable[..., Tenant],
    db: Session,
    settings: dict[str, Any],
    base: str,
) -> None:
    app = make_app(**settings)
    shown = _appeal_from(app, make_tenant(), "evil.example")
    printed = _slip_links(db)
    assert shown and printed
    for link in shown + [p for p in printed if "/status/" in p]:
        assert link.startswith(base), link
        assert "evil.example" not in link
