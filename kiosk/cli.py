"""The `kiosk` command: serve, db upgrade, staff create, demo."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from kiosk import create_app
from kiosk.config import ConfigError
from kiosk.db import schema_is_current, upgrade
from kiosk.models import Role, Scope

log = logging.getLogger("kiosk")


def app_for(ctx: click.Context) -> Flask:
    """The app for a command; its database connections are closed when the command ends."""
    try:
        app = create_app(instance_path=ctx.obj.get("instance"))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.call_on_close(app.extensions["kiosk.engine"].dispose)
    return app


def _sessions(app: Flask) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.extensions["kiosk.sessionmaker"]
    return factory


@click.group()
@click.option(
    "--instance",
    envvar="KIOSK_INSTANCE_PATH",
    type=click.Path(file_okay=False),
    help="Instance folder (database, secret key, kiosk.cfg). [env: KIOSK_INSTANCE_PATH]",
)
@click.pass_context
def main(ctx: click.Context, instance: str | None) -> None:
    """Lobby Kiosk (楼宇政务服务驿站)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are for developers
    ctx.obj = {"instance": instance}


@main.command()
@click.option("--host", help="Address to listen on. [default: KIOSK_HOST, 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), help="Port. [default: KIOSK_PORT, 8080]")
@click.option(
    "--threads", type=click.IntRange(1, 64), help="Request threads. [default: KIOSK_THREADS, 4]"
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, threads: int | None) -> None:
    """Serve the kiosk with waitress (creates the schema on an empty database)."""
    from waitress import serve as waitress_serve

    from kiosk.services.printing import PrintWorker

    app = app_for(ctx)
    served = app.config["KIOSK"]
    if host is not None or port is not None:  # QR links must name where we really listen
        served = served.model_copy(
            update={"host": host or served.host, "port": port or served.port}
        )
        app.config["KIOSK"] = served
    host, port = served.host, served.port
    if not served.public_url:
        log.warning(
            "KIOSK_PUBLIC_URL is not set: QR codes and slips link to %s, where a phone may not "
            "reach; set it to the address phones use",
            served.link_base,
        )
    engine = app.extensions["kiosk.engine"]
    if not schema_is_current(engine):
        from sqlalchemy import inspect

        if inspect(engine).get_table_names():
            raise click.ClickException("the database schema is out of date: run `kiosk db upgrade`")
        click.echo("empty database: creating the schema")
        upgrade(engine)
    settings = app.config["KIOSK"]
    worker = None
    if settings.print_worker:
        worker = PrintWorker(_sessions(app), settings)
        worker.start()
        app.extensions["kiosk.print_worker"] = worker
    notifier = None
    if settings.notify_worker:
        from kiosk.services.notify import NotifyWorker

        notifier = NotifyWorker(app)
        notifier.start()
        app.extensions["kiosk.notify_worker"] = notifier
        from kiosk.services.assignments import ReminderWorker

        reminder = ReminderWorker(app)  # hand-offs due soon or overdue: once a day each
        reminder.start()
        app.extensions["kiosk.reminders"] = reminder
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - a comparison
    app.extensions["kiosk.self_url"] = f"http://{local}:{port}"
    agent = None
    if settings.edge and "kiosk.edge.identity" not in app.extensions:
        raise click.ClickException("this terminal is not enrolled: run `kiosk enrol URL CODE`")
    if settings.edge and host not in ("127.0.0.1", "::1", "localhost"):
        raise click.ClickException("an edge terminal serves its screen on loopback only")
    if settings.fleet_agent:
        from kiosk.services.fleet.agent import FleetAgent
        from kiosk.services.fleet.executors import EXECUTORS

        if settings.edge:
            from kiosk.edge.agent import EdgeAgent as FleetAgent

        agent = FleetAgent(app, EXECUTORS)
        agent.start()
        app.extensions["kiosk.fleet_agent"] = agent
    _warm_up(app)
    click.echo(f"Lobby Kiosk {settings.id} on http://{host}:{port}/ (admin: /admin)")
    try:
        waitress_serve(
            app,
            host=host,
            port=port,
            threads=threads or settings.threads,
            max_request_body_size=settings.max_request_bytes,
            ident="lobby-kiosk",
            clear_untrusted_proxy_headers=True,
        )
    finally:
        if agent is not None:
            agent.stop()
        if worker is not None:
            worker.stop()
        if notifier is not None:
            notifier.stop()
            app.extensions["kiosk.reminders"].stop()


def _warm_up(app: Flask) -> None:
    """Do the pages' first-use work before listening, so no tap waits for it; a failure here
    is logged and the kiosk serves anyway (the page that failed will say so itself)."""
    from kiosk.warmup import warm_up

    try:
        warm_up(app, server=True)
    except Exception:
        log.exception("warm-up failed; serving without it")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Apply migrations up to REVISION."""
    app = app_for(ctx)
    upgrade(app.extensions["kiosk.engine"], revision)
    click.echo("database is up to date")


@main.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("create")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Name shown in the admin.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.STAFF.value,
    show_default=True,
)
@click.option(
    "--unit",
    "--building",
    "building",
    default="",
    help="The unit's code (a building's code for a building's officer): the account sees that "
    "unit and every unit under it; empty: the city. --building is the same.",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="KIOSK_NEW_STAFF_PASSWORD",
    help="Asked for when not given (or set KIOSK_NEW_STAFF_PASSWORD).",
)
@click.pass_context
def staff_create(
    ctx: click.Context, username: str, display_name: str, role: str, building: str, password: str
) -> None:
    """Create a staff account."""
    from kiosk.errors import ValidationFailed
    from kiosk.services.audit import Actor
    from kiosk.services.staff import create_staff

    app = app_for(ctx)
    with _sessions(app)() as session, app.app_context():
        try:
            create_staff(
                session, username, display_name, password, Role(role), Actor(None, "cli"),
                unit_code=building,
            )  # fmt: skip
        except ValidationFailed as exc:
            raise click.ClickException(
                "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            ) from None
    click.echo(f"created {role} {username}")


@main.group()
def token() -> None:
    """Bearer tokens for the maintenance API (/api/v1)."""


@token.command("create")
@click.option("--name", required=True, help="Who or what uses it (a maintainer, a kiosk).")
@click.option("--scope", type=click.Choice([s.value for s in Scope]), required=True)
@click.option("--kiosk", "kiosk_id", default="", help="The kiosk id, for a kiosk's own token.")
@click.pass_context
def token_create(ctx: click.Context, name: str, scope: str, kiosk_id: str) -> None:
    """Make a token and print it, once: only its hash is kept."""
    from kiosk.errors import ValidationFailed
    from kiosk.services import tokens

    app = app_for(ctx)
    with _sessions(app)() as session, app.app_context():
        try:
            made = tokens.create(session, name, Scope(scope), kiosk_id=kiosk_id)
        except ValidationFailed as exc:
            raise click.ClickException("; ".join(str(v) for v in exc.fields.values())) from None
    click.echo(made.token)
    click.echo(f"({scope} token '{made.row.name}': shown this once; keep it secret)", err=True)


@token.command("list")
@click.pass_context
def token_list(ctx: click.Context) -> None:
    """Every token: key, scope, name, when made, last used, uses, revoked (never the secret)."""
    from kiosk.services import tokens

    app = app_for(ctx)
    with _sessions(app)() as session:
        rows = tokens.listing(session)
        for row in rows:
            used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
            click.echo(
                f"{row.key}  {row.scope.value:<8} {row.name}  made {row.created_at:%Y-%m-%d}  "
                f"last used {used}  uses {row.uses}  {state}"
            )
    if not rows:
        click.echo("no tokens")


@token.command("revoke")
@click.argument("key_or_name")
@click.pass_context
def token_revoke(ctx: click.Context, key_or_name: str) -> None:
    """Revoke a token by its key (from `kiosk token list`) or its name."""
    from kiosk.errors import NotFound
    from kiosk.services import tokens

    app = app_for(ctx)
    with _sessions(app)() as session, app.app_context():
        try:
            row = tokens.revoke(session, key_or_name)
        except NotFound as exc:
            raise click.ClickException(str(exc.message)) from None
    click.echo(f"revoked {row.key} ({row.name})")


@main.group()
def printer() -> None:
    """Receipt printer: a test slip, the status."""


def _printer_url(app: Flask, url: str | None) -> str:
    from printers import PrinterConfigError, parse_printer_url

    url = url or app.config["KIOSK"].receipt_printer
    try:
        parse_printer_url(url)
    except PrinterConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return url


@printer.command("test")
@click.option("--printer", "url", help="Printer URL (default: the configured receipt printer).")
@click.pass_context
def printer_test(ctx: click.Context, url: str | None) -> None:
    """Print a test slip: the kiosk, 打印测试 / Print test, a QR code, the time, a cut."""
    from kiosk.db import utcnow
    from kiosk.services.slips import test_slip
    from printers import PrinterError, open_receipt_printer

    app = app_for(ctx)
    settings = app.config["KIOSK"]
    url = _printer_url(app, url)
    link = settings.link_base + "/healthz"
    try:
        delivery = open_receipt_printer(url, timeout=settings.printer_timeout).print_receipt(
            test_slip(settings, utcnow(), link)
        )
    except PrinterError as exc:
        raise click.ClickException(f"not printed: {exc}") from None
    if delivery.confirmation in ("process_id", "status"):
        click.echo(f"test slip printed on {url} (confirmed by {delivery.confirmation})")
    else:  # the printer cannot say (or there is none): say only what is known
        click.echo(f"test slip sent to {url} (not confirmed: {delivery.confirmation})")


@printer.command("status")
@click.option("--printer", "url", help="Printer URL (default: the configured receipt printer).")
@click.pass_context
def printer_status(ctx: click.Context, url: str | None) -> None:
    """Print the printer's status as JSON; exit 0 only when it is known to be able to print."""
    import json

    from printers import open_receipt_printer

    app = app_for(ctx)
    url = _printer_url(app, url)
    status = open_receipt_printer(url, timeout=app.config["KIOSK"].printer_timeout).status()
    body = {"printer": url, **status.to_dict(), "ready": status.can_print}
    click.echo(json.dumps(body, ensure_ascii=False))
    ctx.exit(0 if status.can_print else 1)


@main.command()
@click.option(
    "--show-codes",
    is_flag=True,
    help="Once loaded: give the demo's admin a new password and print it, with the licence's "
    "credit code and pickup code.",
)
@click.pass_context
def demo(ctx: click.Context, show_codes: bool) -> None:
    """Load the demo data set (the building, its companies, appeals in every state)."""
    from kiosk.db import utcnow
    from kiosk.services.demo import load_demo
    from kiosk.services.demo_applications import load_applications
    from kiosk.services.demo_codes import application_counts
    from kiosk.web import public_link

    app = app_for(ctx)
    settings = app.config["KIOSK"]
    upgrade(app.extensions["kiosk.engine"])
    # A request context, so the slips' QR links are built as the running kiosk builds them.
    base = settings.link_base
    with _sessions(app)() as session, app.test_request_context(base_url=base):
        result: dict[str, Any] = load_demo(
            session,
            settings,
            status_link=lambda token: public_link("public.appeal_status", token=token),
        )
        if result.get("already"):
            if show_codes:
                _echo_codes(session, settings.building)
            else:
                click.echo(
                    "demo data is already loaded (kiosk demo --show-codes gives its admin a new "
                    "password and prints it with the licence's codes)"
                )
            return
        # Applications seal resident IDs with the instance's key, so they need the app.
        licence = load_applications(
            session, settings, result["tenant_rows"], result["officer"], utcnow()
        )
        applications, claims = application_counts(session, settings.building)
    click.echo(
        f"demo data loaded: {result['tenants']} companies, {result['appeals']} appeals, "
        f"{applications} applications and {claims} claims, {result['policies']} policies, "
        f"{result['events']} events\n"
        "staff sign-in at /admin (username, role and unit / password; shown once):\n"
        + "".join(
            f"  {made.username} ({made.role.value}, {made.unit}) / {made.password}\n"
            for made in result["accounts"]
        )
        + f"a licence to collect at the kiosk (领取执照): {licence['uscc']}, "
        f"pickup code {licence['code']}\n"
        "(kiosk demo --show-codes gives the admin a new password and prints these codes again)"
    )


def _echo_codes(session: Any, building: str) -> None:
    """Print a new password for the demo's admin and the codes of each licence to collect."""
    from kiosk.services.demo_codes import show_codes

    codes = show_codes(session, building)
    if codes.username is None:
        click.echo("the demo's admin account is gone: kiosk staff create NAME --role admin")
    else:
        click.echo(
            f"staff sign-in at /admin: {codes.username} / {codes.password} (a new password: "
            "the one shown before no longer works)"
        )
    for uscc, code in codes.licences:
        click.echo(f"a licence to collect at the kiosk (领取执照): {uscc}, pickup code {code}")


def _edge_commands() -> None:
    from kiosk.edge.cli import edge, enrol

    main.add_command(enrol)
    main.add_command(edge)


_edge_commands()


def _notify_commands() -> None:
    from kiosk.notify_cli import notify

    main.add_command(notify)


_notify_commands()


def _reminder_commands() -> None:
    from kiosk.reminders_cli import reminders

    main.add_command(reminders)


_reminder_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
