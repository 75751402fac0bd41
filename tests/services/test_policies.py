"""The policy catalogue: Chinese search, matching with reasons, and the all-or-nothing import."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Benefit, Building, Policy, PolicyLevel, Tenant, Window
from kiosk.services.policies import catalogue, matching, search
from kiosk.services.policies.catalogue import PolicyError
from kiosk.services.policies.matching import Facts, Met

TODAY = date(2026, 11, 25)


def row(code: str, **values: Any) -> dict[str, Any]:
    """An import row with sensible defaults."""
    base = {
        "code": code,
        "title": f"政策{code}",
        "issuer": "长沙市工业和信息化局",
        "level": "city",
        "published_on": "2026-03-01",
        "summary": "支持企业发展。",
        "body": "第一条 支持对象。",
        "benefit": "subsidy",
    }
    return base | values


@pytest.fixture
def add(db: Session) -> Callable[..., Policy]:
    def factory(code: str, **values: Any) -> Policy:
        return catalogue.save(db, catalogue.check(row(code, **values)), staff_id=None)

    return factory


def codes(page: search.PolicyPage) -> list[str]:
    return [p.code for p in page.policies]


# ---- tokens -----------------------------------------------------------------------------------


def test_text_is_indexed_as_overlapping_pairs_and_latin_words() -> None:
    assert search.grams("人工智能补贴") == ["人工", "工智", "智能", "能补", "补贴", "贴"]
    assert search.grams("５Ｇ基站，AI") == ["5g", "基站", "站", "ai"]
    assert search.grams("𠀀𠀁 😀") == ["𠀀𠀁", "𠀁"]  # rare CJK kept; emoji is not a word


def test_a_query_is_phrases_of_pairs_one_per_word() -> None:
    assert search.query_terms("人工智能  补贴") == [["人工", "工智", "智能"], ["补贴"]]
    assert search.query_terms("税") == [["税"]]
    assert search.query_terms("\"*()'") == []
    assert len(search.query_terms("甲乙 " * 50)) == search.MAX_TERMS


# ---- search -----------------------------------------------------------------------------------


def test_search_finds_words_inside_longer_words_and_needs_every_word(add: Any, db: Session) -> None:
    add("AI-1", title="人工智能产业发展补贴", summary="对人工智能企业给予资金补贴。")
    add("AI-2", title="人工智能人才奖励", benefit="talent", body="奖励人工智能领域高层次人才。")
    add("SB-1", title="企业吸纳就业社保补贴", body="按月补贴单位缴纳的社会保险费。")
    add("SB-2", title="小微企业社保费缓缴", benefit="other", summary="社保费可缓缴三个月。")
    add("OT-1", title="保险业发展奖励", summary="支持保险机构落户。")

    assert set(codes(search.find(db, "社保", today=TODAY))) == {"SB-1", "SB-2"}
    assert codes(search.find(db, "人工智能 补贴", today=TODAY)) == ["AI-1"]
    assert set(codes(search.find(db, "人工智能", today=TODAY))) == {"AI-1", "AI-2"}
    assert codes(search.find(db, "社会保险费", today=TODAY)) == ["SB-1"]
    assert search.find(db, "区块链", today=TODAY).total == 0
    assert search.find(db, "!!!", today=TODAY).total == 0


def test_a_match_in_the_title_ranks_above_one_in_the_text(add: Any, db: Session) -> None:
    add(
        "BODY",
        title="服务业发展资金",
        body="其中对跨境电商企业给予一次性奖励，跨境电商平台另行支持。",
    )
    add("TITLE", title="跨境电商发展扶持", body="第一条 支持对象。")
    assert codes(search.find(db, "跨境电商", today=TODAY)) == ["TITLE", "BODY"]


def test_filters_for_level_benefit_and_window(add: Any, db: Session) -> None:
    add("OPEN", level="national", benefit="tax_relief")
    add("SOON", opens_on="2026-12-15", closes_on="2027-03-31")
    add("GONE", closes_on="2026-10-31", benefit="rent_relief")
    assert codes(search.find(db, today=TODAY, level=PolicyLevel.NATIONAL)) == ["OPEN"]
    assert codes(search.find(db, today=TODAY, benefit=Benefit.RENT_RELIEF)) == ["GONE"]
    assert codes(search.find(db, today=TODAY, window=Window.UPCOMING)) == ["SOON"]
    assert codes(search.find(db, today=TODAY, window=Window.CLOSED)) == ["GONE"]
    assert codes(search.find(db, "政策", today=TODAY, window=Window.OPEN)) == ["OPEN"]
    # Without words: open ones first.
    assert codes(search.find(db, today=TODAY))[0] == "OPEN"


def test_a_changed_policy_is_found_by_its_new_words_only(add: Any, db: Session) -> None:
    policy = add("EDIT", title="数字化转型补贴")
    catalogue.save(
        db, catalogue.check(row("EDIT", title="绿色低碳奖励")), policy=policy, staff_id=None
    )
    assert search.find(db, "数字化", today=TODAY).total == 0
    assert codes(search.find(db, "低碳", today=TODAY)) == ["EDIT"]
    catalogue.set_active(db, policy, False, staff_id=None)
    assert search.find(db, "低碳", today=TODAY).total == 0


def test_search_pages_through_many_results(add: Any, db: Session) -> None:
    for n in range(14):
        add(f"P-{n:02d}", title=f"专精特新企业奖励第{n}批")
    first = search.find(db, "专精特新", today=TODAY, per_page=6)
    last = search.find(db, "专精特新", today=TODAY, page=99, per_page=6)
    assert (first.total, first.pages, len(first.policies)) == (14, 3, 6)
    assert (last.page, len(last.policies)) == (3, 2)


def test_rare_characters_and_emoji_are_stored_and_searchable(add: Any, db: Session) -> None:
    add("RARE", title="𠀀氏企业专项奖励 🎉", summary="支持𠀀𠀁。")
    db.expire_all()
    policy = db.scalar(select(Policy).where(Policy.code == "RARE"))
    assert policy is not None and policy.title == "𠀀氏企业专项奖励 🎉"
    assert codes(search.find(db, "𠀀氏", today=TODAY)) == ["RARE"]


# ---- matching ---------------------------------------------------------------------------------


def test_reasons_say_what_is_met_and_what_to_confirm(add: Any) -> None:
    policy = add(
        "M-1",
        industries=["I", "M"],
        size_bands=["small"],
        district="芙蓉区",
        min_years=3,
        min_employees=50,
        other_conditions="近两年无重大违法记录",
    )
    facts = Facts(industry="I", size_band="small", district="芙蓉区", years=4, employees=None)
    found = [(str(r.label), r.met) for r in matching.reasons(policy, facts)]
    assert found == [
        (
            "Industry: Information transmission, software and IT services、"
            "Scientific research and technical services",
            Met.YES,
        ),
        ("Company size: Small", Met.YES),
        ("Registered in 芙蓉区", Met.YES),
        ("Founded at least 3 years ago", Met.YES),
        ("At least 50 employees", Met.UNKNOWN),
        ("近两年无重大违法记录", Met.UNKNOWN),
    ]
    assert matching.eligible(policy, facts)
    assert not matching.eligible(policy, Facts(industry="F"))
    assert not matching.eligible(policy, Facts(district="岳麓区"))
    assert not matching.eligible(policy, Facts(years=2))


def test_a_company_gets_what_it_qualifies_for_certain_ones_first(add: Any, db: Session) -> None:
    add("ANY")  # no condition: every company
    add("IT", industries=["I"], min_years=3)
    add("BIG", min_employees=50)  # unknown for this company: kept, ranked after
    add("FIN", industries=["J"])  # wrong industry: left out
    add("YUELU", district="岳麓区")  # another district: left out
    add("OLD", min_years=10)  # too young: left out
    add("CLOSED", closes_on="2026-01-31")
    add("LATER", opens_on="2027-01-05", industries=["I"])
    add("GONE")
    catalogue.set_active(
        db, db.scalar(select(Policy).where(Policy.code == "GONE")), False, staff_id=None
    )  # type: ignore[arg-type]
    facts = Facts(industry="I", size_band="small", district="芙蓉区", years=4)

    found = matching.match(db, facts, TODAY, per_page=10)
    assert [m.policy.code for m in found.matches] == ["IT", "ANY", "LATER", "BIG"]
    assert (found.total, found.certain) == (4, 3)
    assert [m.to_confirm for m in found.matches] == [0, 0, 0, 1]

    answered = facts.refined({"employees": 80})
    assert [m.policy.code for m in matching.match(db, answered, TODAY).matches][:2] == ["IT", "BIG"]
    assert "BIG" not in [
        m.policy.code for m in matching.match(db, facts.refined({"employees": 12}), TODAY).matches
    ]


def test_answers_fill_only_what_the_record_does_not_say() -> None:
    facts = Facts(industry="I", employees=None, years=None)
    refined = facts.refined({"industry": "J", "employees": 30, "years": -1, "size_band": "tiny"})
    assert (refined.industry, refined.employees, refined.years, refined.size_band) == (
        "I",
        30,
        None,
        "",
    )
    assert facts.unknown == ["size_band", "years", "employees"]


def test_the_reverse_lists_the_companies_a_policy_fits(
    add: Any, db: Session, make_tenant: Callable[..., Tenant], building: Building
) -> None:
    building.district = "芙蓉区"
    db.commit()
    it = make_tenant("麓云科技", industry="I", founded_on=date(2020, 1, 1), employees=40)
    unknown = make_tenant("栖木设计")  # nothing known: kept, with things to confirm
    make_tenant("湘融金融", industry="J")
    policy = add("REV", industries=["I"], min_years=3)
    found = matching.matching_tenants(db, policy, TODAY)
    assert [(t.name, [r.met for r in why]) for t, why in found] == [
        (it.name, [Met.YES, Met.YES]),
        (unknown.name, [Met.UNKNOWN, Met.UNKNOWN]),
    ]


def test_whole_years_count_only_full_years() -> None:
    assert matching.full_years(date(2023, 11, 26), TODAY) == 2
    assert matching.full_years(date(2023, 11, 25), TODAY) == 3


# ---- checking and importing -------------------------------------------------------------------


def test_check_reports_every_problem_of_a_row() -> None:
    with pytest.raises(PolicyError) as caught:
        catalogue.check(
            row(
                "bad code!",
                level="county",
                benefit="cash",
                published_on="2026-13-01",
                opens_on="2026-05-01",
                closes_on="2026-04-01",
                industries="I|Z",
                size_bands=["tiny"],
                min_years="three",
                max_amount="-5",
                title="标题\x07",
                summary="长" * 501,
                colour="red",
            )
        )
    problems = " | ".join(caught.value.problems)
    for expected in (
        "unknown fields: colour",
        "code: letters",
        "level: one of",
        "benefit: one of",
        "published_on: not a date",
        "industries: not GB/T 4754 sections: Z",
        "size_bands: one of",
        "min_years: not a whole number",
        "max_amount: must be between",
        "title: contains control characters",
        "summary: longer than 500 characters",
    ):
        assert expected in problems
    with pytest.raises(PolicyError, match="closes_on: before opens_on"):
        catalogue.check(row("X", opens_on="2026-05-01", closes_on="2026-04-01"))


CSV_HEADER = (
    "code,title,issuer,level,published_on,summary,body,benefit,industries,materials,max_amount\n"
)


def test_a_csv_with_bad_rows_is_reported_by_line_and_changes_nothing(add: Any, db: Session) -> None:
    add("KEEP", title="原有标题")
    data = (
        "\ufeff"
        + CSV_HEADER
        + "KEEP,新标题,市工信局,city,2026-01-01,摘要,正文,subsidy,I|M,营业执照|申请表,500000\n"
        + 'NEW-1,新政策,市工信局,city,2026-01-01,摘要,"第一条\n第二条",subsidy,,,\n'
        + "NEW-2,坏行,市工信局,province,2026-02-30,摘要,正文,subsidy,,,\n"
        + "NEW-3,,市工信局,city,2026-01-01,摘要,正文,grant,,,\n"
        + "NEW-1,重复,市工信局,city,2026-01-01,摘要,正文,subsidy,,,\n"
    ).encode()
    rows = catalogue.read_rows(data, "compilation.csv")
    good, errors = catalogue.check_rows(rows)
    assert [(e.line, e.problems) for e in errors] == [
        (5, ["published_on: not a date like 2026-03-31"]),
        (
            6,
            [
                "title: required",
                "benefit: one of subsidy, tax_relief, loan_interest, rent_relief, talent, other",
            ],
        ),
        (7, ["code: NEW-1 is also on line 3"]),
    ]
    assert len(good) == 2
    # The page refuses the file as a whole: nothing was written.
    db.expire_all()
    assert db.scalar(select(Policy.title).where(Policy.code == "KEEP")) == "原有标题"
    assert db.scalar(select(Policy).where(Policy.code == "NEW-1")) is None


def test_a_good_file_replaces_known_codes_and_adds_new_ones(add: Any, db: Session) -> None:
    add("KEEP", title="原有标题")
    data = (
        CSV_HEADER
        + "KEEP,新标题,市工信局,city,2026-01-01,摘要,正文,subsidy,I|M,营业执照|申请表,500000\n"
        + "NEW-1,新政策,市工信局,city,2026-01-01,摘要,正文,subsidy,,,\n"
    ).encode()
    good, errors = catalogue.check_rows(catalogue.read_rows(data, "c.csv"))
    assert errors == []
    result = catalogue.import_policies(db, good, staff_id=None)
    assert (result.added, result.updated) == (1, 1)
    kept = db.scalar(select(Policy).where(Policy.code == "KEEP"))
    assert kept is not None
    assert (kept.title, kept.industries, kept.materials) == (
        "新标题",
        ["I", "M"],
        ["营业执照", "申请表"],
    )
    assert kept.industry_mask == (1 << 8) | (1 << 12)
    assert codes(search.find(db, "新标题", today=TODAY)) == ["KEEP"]


def test_json_errors_name_the_line_where_the_policy_starts() -> None:
    document = [row("J-1"), row("J-2", level="town"), "not an object"]
    text = json.dumps(document, ensure_ascii=False, indent=2)
    rows = catalogue.read_rows(text.encode(), "c.json")
    _good, errors = catalogue.check_rows(rows)
    lines = text.splitlines()
    assert [e.line for e in errors] == [12, 22]
    assert lines[11].strip() == "{" and '"town"' in "\n".join(lines[11:21])
    with pytest.raises(PolicyError, match="Line 2: not valid JSON"):
        catalogue.read_rows(b'[\n{"code": }]', "c.json")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xff\xfe", "c.csv", "not UTF-8"),
        (b"[]", "c.json", "holds no policies"),
        (b"{}", "c.json", "a list of policies"),
        (b"code,colour\nX,red\n", "c.csv", "unknown columns: colour"),
        (b"x", "c.xlsx", "Choose a .csv or .json file"),
    ],
)
def test_unreadable_files_are_refused_whole(data: bytes, name: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        catalogue.read_rows(data, name)
