"""The pinyin index: built from the packages' data, the same every time, kept in the instance."""

from __future__ import annotations

import gzip
import shutil
import time
from pathlib import Path

import pytest

from kiosk.keyboard import build
from kiosk.keyboard import index as index_module


def _texts(path: Path) -> set[str]:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    return {line.split("\t")[1] for line in lines if line.count("\t") == 2}


def test_the_build_is_deterministic_and_takes_seconds(index_folder: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    again = build.build(build.cache_path(tmp_path))
    assert time.perf_counter() - started < 15  # seconds, on a slow CI machine; ~2 s here
    assert again == build.cache_path(index_folder).read_bytes()


def test_the_index_holds_gb2312_and_common_phrases_only(index_folder: Path) -> None:
    texts = _texts(build.cache_path(index_folder))
    assert build.gb2312_hanzi() <= texts
    assert {"公司", "政务", "电梯", "西安", "有限公司", "营业执照"} <= texts
    assert all(len(text) <= 4 for text in texts)
    # jieba's 3 means "no count": such words are left out.
    never_counted = {w for w, n in build.jieba_frequencies().items() if n < 4 and len(w) > 1}
    assert not never_counted & texts


def test_the_cached_index_is_loaded_not_rebuilt(
    index_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "_loaded", {})
    cached = build.cache_path(tmp_path)
    shutil.copyfile(build.cache_path(index_folder), cached)
    monkeypatch.setattr(build, "build", _no_build)
    started = time.perf_counter()
    loaded = index_module.load(tmp_path)
    assert time.perf_counter() - started < 1.0  # seconds; ~0.05 s here
    assert loaded.stats().entries > 100_000
    assert index_module.load(tmp_path) is loaded  # then kept in memory


def _no_build(path: Path) -> bytes:
    raise AssertionError("the index was rebuilt although a good one was cached")


def test_a_damaged_or_old_cache_is_rebuilt(
    index_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "_loaded", {})
    cached = build.cache_path(tmp_path)
    cached.write_bytes(b"not an index")
    older = tmp_path / "keyboard-index-0-pypinyin0.1-jieba0.1.txt.gz"
    older.write_bytes(b"an index for other package versions")
    loaded = index_module.load(tmp_path)
    assert loaded.stats().entries > 100_000
    assert cached.read_bytes() == build.cache_path(index_folder).read_bytes()
    assert not older.exists()


def test_readings_without_tones() -> None:
    assert [build.toneless(r) for r in ("zhōng", "lǜ", "nǚ", "ê̄", "ń")] == [
        "zhong",
        "lv",
        "nv",
        "e",
        "en",
    ]
