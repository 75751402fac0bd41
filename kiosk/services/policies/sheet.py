"""The printed policy sheet (政策清单): a company's best matches and what to bring."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_decimal, get_locale, gettext

from kiosk.config import Settings
from kiosk.labels import BENEFIT
from kiosk.models import Policy
from kiosk.services.policies.matching import Match, Met
from printers import Feed, QRCode, Receipt, Rule, Text

MAX_POLICIES = 5


def amount_text(amount: Decimal | None) -> str:
    """An amount as people say it: 最高50万元 in Chinese, up to 500,000 yuan in English; ""
    for no fixed amount."""
    if amount is None:
        return ""
    locale = get_locale()
    chinese = locale is not None and locale.language == "zh"
    if chinese and amount >= 10_000 and amount % 100 == 0:
        return str(gettext("up to %(n)s ten-thousand yuan", n=format_decimal(amount / 10_000)))
    return str(gettext("up to %(n)s yuan", n=format_decimal(amount)))


def deadline_text(policy: Policy, today: date) -> str:
    """When applications close, or open (for an upcoming policy)."""
    if policy.opens_on is not None and policy.opens_on > today:
        return str(gettext("Opens %(date)s", date=format_date(policy.opens_on, "yyyy-MM-dd")))
    if policy.closes_on is None:
        return str(gettext("Open all year"))
    return str(gettext("Apply by %(date)s", date=format_date(policy.closes_on, "yyyy-MM-dd")))


def policy_sheet(
    company: str,
    matches: Sequence[Match],
    settings: Settings,
    today: date,
    link: Callable[[Policy], str],
) -> dict[str, Any]:
    """The sheet for `company`: up to five policies (title, benefit, deadline, a QR to the full
    text), then every material they ask for, once. Call inside the tenant's locale."""
    chosen = list(matches)[:MAX_POLICIES]
    body: list[Any] = [
        Text(settings.station_name, align="center", size=2, bold=True),
        Rule(),
        Text(gettext("Policies for your company"), align="center", bold=True),
        Text(company, align="center"),
        Text(format_date(today, "yyyy-MM-dd"), align="center"),
        Rule(),
    ]
    materials: list[str] = []
    for number, found in enumerate(chosen, start=1):
        policy = found.policy
        benefit = str(BENEFIT[policy.benefit])
        amount = amount_text(policy.max_amount)
        body += [
            Text(f"{number}. {policy.title}", bold=True),
            Text(gettext("Benefit: %(what)s", what=f"{benefit} {amount}".strip())),
            Text(deadline_text(policy, today)),
        ]
        confirm = [str(r.label) for r in found.reasons if r.met is Met.UNKNOWN]
        if confirm:
            body.append(Text(gettext("To confirm: %(what)s", what="; ".join(confirm))))
        body += [QRCode(link(policy), size=4), Feed()]
        materials += [m for m in policy.materials if m not in materials]
    if materials:
        body += [Rule(), Text(gettext("Materials to bring"), bold=True)]
        body += [Text(f"□ {item}") for item in materials]
    body += [
        Rule(),
        Text(gettext("Scan a code for the full text of the policy."), align="center"),
        Text(
            gettext("Business environment hotline: %(hotline)s", hotline=settings.hotline),
            align="center",
        ),
    ]
    return Receipt(tuple(body)).to_dict()
