"""Fixtures for the licence tests: a document factory and ways to read a PDF back."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from printers.licence import LicenceDocument

USCC = "91430102MA4L00001F"
VERIFY_URL = "https://kiosk.example.gov.cn/licence/verify/9f8e7d6c5b4a3921"
SCOPE = (
    "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；"
    "信息系统集成服务；数据处理服务；会议及展览服务；企业管理咨询；广告设计、代理；"
    "办公用品销售；电子产品销售。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
)


def licence(**overrides: Any) -> LicenceDocument:
    """A licence like the kiosk prints after staff approve a new company's registration."""
    values: dict[str, Any] = {
        "name": "长沙芙蓉云智科技有限公司",
        "uscc": USCC,
        "company_type": "有限责任公司（自然人投资或控股）",
        "legal_representative": "王晓明",
        "registered_capital": "壹佰万元整",
        "established": date(2026, 3, 1),
        "business_term": "2026年03月01日至长期",
        "address": "湖南省长沙市芙蓉区五一大道618号楼宇政务服务中心大厦23层2301室",
        "business_scope": SCOPE,
        "authority": "长沙市芙蓉区市场监督管理局",
        "issue_date": date(2026, 11, 24),
        "verification_url": VERIFY_URL,
    }
    values.update(overrides)
    return LicenceDocument(**values)


@pytest.fixture
def make_licence() -> Callable[..., LicenceDocument]:
    """`make_licence(**overrides)` builds the sample licence with some items changed."""
    return licence


def pypdf_text(pdf: bytes) -> str:
    """The page's text as pypdf extracts it."""
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def poppler_text(pdf: bytes, tmp_path: Path, *options: str) -> str:
    """The text as poppler's pdftotext reads it (it honours /ActualText); skips without it."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    source = tmp_path / "read.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", *options, str(source), "-"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout
