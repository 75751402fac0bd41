"""cups:// hands the bytes to `lp -o raw` and reads the queue's state from lpstat.

`lp` and `lpstat` are small shell scripts in tmp_path, put first on PATH.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from printers import (
    DEFAULT_PROFILE,
    CupsPrinter,
    PrinterConfigError,
    PrinterState,
    PrinterUnavailable,
    encode_receipt,
    open_receipt_printer,
)
from printers.cups import parse_lpstat
from tests.printers.conftest import sample_receipt

IDLE = """printer receipt is idle.  enabled since Tue 24 Nov 2026 09:00:00 CST
\tForm mounted:
\tContent types: any
\tAlerts: none
\tConnection: direct
"""


@pytest.fixture
def fake_cups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fake lp (saves its arguments and input) and lpstat (prints lpstat.out) on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "lp": f'printf "%s\\n" "$@" > {tmp_path}/lp.args\n'
        f"cat > {tmp_path}/lp.data\n"
        f"[ -f {tmp_path}/lp.fail ] && {{ cat {tmp_path}/lp.fail >&2; exit 1; }}\n"
        f"[ -f {tmp_path}/lp.sleep ] && exec sleep 5\n"
        'echo "request id is receipt-42 (1 file(s))"\n',
        "lpstat": f'printf "%s\\n" "$@" > {tmp_path}/lpstat.args\ncat {tmp_path}/lpstat.out\n',
    }
    for name, body in scripts.items():
        script = bin_dir / name
        script.write_text("#!/bin/sh\n" + body)
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "lpstat.out").write_text(IDLE)
    monkeypatch.setenv("PATH", str(bin_dir), prepend=":")
    return tmp_path


def open_cups(timeout: float = 3.0) -> CupsPrinter:
    printer = open_receipt_printer("cups://receipt", timeout=timeout)
    assert isinstance(printer, CupsPrinter)
    return printer


def test_the_job_goes_to_lp_raw(fake_cups: Path) -> None:
    printer = open_cups()
    printer.print_receipt(sample_receipt(), reprint=True)
    assert (fake_cups / "lp.args").read_text().split() == ["-d", "receipt", "-o", "raw"]
    expected = encode_receipt(sample_receipt(), profile=DEFAULT_PROFILE, reprint=True)
    assert (fake_cups / "lp.data").read_bytes() == expected
    assert printer.last_request == "receipt-42"
    assert (fake_cups / "lpstat.args").read_text().split() == ["-l", "-p", "receipt"]


def test_idle_queue_is_reachable_but_unknown(fake_cups: Path) -> None:
    status = open_cups().status()
    assert status.state is PrinterState.UNKNOWN
    assert status.detail == "queue idle; CUPS reports no paper or cover state"


def test_a_disabled_queue_is_offline_and_gets_no_job(fake_cups: Path) -> None:
    (fake_cups / "lpstat.out").write_text(
        "printer receipt disabled since Tue 24 Nov 2026 09:00:00 CST -\n"
        "\tUnplugged or turned off\n\tAlerts: offline-report\n"
    )
    printer = open_cups()
    with pytest.raises(PrinterUnavailable) as raised:
        printer.print_receipt(sample_receipt())
    assert raised.value.state is PrinterState.OFFLINE
    assert "queue disabled: Unplugged or turned off" in str(raised.value)
    assert not (fake_cups / "lp.data").exists()  # it would print whenever re-enabled


def test_lp_failure_is_reported(fake_cups: Path) -> None:
    (fake_cups / "lp.fail").write_text('lp: Destination "receipt" is not accepting jobs.\n')
    with pytest.raises(PrinterUnavailable) as raised:
        open_cups().print_receipt(sample_receipt())
    assert str(raised.value) == (
        'CUPS queue receipt did not take the job: lp: Destination "receipt" is not accepting jobs.'
    )
    assert raised.value.state is None


def test_lp_that_hangs_is_killed_at_the_timeout(fake_cups: Path) -> None:
    (fake_cups / "lp.sleep").write_text("")
    with pytest.raises(PrinterUnavailable, match=r"lp timed out after 0.3 s"):
        open_cups(timeout=0.3).print_receipt(sample_receipt())


def test_lpstat_error_is_offline(fake_cups: Path) -> None:
    (fake_cups / "bin" / "lpstat").write_text(
        "#!/bin/sh\necho 'lpstat: Invalid destination name in list \"receipt\".' >&2\nexit 1\n"
    )
    status = open_cups().status()
    assert status.state is PrinterState.OFFLINE
    assert status.detail == 'lpstat: Invalid destination name in list "receipt".'


def test_missing_lp_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterConfigError, match=r"need the lp command.*cups-client"):
        open_receipt_printer("cups://receipt")


@pytest.mark.parametrize(
    ("output", "state", "detail"),
    [
        (IDLE, "unknown", "queue idle"),
        (
            "printer receipt now printing receipt-7.  enabled since Tue\n\tAlerts: none\n",
            "unknown",
            "queue printing",
        ),
        (IDLE.replace("none", "media-empty-error"), "paper_out", "paper out"),
        (IDLE.replace("none", "media-needed"), "paper_out", "paper out"),
        (IDLE.replace("none", "cover-open-warning"), "cover_open", "cover open"),
        (IDLE.replace("none", "offline-report"), "offline", "printer offline"),
        (IDLE.replace("none", "media-low-report toner-low"), "paper_near_end", "paper near"),
        (
            "printer receipt is holding new jobs.  enabled since Tue\n\tAlerts: hold-new-jobs\n",
            "offline",
            "queue holding new jobs",
        ),
        ("printer receipt disabled since Tue -\n", "offline", "queue disabled"),
        ("printer other is idle.  enabled since Tue\n", "unknown", "lpstat did not describe"),
    ],
)
def test_lpstat_output(output: str, state: str, detail: str) -> None:
    status = parse_lpstat(output, "receipt")
    assert status.state == state
    assert status.detail.startswith(detail)
