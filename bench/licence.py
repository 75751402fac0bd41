"""How long does a licence PDF take? Prints median timings; asserts nothing.

    .venv/bin/python bench/licence.py [--repeat 31]

Reports the one-time cost of finding and registering the CJK fonts, then the median time per
page for a typical licence, one with a ~3,000-character business scope (shrunk and cut to fit),
and one whose name has a character no embeddable font has (𠮷, pictured from Noto CJK).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from printers.licence import LicenceDocument, load_fonts, render_licence_pdf

SCOPE = (
    "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；"
    "信息系统集成服务；计算机系统服务；数据处理服务；信息技术咨询服务；会议及展览服务；"
    "企业管理咨询；市场营销策划；广告设计、代理；广告制作；办公用品销售；电子产品销售。"
    "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）许可项目：第二类增值电信业务。"
    "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件"
    "或许可证件为准）"
)


TYPICAL = LicenceDocument(
    name="长沙芙蓉云智科技有限公司",
    uscc="91430102MA4L00001F",
    company_type="有限责任公司（自然人投资或控股）",
    legal_representative="王晓明",
    registered_capital="壹佰万元整",
    established=date(2026, 3, 1),
    business_term="2026年03月01日至长期",
    address="湖南省长沙市芙蓉区五一大道618号楼宇政务服务中心大厦23层2301室",
    business_scope=SCOPE,
    authority="长沙市芙蓉区市场监督管理局",
    issue_date=date(2026, 11, 24),
    verification_url="https://kiosk.example.gov.cn/licence/verify/9f8e7d6c5b4a3921",
)


def timed(action: Callable[[], object]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=31, help="renders per case (default 31)")
    args = parser.parse_args()

    fonts = timed(load_fonts)
    print(f"font registration (once per process): {fonts * 1000:7.1f} ms")
    cases = {
        "typical licence": TYPICAL,
        "3,000-character scope": replace(TYPICAL, business_scope=SCOPE * 12),
        "rare character (𠮷)": replace(TYPICAL, name="𠮷祥云智科技有限公司"),
    }
    for label, doc in cases.items():
        render = functools.partial(render_licence_pdf, doc)
        first = timed(render)  # the 𠮷 case looks up and pictures the glyph here
        runs = sorted(timed(render) for _ in range(args.repeat))
        median, p90 = statistics.median(runs) * 1000, runs[int(len(runs) * 0.9)] * 1000
        print(
            f"{label:22} median {median:5.1f} ms/page, p90 {p90:5.1f} ms,"
            f" first {first * 1000:5.1f} ms, {len(render()) / 1024:4.0f} KiB"
        )
    print("target: under 50 ms a page")


if __name__ == "__main__":
    main()
