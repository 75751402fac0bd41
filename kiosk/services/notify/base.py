"""What a provider is handed, and what it must do with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from kiosk.models import Channel


@dataclass(frozen=True)
class Outgoing:
    """One message, ready to leave: the recipient, the template and its values, the text."""

    id: int
    channel: Channel
    template: str  # the event, e.g. "appeal_answered"
    locale: str
    recipient: str = ""  # a mobile number, for SMS
    recipient_masked: str = ""
    params: dict[str, str] = field(default_factory=dict)  # the template's values
    title: str = ""
    text: str = ""  # the whole message in its language (the log, the robots)


class Provider(Protocol):
    """Sends one message; returns the provider's id for it, or raises SendFailed."""

    name: str

    def send(self, message: Outgoing) -> str:
        """Hand the message over."""
        ...
