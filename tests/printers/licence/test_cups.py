"""A licence through a real CUPS queue: a private cupsd on a loopback port, a cups-pdf queue
writing into a temporary folder, and the text read back out of the PDF that comes out.

Needs the Debian packages cups and printer-driver-cups-pdf, and root: cups-pdf is a root-only
backend and reads its per-queue settings from /etc/cups/cups-pdf-<name>.conf (the one file
this test writes outside its temporary folder, and removes). The system's own cupsd, if any,
is not touched.
"""

from __future__ import annotations

import grp
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from printers.base import PrinterUnavailable
from printers.licence import LicenceDocument, open_licence_printer, render_licence_pdf
from tests.printers.licence.conftest import pypdf_text

PACKAGES = "cups printer-driver-cups-pdf"
PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_CONFIG = Path("/etc/cups")  # compiled into cups-pdf; not the cupsd ServerRoot
START_TIMEOUT = 10.0  # seconds for cupsd to answer
PRINT_TIMEOUT = 15.0  # seconds for a job to come out as a PDF (about 0.5 s here)
COMMAND_TIMEOUT = 10.0  # seconds for any one CUPS command


@dataclass(frozen=True)
class PrivateCups:
    """A running private cupsd with one cups-pdf queue."""

    server: str  # 127.0.0.1:PORT
    queue: str
    output: Path  # where cups-pdf writes the PDFs
    logs: Path

    @property
    def url(self) -> str:
        """The licence printer URL for the queue."""
        return f"cups://{self.server}/{self.queue}"

    def run(self, program: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run a CUPS client command against this server."""
        return subprocess.run(
            [_program(program), "-h", self.server, *arguments],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env={**os.environ, "LC_ALL": "C"},
            check=False,
        )

    def diagnostics(self) -> str:
        """The tail of every log, for a failure message."""
        parts = []
        for log in sorted(self.logs.iterdir()):
            lines = log.read_text(errors="replace").splitlines()[-25:]
            parts.append(f"--- {log.name}\n" + "\n".join(lines))
        return "\n".join(parts)


def _program(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if found is None:
        pytest.skip(f"{name} is not installed (Debian packages: {PACKAGES})")
    return found


def _require_cups_pdf() -> None:
    for name in ("cupsd", "lpadmin", "lp", "lpstat"):
        _program(name)
    if not BACKEND.exists() or not PPD.exists():
        pytest.skip(f"the cups-pdf backend is not installed (Debian package: {PACKAGES})")
    if os.geteuid() != 0 or not os.access(CUPS_PDF_CONFIG, os.W_OK):
        pytest.skip("cups-pdf runs only as root and reads its settings from /etc/cups")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_config(root: Path, port: int) -> tuple[Path, Path]:
    for name in ("etc", "spool/tmp", "log", "cache", "run", "out", "cups-pdf-spool"):
        (root / name).mkdir(parents=True, exist_ok=True)
    cupsd_conf = root / "etc" / "cupsd.conf"
    # No authentication: only this machine's loopback can reach it, for the few seconds it runs.
    cupsd_conf.write_text(
        f"Listen 127.0.0.1:{port}\nLogLevel debug\nBrowsing No\nBrowseLocalProtocols none\n"
        "WebInterface No\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow from 127.0.0.1\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order allow,deny\n    Allow from 127.0.0.1\n"
        "  </Limit>\n</Policy>\n"
    )
    files_conf = root / "etc" / "cups-files.conf"
    files_conf.write_text(
        f"ServerRoot {root}/etc\nRequestRoot {root}/spool\nTempDir {root}/spool/tmp\n"
        f"StateDir {root}/run\nCacheDir {root}/cache\n"
        f"AccessLog {root}/log/access_log\nErrorLog {root}/log/error_log\n"
        f"PageLog {root}/log/page_log\nServerBin /usr/lib/cups\nDataDir /usr/share/cups\n"
        "User lp\nGroup lp\nSystemGroup root\n"
    )
    return cupsd_conf, files_conf


def _wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def private_cups() -> Iterator[PrivateCups]:
    """Start a private cupsd with a cups-pdf queue; stop it and remove everything afterwards."""
    _require_cups_pdf()
    # Not pytest's tmp_path: that is 0700, and CUPS runs its filters as the unprivileged "lp".
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    root.chmod(0o755)
    tag = f"kiosk-test-{secrets.token_hex(4)}"
    cups_pdf_conf = CUPS_PDF_CONFIG / f"cups-pdf-{tag}.conf"
    process: subprocess.Popen[bytes] | None = None
    try:
        port = _free_port()
        cupsd_conf, files_conf = _write_config(root, port)
        cupsd = _program("cupsd")
        test = subprocess.run(
            [cupsd, "-t", "-c", str(cupsd_conf), "-s", str(files_conf)],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        assert test.returncode == 0, f"cupsd -t rejected the config: {test.stdout}{test.stderr}"
        cups_pdf_conf.write_text(
            f"Out {root}/out\nAnonDirName {root}/out\nSpool {root}/cups-pdf-spool\n"
            f"Log {root}/log\nLogType 7\nGrp {grp.getgrgid(0).gr_name}\nUserUMask 0022\n"
            "TitlePref 1\n"
        )
        with open(root / "log" / "cupsd.out", "wb") as output:
            process = subprocess.Popen(
                [cupsd, "-f", "-c", str(cupsd_conf), "-s", str(files_conf)],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in pytest does not reach it first
            )
        cups = PrivateCups(f"127.0.0.1:{port}", f"kiosk-pdf-{tag[-8:]}", root / "out", root / "log")
        running = _wait_until(
            lambda: (
                process is not None
                and process.poll() is None
                and "scheduler is running" in cups.run("lpstat", "-r").stdout
            ),
            START_TIMEOUT,
        )
        assert running, f"cupsd did not start on {cups.server}\n{cups.diagnostics()}"
        added = cups.run(
            "lpadmin", "-p", cups.queue, "-E", "-v", f"cups-pdf:/{tag}", "-P", str(PPD),
            # pdftocairo keeps the text searchable; the default Ghostscript route turns the
            # embedded CJK subsets into glyphs without Unicode, so nothing could be read back.
            "-o", "pdftops-renderer-default=pdftocairo",
        )  # fmt: skip
        assert added.returncode == 0, f"lpadmin: {added.stderr}\n{cups.diagnostics()}"
        yield cups
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=COMMAND_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=COMMAND_TIMEOUT)
        cups_pdf_conf.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


def _completed(cups: PrivateCups, job_id: str) -> bool:
    listing = cups.run("lpstat", "-W", "completed", "-o", cups.queue).stdout
    return any(line.split()[:1] == [job_id] for line in listing.splitlines())


def test_a_licence_prints_through_cups_as_a_searchable_pdf(
    private_cups: PrivateCups, make_licence: Callable[..., LicenceDocument]
) -> None:
    doc = make_licence()
    printer = open_licence_printer(private_cups.url, timeout=COMMAND_TIMEOUT)
    assert printer.status().state == "ready"
    printer.print_pdf(render_licence_pdf(doc), name="YZ-20261124-0007 长沙芙蓉")
    job_id = getattr(printer, "last_job_id", None)
    assert job_id and job_id.startswith(private_cups.queue)
    done = _wait_until(lambda: _completed(private_cups, job_id), PRINT_TIMEOUT)
    assert done, f"job {job_id} did not complete\n{private_cups.diagnostics()}"
    outputs = list(private_cups.output.glob("*.pdf"))
    assert len(outputs) == 1, f"{outputs}\n{private_cups.diagnostics()}"
    text = pypdf_text(outputs[0].read_bytes())
    assert doc.name in text
    assert doc.uscc in text
    assert "营业执照" in text


def test_cups_status_and_refusals(private_cups: PrivateCups) -> None:
    missing = open_licence_printer(f"cups://{private_cups.server}/no-such-queue", timeout=5)
    assert missing.status().state == "offline"
    with pytest.raises(PrinterUnavailable, match="no-such-queue"):
        missing.print_pdf(b"%PDF-1.4\n%%EOF\n", name="x")

    printer = open_licence_printer(private_cups.url, timeout=5)
    assert private_cups.run("cupsreject", "-r", "out of paper", private_cups.queue).returncode == 0
    try:
        status = printer.status()
        assert (status.state, status.ready) == ("stopped", False)
        with pytest.raises(PrinterUnavailable, match="not accepting"):
            printer.print_pdf(b"%PDF-1.4\n%%EOF\n", name="x")
    finally:
        private_cups.run("cupsaccept", private_cups.queue)
    assert printer.status().state == "ready"
