"""What goes on the paper: receipt slips built from domain objects, in the tenant's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import force_locale, format_date, format_datetime, gettext

from kiosk.config import Settings
from kiosk.models import Appeal, Application, Event, EventSignup
from kiosk.text import mask_mobile
from printers import Feed, QRCode, Receipt, Rule, Text


def appeal_slip(
    appeal: Appeal, settings: Settings, building_name: str, status_url: str
) -> dict[str, Any]:
    """The slip a tenant takes away after raising an appeal (as a JSON-ready document)."""
    with force_locale(appeal.locale):
        receipt = Receipt(
            (
                Text(settings.station_name, align="center", size=2, bold=True),
                Text(building_name, align="center"),
                Rule(),
                Text(gettext("Appeal receipt"), align="center", bold=True),
                Feed(),
                Text(gettext("Reference"), bold=True),
                Text(appeal.reference, size=2, bold=True),
                Text(
                    gettext(
                        "Submitted: %(when)s",
                        when=format_datetime(appeal.created_at, "yyyy-MM-dd HH:mm"),
                    )
                ),
                Text(gettext("Category: %(name)s", name=appeal.category.name(appeal.locale))),
                Text(
                    gettext("Contact mobile: %(mobile)s", mobile=mask_mobile(appeal.contact_mobile))
                ),
                Text(
                    gettext(
                        "Answer expected by: %(date)s",
                        date=format_date(appeal.due_date, "yyyy-MM-dd"),
                    )
                ),
                Rule(),
                QRCode(status_url),
                Text(gettext("Scan to follow your appeal"), align="center"),
                Rule(),
                Text(
                    gettext("Business environment hotline: %(hotline)s", hotline=settings.hotline),
                    align="center",
                ),
            )
        )
    return receipt.to_dict()


def application_slip(
    application: Application,
    task_title: str,
    lines: list[tuple[str, str]],
    settings: Settings,
    building_name: str,
    status_url: str,
) -> dict[str, Any]:
    """The slip after an application (or a fix of one): reference, pickup code, status QR.

    Called inside force_locale(application.locale) by the task, whose own lines follow the
    reference; personal numbers in `lines` are already masked.
    """
    body: list[Any] = [
        Text(settings.station_name, align="center", size=2, bold=True),
        Text(building_name, align="center"),
        Rule(),
        Text(task_title, align="center", bold=True),
        Feed(),
        Text(gettext("Reference number"), bold=True),
        Text(application.reference, size=2, bold=True),
        Text(gettext("Pickup code"), bold=True),
        Text(application.pickup_code, size=2, bold=True),
        Text(gettext("Keep this code: you need it to collect or to fix your application.")),
        Text(
            gettext(
                "Submitted: %(when)s",
                when=format_datetime(application.created_at, "yyyy-MM-dd HH:mm"),
            )
        ),
    ]
    body += [
        Text(gettext("%(label)s: %(value)s", label=label, value=value))
        for label, value in lines
        if value
    ]
    body += [
        Rule(),
        QRCode(status_url),
        Text(gettext("Scan to follow your application"), align="center"),
        Rule(),
        Text(
            gettext("Business environment hotline: %(hotline)s", hotline=settings.hotline),
            align="center",
        ),
    ]
    return Receipt(tuple(body)).to_dict()


def test_slip(settings: Settings, when: datetime, link: str) -> Receipt:
    """The slip `kiosk printer test` prints: which kiosk, the words, a QR code, the time."""
    return Receipt(
        (
            Text(settings.station_name, align="center", size=2, bold=True),
            Text(f"{settings.id} · {settings.building}", align="center"),
            Rule(),
            Text("打印测试 / Print test", align="center", size=2, bold=True),
            Text("中文 GB18030 · English · 0123456789", align="center"),
            QRCode(link),
            Text(when.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M:%S"), align="center"),
        )
    )


def event_slip(
    signup: EventSignup,
    event: Event,
    settings: Settings,
    building_name: str,
    status_url: str,
    position: int | None,
) -> dict[str, Any]:
    """The slip after signing up for an event: when and where, the reference, seat or waiting."""
    with force_locale(signup.locale):
        if position is None:
            standing = gettext("You have a place at this event.")
        else:
            standing = gettext("Waiting list: number %(n)s", n=position)
        when = format_datetime(event.starts_at, "yyyy-MM-dd HH:mm")
        until = format_datetime(event.ends_at, "HH:mm")
        if format_date(event.starts_at, "yyyy-MM-dd") != format_date(event.ends_at, "yyyy-MM-dd"):
            until = format_datetime(event.ends_at, "yyyy-MM-dd HH:mm")
        where = [Text(gettext("Place: %(place)s", place=event.place))] if event.place else []
        if event.online_url:
            where.append(Text(gettext("Online: %(url)s", url=event.online_url)))
        body: list[Any] = [
            Text(settings.station_name, align="center", size=2, bold=True),
            Text(building_name, align="center"),
            Rule(),
            Text(gettext("Event sign-up"), align="center", bold=True),
            Feed(),
            Text(event.title, bold=True),
            Text(gettext("Time: %(start)s to %(end)s", start=when, end=until)),
            *where,
            Rule(),
            Text(gettext("Reference number"), bold=True),
            Text(signup.reference, size=2, bold=True),
            Text(standing, bold=True),
            Text(gettext("Company: %(name)s", name=signup.company_name)),
            Text(gettext("Contact mobile: %(mobile)s", mobile=mask_mobile(signup.mobile))),
            Rule(),
            QRCode(status_url),
            Text(gettext("Scan to see your sign-up or to cancel it"), align="center"),
            Rule(),
            Text(
                gettext("Business environment hotline: %(hotline)s", hotline=settings.hotline),
                align="center",
            ),
        ]
    return Receipt(tuple(body)).to_dict()
