"""Fixtures for the printer tests: a sample slip and fake network printers that stop themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from printers import Feed, QRCode, Receipt, Rule, Text
from tests.support.fake_printer import FakePrinter

TRACK_URL = "https://kiosk.example.gov.cn/track/SQ-20261124-0042"


def sample_receipt(case_number: str = "SQ-20261124-0042", url: str = TRACK_URL) -> Receipt:
    """A slip like the kiosk prints after a complaint is filed."""
    return Receipt(
        (
            Text("楼宇政务服务驿站", align="center", size=2, bold=True),
            Rule(),
            Text(f"诉求编号 {case_number}", bold=True),
            Text("类别：政策兑现"),
            Text("提交时间：2026-11-24 09:30"),
            Rule(),
            QRCode(url),
            Text("扫码查询办理进度", align="center"),
            Feed(1),
        )
    )


@pytest.fixture
def receipt() -> Receipt:
    """The sample slip."""
    return sample_receipt()


@pytest.fixture
def fake_printer() -> Iterator[Callable[..., FakePrinter]]:
    """Start fake printers with `fake_printer(mode, **options)`; all are stopped afterwards."""
    started: list[FakePrinter] = []

    def start(*args: Any, **kwargs: Any) -> FakePrinter:
        printer = FakePrinter(*args, **kwargs)
        started.append(printer)
        return printer

    yield start
    for printer in started:
        printer.stop()
