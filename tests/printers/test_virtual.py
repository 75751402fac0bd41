"""virtual:// writes each slip as a PNG of what the printer would print."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers import (
    PrinterProfile,
    PrinterState,
    PrinterUnavailable,
    VirtualPrinter,
    open_receipt_printer,
    render_png,
)
from tests.printers.conftest import sample_receipt


def open_virtual(folder: Path, query: str = "") -> VirtualPrinter:
    printer = open_receipt_printer(f"virtual://{folder}{query}", timeout=2)
    assert isinstance(printer, VirtualPrinter)
    return printer


def test_each_job_is_one_png_file(tmp_path: Path) -> None:
    folder = tmp_path / "slips" / "lobby"  # created on the first job
    printer = open_virtual(folder, "?paper=58")
    assert printer.status().state is PrinterState.READY
    printer.print_receipt(sample_receipt("SQ-1"))
    printer.print_receipt(sample_receipt("SQ-2"), reprint=True)
    files = sorted(folder.iterdir())
    assert [path.suffix for path in files] == [".png", ".png"]
    assert printer.last_path == files[1]
    profile = PrinterProfile.for_paper(58)
    assert files[0].read_bytes() == render_png(sample_receipt("SQ-1"), profile=profile)
    expected = render_png(sample_receipt("SQ-2"), profile=profile, reprint=True)
    assert files[1].read_bytes() == expected


def test_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    printer = open_virtual(blocker / "slips")
    assert printer.status().state is PrinterState.OFFLINE
    with pytest.raises(PrinterUnavailable, match=r"virtual printer .* cannot write"):
        printer.print_receipt(sample_receipt())
