"""`kiosk notify`: send the message outbox's due messages now (for cron, or to test a setup)."""

from __future__ import annotations

import click
from flask import Flask


@click.group()
def notify() -> None:
    """Messages to tenants (SMS) and staff (group robots)."""


@notify.command("run-once")
@click.pass_context
def run_once(ctx: click.Context) -> None:
    """Send every message that is due, once, then print what the outbox holds."""
    from kiosk.cli import app_for
    from kiosk.scope import EVERYTHING, open_session
    from kiosk.services.notify import NotifyWorker, counts

    app: Flask = app_for(ctx)
    tried = NotifyWorker(app).run_once()
    with open_session(app.extensions["kiosk.sessionmaker"], EVERYTHING) as db:
        left = counts(db)
    click.echo(f"tried {tried}; {left.waiting} waiting, {left.failed} failed")
