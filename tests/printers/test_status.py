"""Decoding DLE EOT answers into a printer state, with bytes written from the Epson reference."""

from __future__ import annotations

import pytest

from printers import PrinterState, PrinterStatus
from printers.status import decode_status, is_status_byte, query_status

# Answers to DLE EOT 1, 2, 4: bits 1 and 4 always on (0x12), then the bits that say something.
READY = (0x12, 0x12, 0x12)


@pytest.mark.parametrize(
    ("answers", "state", "detail"),
    [
        (READY, PrinterState.READY, "ready"),
        ((0x12, 0x12, 0x1E), PrinterState.PAPER_NEAR_END, "paper near end"),  # n=4 bits 2-3
        ((0x12, 0x12, 0x16), PrinterState.PAPER_NEAR_END, "paper near end"),  # only bit 2
        ((0x1A, 0x32, 0x7E), PrinterState.PAPER_OUT, "paper out"),  # offline, paper-end stop
        ((0x12, 0x12, 0x72), PrinterState.PAPER_OUT, "paper out"),  # n=4 bits 5-6 alone
        ((0x1A, 0x16, 0x12), PrinterState.COVER_OPEN, "cover open"),  # n=2 bit 2
        ((0x1A, 0x36, 0x7E), PrinterState.COVER_OPEN, "cover open"),  # open to load paper
        ((0x1A, 0x12, 0x12), PrinterState.OFFLINE, "offline"),  # n=1 bit 3, no cause
        ((0x1A, 0x1A, 0x12), PrinterState.OFFLINE, "feeding paper"),  # FEED button held
        ((0x1A, 0x52, 0x12), PrinterState.OFFLINE, "printer error"),  # n=2 bit 6
        ((0x16, 0x12, 0x12), PrinterState.READY, "ready"),  # n=1 bit 2 is the drawer pin
    ],
)
def test_every_state_decodes(
    answers: tuple[int, int, int], state: PrinterState, detail: str
) -> None:
    status = decode_status(*answers)
    assert status.state is state
    assert status.detail.startswith(detail)


@pytest.mark.parametrize(
    ("answers", "detail"),
    [
        ((None, None, None), "no answer to DLE EOT 1"),
        ((0x12, None, None), "no answer to DLE EOT 2"),
        ((0x12, 0x12, None), "no answer to DLE EOT 4"),
        ((0xFF, 0x12, 0x12), "unexpected answer 0xFF to DLE EOT 1"),  # bits 0 and 7 set
        ((0x00, 0x12, 0x12), "unexpected answer 0x00 to DLE EOT 1"),  # fixed bits missing
        ((0x12, 0x13, 0x12), "unexpected answer 0x13 to DLE EOT 2"),  # bit 0 set
        ((0x12, 0x12, 0x92), "unexpected answer 0x92 to DLE EOT 4"),  # bit 7 set
        ((0x12, 0x12, 0x02), "unexpected answer 0x02 to DLE EOT 4"),  # bit 4 missing
        ((0x1A, 0x32, ord("A")), "unexpected answer 0x41"),  # an echo is not "paper out"
    ],
)
def test_missing_or_garbage_answers_are_unknown(
    answers: tuple[int | None, int | None, int | None], detail: str
) -> None:
    status = decode_status(*answers)
    assert status.state is PrinterState.UNKNOWN
    assert status.detail.startswith(detail)
    assert not status.can_print and not status.is_down


def test_fixed_bits() -> None:
    assert [value for value in range(256) if is_status_byte(value)][:4] == [0x12, 0x16, 0x1A, 0x1E]
    assert sum(map(is_status_byte, range(256))) == 16  # 4 fixed bits leave 2**4 answers


def test_query_asks_1_2_4_and_stops_at_the_first_silence() -> None:
    asked: list[int] = []

    def mute_after_one(n: int) -> int | None:
        asked.append(n)
        return 0x1A if n == 1 else None

    assert query_status(mute_after_one).detail == "no answer to DLE EOT 2"
    assert asked == [1, 2]  # n=4 would only cost another wait
    asked.clear()
    answers = {1: 0x12, 2: 0x12, 4: 0x1E}
    assert query_status(lambda n: asked.append(n) or answers[n]).state == "paper_near_end"
    assert asked == [1, 2, 4]


@pytest.mark.parametrize(
    ("state", "can_print", "is_down"),
    [
        ("ready", True, False),
        ("paper_near_end", True, False),
        ("paper_out", False, True),
        ("cover_open", False, True),
        ("offline", False, True),
        ("unknown", False, False),
    ],
)
def test_can_print_and_is_down(state: str, can_print: bool, is_down: bool) -> None:
    status = PrinterStatus(PrinterState(state), "x")
    assert (status.can_print, status.is_down) == (can_print, is_down)
    assert status.to_dict() == {"state": state, "detail": "x", "can_print": can_print}


def test_status_is_frozen_and_compares_by_value() -> None:
    status = PrinterStatus(PrinterState.READY)
    assert status == PrinterStatus(PrinterState("ready"), "")
    with pytest.raises(AttributeError):
        status.state = PrinterState.OFFLINE  # type: ignore[misc]
