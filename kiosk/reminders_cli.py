"""`kiosk reminders`: queue today's due-soon and overdue hand-off reminders now (for cron)."""

from __future__ import annotations

import click
from flask import Flask


@click.group()
def reminders() -> None:
    """Reminders to departments of hand-offs due soon or overdue."""


@reminders.command("run-once")
@click.pass_context
def run_once(ctx: click.Context) -> None:
    """Queue today's reminders (a hand-off reminded today is not reminded again)."""
    from kiosk.cli import app_for
    from kiosk.scope import EVERYTHING, open_session
    from kiosk.services.assignments import run_reminders
    from kiosk.services.ledger import today_in

    app: Flask = app_for(ctx)
    settings = app.config["KIOSK"]
    with app.app_context(), open_session(app.extensions["kiosk.sessionmaker"], EVERYTHING) as db:
        queued = run_reminders(db, settings, today_in(settings.zone))
    click.echo(f"queued {queued} reminders")
