"""`kiosk notify`: send the message outbox's due messages now (for cron, or to test a setup)."""

from __future__ import annotations

import click
from flask import Flask

from kiosk.config import ConfigError


@click.group()
def notify() -> None:
    """Messages to tenants (SMS) and staff (group robots)."""


@notify.command("run-once")
@click.pass_context
def run_once(ctx: click.Context) -> None:
    """Send every message that is due, once, then print what the outbox holds."""
    from kiosk import create_app
    from kiosk.scope import EVERYTHING, open_session
    from kiosk.services.notify import NotifyWorker, counts

    try:
        app: Flask = create_app(instance_path=ctx.obj.get("instance"))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    tried = NotifyWorker(app).run_once()
    with open_session(app.extensions["kiosk.sessionmaker"], EVERYTHING) as db:
        left = counts(db)
    click.echo(f"tried {tried}; {left.waiting} waiting, {left.failed} failed")
