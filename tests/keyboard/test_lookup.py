"""Candidates for typed pinyin, as a person typing a company name or a problem would see them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.keyboard import BuildingTexts, Index, LexiconCache, candidates
from kiosk.keyboard.building import make_lexicon
from kiosk.keyboard.segment import Token


def _texts(index: Index, letters: str, size: int = 10, **kwargs: object) -> list[str]:
    found = candidates(index, letters, size=size, **kwargs)  # type: ignore[arg-type]
    return [c.text for c in found.candidates]


@pytest.mark.parametrize(
    ("letters", "word", "within"),
    [
        ("gongsi", "公司", 1),
        ("gongs", "公司", 3),
        ("gs", "公司", 3),
        ("changsha", "长沙", 1),
        ("zhengwu", "政务", 1),
        ("dianti", "电梯", 1),
        ("yingyezhizhao", "营业执照", 1),
        ("zgyh", "中国银行", 1),
        ("women", "我们", 1),
        ("de", "的", 1),
    ],
)
def test_the_word_meant_comes_first_or_nearly(
    index: Index, letters: str, word: str, within: int
) -> None:
    assert word in _texts(index, letters)[:within]


@pytest.mark.parametrize(
    ("letters", "words"), [("xian", {"先", "西安"}), ("fangan", {"方案", "反感"})]
)
def test_ambiguous_letters_offer_both_readings(index: Index, letters: str, words: set[str]) -> None:
    found = candidates(index, letters, size=10)
    consumed = {c.text: c.consumes for c in found.candidates}
    assert words <= set(consumed)
    assert {consumed[w] for w in words} == {len(letters)}


def test_each_candidate_says_how_many_letters_it_uses(index: Index) -> None:
    found = candidates(index, "gongsiyou", size=30)
    assert found.spelling == "gong'si'you"
    consumed = {c.text: c.consumes for c in found.candidates}
    assert consumed["公司"] == 6  # choosing it leaves "you" to compose
    assert consumed["公"] == 4  # the first syllable's characters come too, after the words
    assert [c.consumes for c in found.candidates] == sorted(
        (c.consumes for c in found.candidates), reverse=True
    )


def test_letters_that_are_not_pinyin_wait_at_the_end(index: Index) -> None:
    found = candidates(index, "gongsiv")
    assert found.candidates[0].text == "公司" and found.candidates[0].consumes == 6
    assert found.spelling == "gong'si'v"
    nothing = candidates(index, "v")
    assert nothing.candidates == () and not nothing.has_more


def test_pages_follow_on_without_repeats(index: Index) -> None:
    first = candidates(index, "shi", page=1, size=10)
    second = candidates(index, "shi", page=2, size=10)
    both = candidates(index, "shi", page=1, size=20)
    assert first.has_more and second.page == 2
    assert first.candidates + second.candidates == both.candidates
    assert len({c.text for c in both.candidates}) == 20
    far = candidates(index, "shi", page=500, size=10)
    assert far.candidates == () and not far.has_more


def test_only_lowercase_letters_are_looked_up(index: Index) -> None:
    for bad in ("", "Gong", "gong1", "gōng", "gong si"):
        with pytest.raises(ValueError):
            candidates(index, bad)


def test_the_buildings_own_words_rank_first(index: Index, tmp_path: Path) -> None:
    lexicon = make_lexicon(BuildingTexts(("长沙星辰软件科技有限公司",)), tmp_path)
    assert _texts(index, "xingchen", lexicon=lexicon)[0] == "星辰"
    # A name no dictionary knows: 快鹿 is nowhere without the building, first with it.
    assert "快鹿" not in _texts(index, "kuailu", size=50)
    lexicon = make_lexicon(BuildingTexts(("长沙快鹿电子商务有限公司",)), tmp_path)
    assert _texts(index, "kuailu", lexicon=lexicon)[0] == "快鹿"


def test_a_tenants_full_name_from_its_first_syllables(index: Index, tmp_path: Path) -> None:
    name = "长沙星辰软件科技有限公司"
    lexicon = make_lexicon(BuildingTexts((name,)), tmp_path)
    for letters in ("csxc", "changshaxing", "changshax", "cshaxingchenruanj"):
        found = candidates(index, letters, lexicon=lexicon)
        assert found.candidates[0].text == name, letters
        assert found.candidates[0].consumes == len(letters)
    assert name not in _texts(index, "changsha", size=50, lexicon=lexicon)  # two are too few
    assert name not in _texts(index, "chanshaxing", lexicon=lexicon)  # a middle syllable cut short


def test_building_words_are_read_again_after_a_while(tmp_path: Path) -> None:
    reads: list[str] = []
    names = ["长沙星辰软件科技有限公司", "长沙快鹿电子商务有限公司", "长沙橙果餐饮有限公司"]

    def read() -> BuildingTexts:
        reads.append("read")
        return BuildingTexts((names[(len(reads) - 1) % len(names)],))

    kept = LexiconCache(tmp_path, ttl=3600)
    assert kept.get("demo", read) is kept.get("demo", read)
    assert reads == ["read"]

    reads.clear()
    fresh = LexiconCache(tmp_path, ttl=0)
    first = fresh.get("demo", read)
    # Out of date: the texts are read at once, the lexicon is made in the background, and the
    # lookup meanwhile gets the one it had (no key tap waits for jieba).
    assert fresh.get("demo", read) is first
    fresh.settle()
    remade = fresh.get("demo", read)  # made from the second read; a third read starts
    fresh.settle()
    assert reads == ["read"] * 3
    assert remade is not first
    kuailu = (Token("kuai", "kuai", exact=True), Token("lu", "lu", exact=True))
    assert [text for text, _ in remade.match(kuailu)] == ["快鹿"]
    assert [text for text, _ in first.match(kuailu)] == []
