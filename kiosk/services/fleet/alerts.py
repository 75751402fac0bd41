"""Alerts leave by webhook: a JSON POST to `alert_webhook_url`, retried a few times.

Several kiosks may try to deliver the same alert: each attempt is taken with a guarded UPDATE
on the attempt count that also sets a lease (`next_attempt_at`), so only one process sends it
and nobody tries again while it is on its way.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import Kiosk, KioskAlert

log = logging.getLogger("kiosk.fleet")
ATTEMPTS = 5
TIMEOUT = 5.0  # seconds per POST
LEASE = timedelta(seconds=60)  # a taken alert is left alone this long (well over TIMEOUT)
BACKOFF = timedelta(seconds=30)  # times the attempts made, before trying a failed one again


def payload(alert: KioskAlert, kiosk: Kiosk | None) -> dict[str, object]:
    """What the webhook receives."""
    return {
        "alert": alert.id,
        "kind": alert.kind,
        "kiosk": alert.kiosk_id,
        "name": kiosk.name if kiosk else "",
        "building": kiosk.building_code if kiosk else "",
        "from": alert.state_from,
        "to": alert.state_to,
        "at": alert.at.isoformat(),
        "last_seen_at": kiosk.last_seen_at.isoformat() if kiosk and kiosk.last_seen_at else None,
    }


def _post(url: str, body: dict[str, object]) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - an http(s) URL, checked by the settings
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        response.read()


def deliver(db: Session, url: str) -> int:
    """Send alerts not yet delivered; return how many went out."""
    if not url:
        return 0
    now = utcnow()
    waiting = select(KioskAlert).where(
        KioskAlert.delivered_at.is_(None),
        KioskAlert.attempts < ATTEMPTS,
        (KioskAlert.next_attempt_at.is_(None)) | (KioskAlert.next_attempt_at <= now),
    )
    sent = 0
    for alert in db.scalars(waiting.order_by(KioskAlert.id)).all():
        with transaction(db):
            taken = db.execute(
                update(KioskAlert)
                .where(KioskAlert.id == alert.id, KioskAlert.attempts == alert.attempts)
                .values(attempts=alert.attempts + 1, next_attempt_at=now + LEASE)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
        if taken != 1:
            continue  # another kiosk is sending it
        error = ""
        try:
            _post(url, payload(alert, db.get(Kiosk, alert.kiosk_id)))
        except OSError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("alert %s not delivered: %s", alert.id, error)
        with transaction(db):
            db.execute(
                update(KioskAlert)
                .where(KioskAlert.id == alert.id)
                .values(
                    delivered_at=None if error else utcnow(),
                    next_attempt_at=utcnow() + BACKOFF * (alert.attempts + 1) if error else None,
                    last_error=error,
                )
                .execution_options(synchronize_session=False)
            )
        sent += not error
    return sent
