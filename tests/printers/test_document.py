"""The Receipt model survives the JSON round trip through the print outbox."""

from __future__ import annotations

import json

from printers import Feed, QRCode, Receipt, Rule, Text
from tests.printers.conftest import sample_receipt


def test_to_dict_from_dict_round_trip() -> None:
    receipt = sample_receipt()
    assert Receipt.from_dict(receipt.to_dict()) == receipt


def test_round_trip_through_json_text() -> None:
    receipt = Receipt(
        (
            Text("诉求编号 SQ-20261124-0042\n第二行 𠮷 😀", align="right", size=2, bold=True),
            QRCode("https://example.gov.cn/q?类别=政策", size=4),
            Rule(),
            Feed(3),
        )
    )
    stored = json.dumps(receipt.to_dict(), ensure_ascii=False)
    restored = Receipt.from_dict(json.loads(stored))
    assert restored == receipt
    assert isinstance(restored.elements, tuple)
    assert [type(element) for element in restored.elements] == [Text, QRCode, Rule, Feed]


def test_to_dict_names_each_kind() -> None:
    kinds = [item["kind"] for item in sample_receipt().to_dict()["elements"]]
    assert kinds == ["text", "rule", "text", "text", "text", "rule", "qr", "text", "feed"]


def test_empty_receipt_round_trip() -> None:
    assert Receipt.from_dict(Receipt().to_dict()) == Receipt()
