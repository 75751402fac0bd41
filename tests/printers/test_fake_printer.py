"""The fake network printer itself: status answers, and print bytes kept apart from them."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from tests.support.fake_printer import FakePrinter

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
