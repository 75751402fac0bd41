"""The stylesheets' cascade: a block's base rule never comes after one of its modifiers.

Two rules of one selector weight are settled by their order, so a base rule (`.tag`) written
below a modifier (`.tag--fix`) silently undoes the modifier's colours: that is how 需补正 once
became white on grey. Checked for every top-level block in every stylesheet we ship.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = sorted((Path(__file__).parent.parent / "static" / "css").glob("*.css"))
_BLOCK = re.compile(r"^\.([a-z][a-z0-9-]*?(?:__[a-z0-9-]+)?)$")
_MODIFIER = re.compile(r"^\.([a-z][a-z0-9-]*?(?:__[a-z0-9-]+)?)--[a-z0-9_-]+$")


def top_level_rules(text: str) -> list[tuple[int, str]]:
    """(line, selector) of each rule outside @media and other at-rules, comments removed."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    rules: list[tuple[int, str]] = []
    depth, start = 0, 0
    for found in re.finditer(r"[{}]", text):
        if found.group() == "{":
            if depth == 0:
                selector = text[start : found.start()].strip()
                line = text.count("\n", 0, found.start()) + 1
                for part in selector.split(","):
                    rules.append((line, part.strip()))
            depth += 1
        else:
            depth -= 1
        start = found.end()
    return rules


def late_base_rules(text: str) -> list[str]:
    """Modifiers whose last rule comes before their block's last base rule (so the base wins
    wherever both set a property); restating the modifier after the base is fine."""
    last_base: dict[str, int] = {}
    last_modifier: dict[str, tuple[int, str]] = {}
    for line, selector in top_level_rules(text):
        modifier = _MODIFIER.match(selector)
        base = _BLOCK.match(selector)
        if modifier:
            last_modifier[selector] = (line, modifier.group(1))
        elif base:
            last_base[base.group(1)] = line
    return [
        f"{selector} on line {line} is undone by .{block} on line {last_base[block]}"
        for selector, (line, block) in sorted(last_modifier.items())
        if last_base.get(block, 0) > line
    ]


def test_the_check_finds_the_mistake_it_is_for() -> None:
    text = ".tag { color: red; }\n.tag--fix { color: #fff; }\n.tag { background: grey; }\n"
    assert late_base_rules(text) == [".tag--fix on line 2 is undone by .tag on line 3"]
    inside_media = "@media (x) { .tag { a: b; } }\n.tag--fix { a: b; }\n"
    assert late_base_rules(inside_media) == []
    restated = text + ".tag--fix { color: #fff; }\n"
    assert late_base_rules(restated) == []


@pytest.mark.parametrize("sheet", CSS, ids=[path.name for path in CSS])
def test_no_base_rule_comes_after_its_modifiers(sheet: Path) -> None:
    assert late_base_rules(sheet.read_text(encoding="utf-8")) == []
