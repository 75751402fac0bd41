"""Vendored front-end libraries are the published files, unchanged, with their licences."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"


def test_echarts_is_the_published_file_with_its_licence() -> None:
    folder = VENDOR / "echarts"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    expected = re.search(r"sha256 `([0-9a-f]{64})`", readme)
    assert expected is not None, "the README names the file's checksum"
    digest = hashlib.sha256((folder / "echarts.common.min.js").read_bytes()).hexdigest()
    assert digest == expected.group(1)
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert (folder / "NOTICE").is_file()
