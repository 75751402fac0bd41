"""How fast is the on-screen keyboard, and how big is its pinyin index? Prints figures only.

    .venv/bin/python bench/keyboard.py [--words 40] [--repeat 300]

1. The index: build time from pypinyin + jieba, file size, load time from the cache, entries.
2. Server side: `candidates()` per lookup in-process (the building's words included), and the
   HTTP round trip of GET /keyboard/candidates against a running `kiosk serve`.
3. In the browser (Debian's Chromium through Playwright, on the same machine as the server):
   from a key's tap (its click, where the key acts) to the candidate bar holding the new
   candidates (a MutationObserver), and to the next animation frame; bytes fetched per lookup.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.keyboard import BuildingTexts, candidates  # noqa: E402
from kiosk.keyboard import build as index_build  # noqa: E402
from kiosk.keyboard.building import make_lexicon  # noqa: E402
from kiosk.keyboard.index import Index  # noqa: E402
from kiosk.services.demo import COMPANIES  # noqa: E402

# What tenants type: company names, places, problems (full pinyin and initials).
WORDS = [
    "gongsi", "dianti", "changsha", "zhengwu", "kuailu", "xingtu", "tingchechang", "kongtiao",
    "shebao", "butie", "yingyezhizhao", "dizhi", "biangeng", "shuiwu", "fapiao", "daikuan",
    "zhaopin", "yuangong", "tongqin", "ditie", "gongjiao", "wuye", "shuifei", "dianfei",
    "wangluo", "zhuangxiu", "xiaofang", "anquan", "zhengce", "shenqing", "jindu", "huifu",
    "furong", "wuyidadao", "youxiangongsi", "gs", "yxgs", "zgyh", "xian", "fangan",
]  # fmt: skip
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OBSERVE = """() => {
  const board = document.querySelector('#keyboard');
  const strip = board.querySelector('.kb__candidates');
  window.kbTimes = [];
  let down = null;
  let tapped = null;
  const isLetter = (event) => event.target.closest('button[data-key=letter]');
  board.addEventListener('pointerdown', (e) => { if (isLetter(e)) { down = e.timeStamp; } }, true);
  board.addEventListener('click', (e) => { if (isLetter(e)) { tapped = e.timeStamp; } }, true);
  new MutationObserver(() => {
    if (tapped === null || !strip.dataset.letters
        || strip.dataset.letters !== board.dataset.composing) { return; }
    const [from, pressed] = [tapped, down];
    tapped = null;
    const dom = performance.now() - from;
    requestAnimationFrame(() => {
      window.kbTimes.push([dom, performance.now() - from, from - pressed]);
    });
  }).observe(strip, { attributes: true, childList: true });
}"""
SETTLED = """() => {
  const board = document.querySelector('#keyboard');
  return board.querySelector('.kb__candidates').dataset.letters === board.dataset.composing;
}"""


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):6.2f} ms   p95 {p95:6.2f} ms   (n={len(ordered)})"


def index_figures(folder: Path) -> Index:
    """Build the index from scratch, then load it from the cache, and print both."""
    path = index_build.cache_path(folder)
    started = time.perf_counter()
    data = index_build.build(path)
    built = time.perf_counter() - started
    started = time.perf_counter()
    index = Index.parse(path.read_bytes())
    loaded = time.perf_counter() - started
    stats = index.stats()
    print("pinyin index")
    print(f"  build from pypinyin + jieba   {built:6.2f} s")
    print(f"  load from the instance cache  {loaded * 1000:6.1f} ms")
    print(f"  file on disk (gzip)           {len(data) / 1e6:6.2f} MB  ({path.name})")
    print(f"  uncompressed text             {len(gzip.decompress(data)) / 1e6:6.2f} MB")
    print(f"  entries                       {stats.entries:,} in {stats.sections:,} sections")
    return index


def lookup_figures(index: Index, folder: Path, repeat: int) -> None:
    """Time `candidates()` in-process: every prefix of every word, as taps would ask."""
    names = tuple(company.name for company in COMPANIES)
    started = time.perf_counter()
    lexicon = make_lexicon(BuildingTexts(names, ("湖南省长沙市芙蓉区五一大道999号",)), folder)
    made = time.perf_counter() - started
    queries = [w[:n] for w in WORDS for n in range(1, len(w) + 1)]
    times = []
    for _ in range(max(1, repeat // len(queries))):
        for q in queries:
            started = time.perf_counter()
            candidates(index, q, 1, 30, lexicon)
            times.append((time.perf_counter() - started) * 1000)
    print("server side")
    print(f"  building's words (jieba+pypinyin, {len(names)} names)  {made * 1000:6.0f} ms")
    print(f"  candidates(), page of 30      {_ms(times)}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_kiosk(folder: Path) -> Iterator[str]:
    """`kiosk demo` then `kiosk serve` on a fresh instance; yields its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")},
        "KIOSK_INSTANCE_PATH": str(folder / "instance"),
        "KIOSK_RECEIPT_PRINTER": "dummy://",
        "KIOSK_PUBLIC_URL": url,
    }
    cli = [sys.executable, "-m", "kiosk.cli"]
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True, timeout=120)
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def http_figures(url: str, repeat: int) -> None:
    """The round trip of one lookup over loopback HTTP (waitress, Flask, JSON)."""
    queries = [w[:n] for w in WORDS for n in range(1, len(w) + 1)]
    times, sizes = [], []
    deadline = time.monotonic() + 60
    while True:  # the first lookup may wait for the index to be built
        try:
            urllib.request.urlopen(f"{url}/keyboard/candidates?q=a", timeout=30).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    for n in range(repeat):
        q = queries[n % len(queries)]
        started = time.perf_counter()
        with urllib.request.urlopen(f"{url}/keyboard/candidates?q={q}&size=30") as response:
            body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(body))
        json.loads(body)
    # Baseline, same server, same loop: a small static file, the least any request costs here.
    floor = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(f"{url}/static/css/keyboard.css") as response:
            response.read()
        floor.append((time.perf_counter() - started) * 1000)
    ratio = statistics.median(times) / statistics.median(floor)
    print(f"  GET /keyboard/candidates      {_ms(times)}")
    print(f"  GET a static file (baseline)  {_ms(floor)}   lookup/baseline {ratio:.2f}x")
    print(f"  response body, page of 30     median {statistics.median(sizes):,.0f} bytes")


