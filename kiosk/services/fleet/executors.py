"""What each remote command does on the kiosk that picks it up.

Each executor returns (ok, result, attachment). A command that asks the screen or the printer
to act waits, briefly, for the proof that it did: the test page printed, the screen reloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask_babel import force_locale, format_datetime, gettext

from kiosk.db import transaction, utcnow
from kiosk.models import CommandKind, KioskCommand, PrintJob, PrintStatus, Scope
from kiosk.services import tokens
from kiosk.services.printing import outbox
from printers import Receipt
from printers.document import Rule, Text

if TYPE_CHECKING:
    from kiosk.services.fleet.agent import Executor, FleetAgent

Result = tuple[bool, dict[str, Any], bytes | None]
PRINT_WAIT = 30.0  # seconds a test print may take to leave
RELOAD_WAIT = 20.0  # seconds for the screen to come back after a reload
SHOT_TIMEOUT = 30.0  # seconds for the screenshot browser
TOKEN_FILE = "kiosk.token"  # noqa: S105 - the file's name in the instance folder


def test_print(agent: FleetAgent, command: KioskCommand) -> Result:
    """Print a test page on the receipt printer and wait until it has left (or failed)."""
    settings = agent.settings
    with force_locale(settings.default_locale):
        document = Receipt(
            (
                Text(settings.station_name, align="center", bold=True),
                Rule(),
                Text(gettext("Printer test page"), align="center", size=2, bold=True),
                Text(gettext("Kiosk: %(name)s", name=settings.display_name)),
                Text(format_datetime(utcnow(), "yyyy-MM-dd HH:mm:ss")),
                Text(gettext("If you can read this, the slip printer works.")),
            )
        ).to_dict()
    with agent.session() as db, transaction(db):
        job = outbox.enqueue(
            db, kiosk_id=settings.id, kind="test_page", subject=f"command-{command.id}",
            document=document,
        )  # fmt: skip
        job_id = job.id
    worker = agent.app.extensions.get("kiosk.print_worker")
    if worker is not None:
        worker.wake()
    deadline = time.monotonic() + PRINT_WAIT
    while time.monotonic() < deadline:
        with agent.session() as db:
            found = db.get(PrintJob, job_id)
            assert found is not None
            job = found
            if job.status in (PrintStatus.PRINTED, PrintStatus.SENT):
                # "printed": the printer confirmed it; "sent": it cannot confirm (or dummy://)
                status = job.status.value
                return (
                    True,
                    {"job": job_id, "status": status, "confirmation": job.confirmation},
                    None,
                )
            if job.status in (
                PrintStatus.FAILED, PrintStatus.CANCELLED, PrintStatus.EXPIRED,
                PrintStatus.IN_DOUBT,
            ):  # fmt: skip
                return False, {"job": job_id, "status": job.status.value,
                               "error": job.last_error}, None  # fmt: skip
            error = job.last_error
        time.sleep(0.2)
    return False, {"job": job_id, "status": "waiting", "error": error or "not sent in time"}, None


def reload(agent: FleetAgent, command: KioskCommand) -> Result:
    """Make the screen reload, and wait until the reloaded page reports."""
    generation = agent.screen.reload()
    if agent.screen.wait_for_generation(generation, RELOAD_WAIT):
        return True, {"generation": generation, "page": agent.screen.route}, None
    error = f"the screen did not report back within {RELOAD_WAIT:g} s"
    return False, {"generation": generation, "error": error}, None


def announce(agent: FleetAgent, command: KioskCommand) -> Result:
    """Show a banner on every page of the screen for a number of minutes."""
    until = utcnow() + timedelta(minutes=int(command.payload["minutes"]))
    agent.set_screen(banner=command.payload["text"], banner_until=until)
    return True, {"until": until.isoformat()}, None


def pause(agent: FleetAgent, command: KioskCommand) -> Result:
    """Take the screen out of service, with a message ("维护中"), until resumed."""
    agent.set_screen(paused_message=command.payload.get("message", ""))
    agent.screen.reload()
    return True, {"paused": True}, None


def resume(agent: FleetAgent, command: KioskCommand) -> Result:
    """Put the screen back in service."""
    agent.set_screen(paused_message=None)
    agent.screen.reload()
    return True, {"paused": False}, None


def _browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(agent: FleetAgent, command: KioskCommand) -> Result:
    """A PNG of the page the screen shows, rendered by a headless Chromium on this box.

    It loads the same address in a fresh, empty session: what a new visitor would see there,
    never the current tenant's answers."""
    browser, base_url = _browser(), agent.app.extensions.get("kiosk.self_url")
    if browser is None or not base_url:
        return False, {"error": "no headless browser or no local address on this kiosk"}, None
    screen = agent.screen
    nonce = os.urandom(8).hex()
    screen.screenshot_nonce = nonce
    separator = "&" if "?" in screen.path else "?"
    url = f"{base_url}{screen.path}{separator}screenshot={nonce}"
    with tempfile.TemporaryDirectory(prefix="kiosk-shot-") as folder:
        out = Path(folder) / "screen.png"
        args = [
            browser, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            f"--user-data-dir={folder}/profile", f"--window-size={screen.width},{screen.height}",
            "--virtual-time-budget=3000", f"--screenshot={out}", url,
        ]  # fmt: skip
        # It loads only this kiosk's own pages, from loopback, in an empty session; the serve
        # process's own confinement (deploy/systemd) stands in for Chromium's sandbox, which
        # needs user namespaces that unit does not grant.
        args.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(  # noqa: S603 - our own arguments, no shell
                args, capture_output=True, timeout=SHOT_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            return False, {"error": f"the browser took over {SHOT_TIMEOUT:g} s"}, None
        finally:
            screen.screenshot_nonce = ""
        if not out.exists():
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            return False, {"error": "the browser made no picture", "browser": said}, None
        png = out.read_bytes()
    size = {"width": screen.width, "height": screen.height}
    return True, {"page": screen.route, "bytes": len(png), **size}, png


def rotate_token(agent: FleetAgent, command: KioskCommand) -> Result:
    """Replace this kiosk's API token: a new one in the instance folder, the old ones revoked."""
    kiosk_id = agent.base_settings.id
    with agent.session() as db:
        made = tokens.rotate_for_kiosk(db, kiosk_id, Scope.OPERATE)
    path = Path(agent.app.instance_path) / TOKEN_FILE
    temporary = path.with_suffix(".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(made.new.token + "\n")
    temporary.replace(path)
    return True, {"key": made.new.row.key, "revoked": made.revoked}, None


EXECUTORS: dict[str, Executor] = {
    CommandKind.TEST_PRINT.value: test_print,
    CommandKind.RELOAD.value: reload,
    CommandKind.ANNOUNCE.value: announce,
    CommandKind.PAUSE.value: pause,
    CommandKind.RESUME.value: resume,
    CommandKind.SCREENSHOT.value: screenshot,
    CommandKind.ROTATE_TOKEN.value: rotate_token,
}
