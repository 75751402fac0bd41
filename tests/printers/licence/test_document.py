"""The licence's data: JSON round trip for the print outbox, checks, and the printed forms."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from printers.licence import (
    LicenceDocument,
    business_term_text,
    capital_in_words,
    format_date_cn,
)


def test_round_trips_through_json(make_licence: Callable[..., LicenceDocument]) -> None:
    doc = make_licence(copy=False, business_term="长期")
    row = json.loads(json.dumps(doc.to_dict(), ensure_ascii=False))
    assert row["established"] == "2026-03-01"
    assert LicenceDocument.from_dict(row) == doc


def test_from_dict_ignores_unknown_keys_and_fills_defaults(
    make_licence: Callable[..., LicenceDocument],
) -> None:
    row = make_licence().to_dict()
    del row["business_term"], row["copy"]
    row["printed_by"] = "a newer version"
    doc = LicenceDocument.from_dict(row)
    assert doc.business_term == "长期"
    assert doc.copy is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda row: row.pop("uscc"), "lacks uscc"),
        (lambda row: row.update(established="1st March"), "established '1st March'"),
        (lambda row: row.update(issue_date=None), "issue_date None"),
    ],
)
def test_from_dict_names_what_is_wrong(
    make_licence: Callable[..., LicenceDocument],
    change: Callable[[dict[str, object]], object],
    message: str,
) -> None:
    row = make_licence().to_dict()
    change(row)
    with pytest.raises(ValueError, match=message):
        LicenceDocument.from_dict(row)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "name is empty"),
        ({"authority": ""}, "authority is empty"),
        ({"uscc": "91430102MA4L0000"}, "uscc"),
        ({"uscc": "91430102ma4l00001f"}, "uscc"),  # the kiosk normalises before it prints
        ({"uscc": "91430102MA4L0000IO"}, "uscc"),  # I and O are not in GB 32100
        ({"verification_url": "javascript:alert(1)"}, "verification_url"),
    ],
)
def test_refuses_a_licence_nobody_could_use(
    make_licence: Callable[..., LicenceDocument], overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_licence(**overrides)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal(1_000_000), "壹佰万元整"),
        (500_000, "伍拾万元整"),
        (Decimal(100_000_000), "壹亿元整"),
        (Decimal(10_050), "壹万零伍拾元整"),
        (Decimal(1_001_000), "壹佰万零壹仟元整"),
        (Decimal(1_100_000), "壹佰壹拾万元整"),
        (Decimal(100_000_001), "壹亿零壹元整"),
        (Decimal(10), "壹拾元整"),
        (Decimal("1234.56"), "壹仟贰佰叁拾肆元伍角陆分"),
        (Decimal("1.05"), "壹元零伍分"),
        (Decimal("0.50"), "伍角"),
        (Decimal(0), "零元整"),
    ],
)
def test_capital_in_words(amount: Decimal, words: str) -> None:
    assert capital_in_words(amount) == words


def test_capital_refuses_a_negative_amount() -> None:
    with pytest.raises(ValueError, match="negative"):
        capital_in_words(Decimal(-1))


def test_dates_and_terms_as_printed() -> None:
    assert format_date_cn(date(2026, 3, 1)) == "2026年03月01日"
    assert business_term_text(date(2026, 3, 1)) == "2026年03月01日至长期"
    assert (
        business_term_text(date(2026, 3, 1), date(2046, 2, 28)) == "2026年03月01日至2046年02月28日"
    )
