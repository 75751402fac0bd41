"""Each transport's URL shape and options are checked when the config is read."""

from __future__ import annotations

import pytest

from printers import PrinterConfigError, PrinterURL, parse_printer_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("usb://0416:5011", PrinterURL("usb", host="0416:5011")),
        ("usb://0x0416:0x5011", PrinterURL("usb", host="0416:5011")),
        ("USB://4B8:E15", PrinterURL("usb", host="04b8:0e15")),
        (
            "usb://0416:5011?in_ep=0x81&out_ep=2",
            PrinterURL("usb", host="0416:5011", options={"in_ep": "0x81", "out_ep": "2"}),
        ),
        ("serial:///dev/ttyUSB0", PrinterURL("serial", path="/dev/ttyUSB0")),
        (
            "serial:///dev/ttyS0?baudrate=115200&paper=58",
            PrinterURL("serial", path="/dev/ttyS0", options={"baudrate": "115200", "paper": "58"}),
        ),
        ("file:///dev/usb/lp0", PrinterURL("file", path="/dev/usb/lp0")),
        ("file://localhost/tmp/slips.bin", PrinterURL("file", path="/tmp/slips.bin")),
        ("file:///tmp/with%20space", PrinterURL("file", path="/tmp/with space")),
        ("cups://Receipt_80mm", PrinterURL("cups", host="Receipt_80mm")),
        ("cups://lobby-1.receipt/", PrinterURL("cups", host="lobby-1.receipt")),
        ("virtual:///var/lib/kiosk/slips/", PrinterURL("virtual", path="/var/lib/kiosk/slips")),
        ("dummy://?state=PAPER_OUT", PrinterURL("dummy", options={"state": "PAPER_OUT"})),
    ],
)
def test_good_urls(url: str, expected: PrinterURL) -> None:
    assert parse_printer_url(url) == expected


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("usb://", "''"),
        ("usb://0416", "'0416' is not a vendor:product id"),
        ("usb://0416:zz", "'0416:zz'"),
        ("usb://0416:5011:1", "'0416:5011:1'"),
        ("usb://12345:5011", "'12345:5011'"),
        ("usb://0000:5011", "'0000:5011'"),
        ("usb://0416:5011/1", "'/1'"),
        ("usb://0416:5011?in_ep=0x01", "in_ep=0x01 is not a USB IN endpoint 0x81-0x8f"),
        ("usb://0416:5011?in_ep=82", "in_ep=82"),  # decimal 82 is 0x52, an OUT address
        ("usb://0416:5011?out_ep=0x82", "out_ep=0x82 is not a USB OUT endpoint"),
        ("usb://0416:5011?out_ep=one", "out_ep=one"),
        ("usb://0416:5011?baudrate=9600", "unknown option 'baudrate'"),
        ("serial://", "is not a device path"),
        ("serial://ttyUSB0", "'ttyUSB0'"),
        ("serial:///dev/", "'/dev/'"),
        ("serial:///dev/ttyUSB0?baudrate=9601", "baudrate=9601 is not one of 1200, 2400"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate=fast"),
        ("serial:///dev/ttyUSB0?baudrate=", "baudrate="),
        ("serial:///dev/ttyUSB0?in_ep=0x81", "unknown option 'in_ep'"),
        ("file://", "'' is not an absolute path"),
        ("file://printer/dev/usb/lp0", "names no host ('printer')"),
        ("file:///dev/usb/", "'/dev/usb/'"),
        ("file:///dev/usb/lp0?paper=57", "paper=57"),
        ("file:///tmp/a%00b", "'/tmp/a\\x00b'"),
        ("serial:///dev/tty%00", "is not a device path"),
        ("virtual:///tmp/%00", "is not an absolute folder path"),
        ("cups://", "'' is not a CUPS queue name"),
        ("cups://-d", "'-d'"),
        ("cups://a b", "'a b'"),
        ("cups://queue/extra", "'/extra'"),
        ("cups://a@server", "'a@server'"),
        ("virtual://", "is not an absolute folder path"),
        ("virtual://slips", "'slips'"),
        ("dummy://?state=jammed", "state=jammed is not one of ready, paper_near_end"),
        ("dummy://somewhere", "names no host or path"),
        ("tcp://h?state=ready", "unknown option 'state'"),
        ("tcp://[::1", "Invalid IPv6 URL"),
        ("dummy://?font=big5", "font=big5"),
    ],
)
def test_bad_urls_name_the_value(url: str, named: str) -> None:
    with pytest.raises(PrinterConfigError) as raised:
        parse_printer_url(url)
    assert str(raised.value).startswith(f"printer URL {url!r}: ")
    assert named in str(raised.value)


def test_unknown_option_lists_the_schemes_own_options() -> None:
    with pytest.raises(
        PrinterConfigError, match=r"known: paper, chinese, font, qr, confirm, in_ep, out_ep"
    ):
        parse_printer_url("usb://0416:5011?colour=red")


def test_str_gives_back_a_usable_url() -> None:
    for url in ("usb://0416:5011", "serial:///dev/ttyUSB0", "file:///dev/usb/lp0", "cups://r"):
        assert str(parse_printer_url(url)) == url
