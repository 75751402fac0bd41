"""The fake network printer itself: status answers, print bytes kept apart from them, and
its paper speed."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from tests.support.fake_printer import FakePrinter
from tests.support.paper_length import paper_mm

Start = Callable[..., FakePrinter]


def talk(fake: FakePrinter, *parts: bytes, answers: int = 0) -> bytes:
    """Send `parts` as separate packets on one connection; read `answers` bytes back."""
    with socket.create_connection((fake.host, fake.port), timeout=2) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for part in parts:
            sock.sendall(part)
            time.sleep(0.01)  # seconds: lets the fake read each part on its own
        received = b""
        while len(received) < answers:
            chunk = sock.recv(answers - len(received))
            if not chunk:
                break
            received += chunk
    return received


def test_answers_each_state_and_keeps_queries_out_of_the_job(fake_printer: Start) -> None:
    fake = fake_printer()
    assert talk(fake, b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04", answers=3) == b"\x12" * 3
    fake.state = "paper_out"
    answers = talk(fake, b"\x10\x04\x01\x10\x04\x02\x10\x04\x04", b"\x1b@hi\n", answers=3)
    assert answers == b"\x1a\x32\x7e"
    first, second = fake.wait_for_closed(2)
    assert (first.queries, first.print_bytes) == ([1, 2, 4], b"")
    assert (second.queries, second.print_bytes) == ([1, 2, 4], b"\x1b@hi\n")
    assert fake.jobs == [b"\x1b@hi\n"]  # the status-only connection is not a job


def test_a_request_split_across_packets_is_still_a_request(fake_printer: Start) -> None:
    fake = fake_printer(state="cover_open")
    assert talk(fake, b"\x10", b"\x04", b"\x02", answers=1) == b"\x16"
    (connection,) = fake.wait_for_closed(1)
    assert connection.queries == [2]


def test_after_the_first_print_byte_everything_is_print_data(fake_printer: Start) -> None:
    fake = fake_printer()
    talk(fake, b"\x1b@", b"\x10\x04\x01", b"\x10\x04\x09")
    (job,) = fake.wait_for_jobs(1)
    assert job == b"\x1b@\x10\x04\x01\x10\x04\x09"
    assert fake.history[0].queries == []


def test_mute_reads_but_never_answers(fake_printer: Start) -> None:
    fake = fake_printer(state="mute")
    with socket.create_connection((fake.host, fake.port), timeout=0.2) as sock:
        sock.sendall(b"\x10\x04\x01")
        sock.settimeout(0.2)
        try:
            answer = sock.recv(1)
        except TimeoutError:
            answer = b""
        sock.sendall(b"\x1b@x\n")
    assert answer == b""
    assert fake.wait_for_jobs(1) == [b"\x1b@x\n"]


def test_at_a_paper_speed_a_slip_is_confirmed_once_its_paper_has_moved(
    fake_printer: Start,
) -> None:
    # 10 lines, an 80-row image, ESC d 6 and a cut: a line is 1/6 inch (203 / 6 dots) and
    # there are 8 dots a mm, so 16 lines and 80 rows are 77.7 mm
    lines = b"\x1b@" + b"line\n" * 10
    image = b"\x1dv0\x00\x01\x00\x50\x00" + b"\xff" * 80
    rest = image + b"\x1bd\x06\x1dV\x00"
    line = 203 / 6 / 8  # mm
    assert paper_mm(lines) == pytest.approx(10 * line)
    assert paper_mm(lines + rest) == pytest.approx(16 * line + 80 / 8)
    fake = fake_printer(paper_mm_per_second=400)
    first, second = b"\x1d(H\x06\x0000" + b"0001", b"\x1d(H\x06\x0000" + b"0002"
    with socket.create_connection((fake.host, fake.port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(lines + first + rest + second)
        answers: list[tuple[bytes, float]] = []
        for _ in range(2):
            answer = b""
            while len(answer) < 7:
                answer += sock.recv(7 - len(answer))
            answers.append((answer, time.monotonic() - started))
    # lower bounds only: a loaded machine may answer later, never sooner than the paper
    assert answers[0][0] == b"\x37\x22" + b"0001\x00"
    assert answers[0][1] >= paper_mm(lines) / 400
    assert answers[1][0] == b"\x37\x22" + b"0002\x00"
    assert answers[1][1] >= paper_mm(lines + rest) / 400  # seconds: 0.19
    (slip,) = fake.out()
    assert slip.cut
    assert slip.data == lines + rest
