"""`kiosk enrol URL CODE` on a terminal; `kiosk edge …` on either side."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from kiosk.edge import identity as enrolment


def _app(ctx: click.Context) -> Flask:
    from kiosk.cli import app_for as make

    return make(ctx)


@click.command("enrol")
@click.argument("url")
@click.argument("code")
@click.pass_context
def enrol(ctx: click.Context, url: str, code: str) -> None:
    """Enrol this terminal with the central at URL, using the admin's one-time CODE."""
    from kiosk.edge.client import Central, LinkDown, Refused

    app = _app(ctx)
    instance = Path(app.instance_path)
    try:
        central = Central(url, "")
        answer = central.call("POST", "/api/v1/edge/enrol", {"code": code}, authorised=False)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except LinkDown as exc:
        raise click.ClickException(f"the central did not answer: {exc}") from None
    except Refused as exc:
        raise click.ClickException(str(exc.body.get("message", exc))) from None
    body = answer.body
    identity = enrolment.Identity(
        central_url=central.base_url, kiosk_id=body["kiosk_id"], building=body["building"],
        name=body.get("name", ""), short_code=body["short_code"], token=body["token"],
        link_key=body["link_key"], public_keys=tuple(body["public_keys"]),
        public_url=body.get("public_url", ""),
    )  # fmt: skip
    enrolment.save(instance, identity)
    click.echo(
        f"enrolled as {identity.kiosk_id} ({identity.building}; its references carry "
        f"{identity.short_code}): set KIOSK_EDGE=true and run `kiosk serve`"
    )


@click.group("edge")
def edge() -> None:
    """A fleet's edge terminals: enrolment codes, the fleet's keys, syncing."""


@edge.command("code")
@click.argument("kiosk_id")
@click.option("--building", required=True, help="The building's code.")
@click.option("--name", default="", help="The kiosk's name for people.")
@click.option("--minutes", default=15, show_default=True, type=click.IntRange(1, 24 * 60))
@click.pass_context
def code(ctx: click.Context, kiosk_id: str, building: str, name: str, minutes: int) -> None:
    """On the central: a one-time code to enrol KIOSK_ID (shown once)."""
    from kiosk.edge.enrol import issue_code
    from kiosk.edge.sealing import ensure_fleet_keys
    from kiosk.errors import ValidationFailed

    app = _app(ctx)
    ensure_fleet_keys(Path(app.instance_path))
    with app.extensions["kiosk.sessionmaker"]() as db:
        try:
            issued = issue_code(db, kiosk_id, building, name, "cli", minutes=minutes)
        except ValidationFailed as exc:
            raise click.ClickException("; ".join(str(v) for v in exc.fields.values())) from None
    click.echo(issued.code)
    click.echo(f"(for {kiosk_id}, valid until {issued.expires_at:%H:%M} UTC, once)", err=True)


@edge.command("rotate-keys")
@click.pass_context
def rotate_keys(ctx: click.Context) -> None:
    """On the central: put a new fleet key pair first (terminals take it at their next sync)."""
    from kiosk.edge.sealing import key_id, rotate_fleet_keys

    app = _app(ctx)
    public = rotate_fleet_keys(Path(app.instance_path))
    click.echo(f"new fleet key {key_id(public)}: copy fleet.keys to every central server")


@edge.command("reseal")
@click.pass_context
def reseal(ctx: click.Context) -> None:
    """On the central: seal every stored resident ID again with the current fleet key."""
    from kiosk.edge.rotation import reseal_all

    app = _app(ctx)
    with app.app_context(), app.extensions["kiosk.sessionmaker"]() as db:
        changed = reseal_all(db)
    click.echo(f"{changed} applications sealed again with the current key")


@edge.command("sync")
@click.pass_context
def sync(ctx: click.Context) -> None:
    """On a terminal: hand the outbox over and copy reference data down, now."""
    from kiosk.edge.agent import EdgeAgent
    from kiosk.services.fleet.executors import EXECUTORS

    app = _app(ctx)
    if "kiosk.edge.identity" not in app.extensions:
        raise click.ClickException(
            "this is not an enrolled edge terminal (KIOSK_EDGE, kiosk enrol)"
        )
    agent = EdgeAgent(app, EXECUTORS)
    agent.tick(force_beat=True)
    link = agent.link
    if link.down:
        raise click.ClickException(f"the central did not answer: {link.error}")
    with app.extensions["kiosk.sessionmaker"]() as db:
        from kiosk.edge.outbox import depth

        click.echo(f"synced; {depth(db)} submissions still to hand over")
