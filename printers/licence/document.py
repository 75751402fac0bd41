"""What a business licence (营业执照) shows: a frozen value the print outbox stores as JSON."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "USCC_ALPHABET",
    "LicenceDocument",
    "business_term_text",
    "capital_in_words",
    "format_date_cn",
]

# GB 32100-2015: 18 characters from digits and upper-case letters without I, O, S, V, Z.
# The check character is verified where the code is typed (kiosk.validators); here only the
# shape is checked, so a licence never prints a code that is obviously not one.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_SECTION_UNITS = ("", "万", "亿", "万亿")


@dataclass(frozen=True)
class LicenceDocument:
    """The items printed on a 营业执照, in the order the real licence lists them."""

    name: str  # 名称
    uscc: str  # 统一社会信用代码
    company_type: str  # 类型, e.g. 有限责任公司（自然人投资或控股）
    legal_representative: str  # 法定代表人 (经营者 / 执行事务合伙人 for other kinds)
    registered_capital: str  # 注册资本, e.g. 壹佰万元整 (see capital_in_words)
    established: date  # 成立日期
    address: str  # 住所
    business_scope: str  # 经营范围, often several hundred characters
    authority: str  # 登记机关, e.g. 长沙市芙蓉区市场监督管理局
    issue_date: date  # the date under the authority's mark
    verification_url: str  # encoded in the QR code; opens our licence verification page
    business_term: str = "长期"  # 营业期限 (see business_term_text)
    copy: bool = True  # 副本 (the A4 copy the kiosk prints) rather than 正本
    copy_number: str = "1-1"  # 副本编号: the first copy of one issued (1-1, 1-2 …)

    def __post_init__(self) -> None:
        """Refuse values that would print a licence nobody can use."""
        for name in ("name", "authority"):
            if not getattr(self, name).strip():
                raise ValueError(f"licence {name} is empty")
        if not _USCC_SHAPE.match(self.uscc):
            raise ValueError(f"licence uscc {self.uscc!r}: not 18 characters of GB 32100")
        parts = urlsplit(self.verification_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"licence verification_url {self.verification_url!r}: not an http URL")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO 8601 strings) for a print outbox row."""
        data = asdict(self)
        data["established"] = self.established.isoformat()
        data["issue_date"] = self.issue_date.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LicenceDocument:
        """Rebuild a document from `to_dict` output; unknown keys are ignored (older rows)."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        missing = sorted(
            f.name for f in fields(cls) if f.name not in values and f.name not in _DEFAULTED
        )
        if missing:
            raise ValueError(f"licence data lacks {', '.join(missing)}")
        for key in ("established", "issue_date"):
            try:
                values[key] = date.fromisoformat(values[key])
            except (TypeError, ValueError):
                raise ValueError(f"licence {key} {values[key]!r}: not an ISO date") from None
        return cls(**values)


_DEFAULTED = frozenset({"business_term", "copy", "copy_number"})


def format_date_cn(day: date) -> str:
    """A date as the licence prints it: 2026年03月01日."""
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def business_term_text(start: date, end: date | None = None) -> str:
    """营业期限 text: `2026年03月01日至长期`, or to an end date."""
    until = "长期" if end is None else format_date_cn(end)
    return f"{format_date_cn(start)}至{until}"


def capital_in_words(amount: Decimal | int, *, currency: str = "元") -> str:
    """Amount in capital Chinese numerals (大写), as 注册资本 is printed: 壹佰万元整."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError(f"registered capital {amount}: negative")
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = _integer_in_words(yuan) + currency if yuan else ""
    if not jiao and not fen:
        return (words or "零" + currency) + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan:
        words += "零"  # 壹元零伍分: the empty 角 is spoken
    if fen:
        words += _DIGITS[fen] + "分"
    return words


def _integer_in_words(number: int) -> str:
    """A positive integer in 大写, with 零 for each run of zeros between digits."""
    sections: list[int] = []
    while number:
        sections.append(number % 10_000)
        number //= 10_000
    if len(sections) > len(_SECTION_UNITS):
        raise ValueError("registered capital too large to write out")
    words = ""
    pending_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if not section:
            pending_zero = bool(words)
            continue
        for position in range(3, -1, -1):
            digit = section // 10**position % 10
            if not digit:
                pending_zero = bool(words)
                continue
            if pending_zero:
                words += "零"
                pending_zero = False
            words += _DIGITS[digit] + _SMALL_UNITS[position]
        words += _SECTION_UNITS[index]
    return words
