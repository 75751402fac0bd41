"""What this kiosk's own screen is doing, held in the serve process's memory.

The touchscreen's page reports every few seconds which page it shows; the heartbeat carries
that to the fleet (the route only: "/policies/<int:policy_id>", never a tenant's answers).
The fleet agent sets here what the screen must do: reload, show a banner, pause.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from kiosk.db import utcnow


@dataclass(frozen=True)
class Report:
    """One report from the screen."""

    route: str  # the URL rule, for the fleet
    path: str  # the address, kept in this process only (for a screenshot)
    generation: int
    width: int
    height: int


class Screen:
    """The screen's last report, and what the fleet asked of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.route = ""
        self.path = "/"
        self.page_since: datetime | None = None
        self.seen_at: datetime | None = None
        self.width, self.height = 1080, 1920
        self.generation = 1  # bumped to make the screen reload
        self.seen_generation = 0
        self.paused_message: str | None = None
        self.banner = ""
        self.banner_until: datetime | None = None
        self.screenshot_nonce = ""  # pages loaded by our own screenshot browser say this

    def report(self, report: Report, now: datetime | None = None) -> None:
        """Record what the screen says it shows."""
        now = now or utcnow()
        with self._lock:
            if report.route != self.route or self.page_since is None:
                self.page_since = now
            self.route, self.path, self.seen_at = report.route, report.path, now
            self.width, self.height = report.width, report.height
            self.seen_generation = report.generation
            self._changed.notify_all()

    def reload(self) -> int:
        """Ask the screen to reload; return the generation it will report once it has."""
        with self._lock:
            self.generation += 1
            return self.generation

    def wait_for_generation(self, generation: int, timeout: float) -> bool:
        """Wait until the screen reports `generation` (it has reloaded); False on timeout."""
        with self._lock:
            return self._changed.wait_for(lambda: self.seen_generation >= generation, timeout)

    def set_state(
        self, paused_message: str | None, banner: str, banner_until: datetime | None
    ) -> None:
        """What the fleet says the screen shows (from the kiosk's row)."""
        with self._lock:
            self.paused_message, self.banner, self.banner_until = (
                paused_message,
                banner,
                banner_until,
            )

    def banner_now(self, now: datetime | None = None) -> str:
        """The banner a command put up, while it lasts."""
        now = now or utcnow()
        with self._lock:
            if self.banner and (self.banner_until is None or now < self.banner_until):
                return self.banner
            return ""