def browser_figures(url: str, words: int) -> None:
    """Tap each word's letters on the keyboard and time each candidate bar update."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
        dom, frame, gap, fetched = [], [], [], []
        for word in WORDS[:words]:
            page.goto(url + "/appeal/company")  # a fresh page: nothing cached in it yet
            page.locator("#q").click()
            page.evaluate(OBSERVE)
            for letter in word:
                page.locator(f"#keyboard button[data-key=letter][data-text={letter}]").click()
                page.wait_for_function(SETTLED)
            page.wait_for_timeout(50)  # ms: the last animation frame
            for at_dom, at_frame, at_gap in page.evaluate("window.kbTimes"):
                dom.append(at_dom)
                frame.append(at_frame)
                gap.append(at_gap)
            fetched += page.evaluate(
                """performance.getEntriesByType('resource')
                   .filter(e => e.name.includes('/keyboard/candidates'))
                   .map(e => e.encodedBodySize)"""
            )
        shipped = page.evaluate(
            """performance.getEntriesByType('resource')
               .filter(e => /keyboard\\.(js|css)/.test(e.name))
               .map(e => e.encodedBodySize)"""
        )
        browser.close()
    print("in the browser (1080×1920, Chromium headless, server on the same 2 cores)")
    print(f"  tap → candidates in the bar   {_ms(dom)}")
    print(f"  tap → next frame              {_ms(frame)}")
    print(f"  (pointerdown → click, Playwright's own press: {_ms(gap)})")
    print(f"  fetched per lookup (JSON)     median {statistics.median(fetched):,.0f} bytes")
    print(f"  keyboard.js + keyboard.css    {sum(shipped):,} bytes (once per page, cached)")


def main() -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=len(WORDS))
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        index = index_figures(folder)
        lookup_figures(index, folder, args.repeat)
        with live_kiosk(folder) as url:
            http_figures(url, args.repeat)
            browser_figures(url, args.words)


if __name__ == "__main__":
    main()
