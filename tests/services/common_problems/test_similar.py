"""Similar open appeals: shared words first (rarer words count more), then category and
building; closed appeals and appeals out of reach are never offered."""

from __future__ import annotations

import math
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, AppealWord
from kiosk.services import appeals, common_problems
from kiosk.services.common_problems.similar import CATEGORY, PLACE
from kiosk.services.common_problems.words import words
from tests.services.common_problems.conftest import Org, Reach


def test_words_leave_out_what_says_nothing_and_keep_routes() -> None:
    cut = words("希望恢复5路公交在园区门口的站点，我们公司员工通勤时间太长。")
    assert "5路" in cut and "公交" in cut and "通勤" in cut
    assert "希望" not in cut and "我们" not in cut and "公司" not in cut


def test_the_same_bus_route_ranks_above_the_same_category(
    org: Org, as_: Reach, bus_appeals: list[Appeal], make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:  # fmt: skip
    parking = make_appeal(description="地下车库停车位不够，访客无处停车。", category="transport")
    other_bus = make_appeal(description="12路公交车太挤，员工通勤困难。", category="other")
    make_appeal(description="5路公交站点取消，员工通勤不便。", status=AppealStatus.CLOSED)
    theirs = make_appeal(description="5路公交改线，员工通勤不方便。", category="transport")
    theirs.building_code = "c-plaza"
    db.commit()
    lead_db, _ = as_(org.lead)
    found = common_problems.similar(lead_db, bus_appeals[0])
    references = [m.reference for m in found]
    assert references[:2] == sorted(
        references[:2],
        key=lambda r: r != bus_appeals[1].reference and r != bus_appeals[2].reference,
    )
    assert set(references[:2]) == {bus_appeals[1].reference, bus_appeals[2].reference}
    assert references[2] == other_bus.reference  # shares 公交 and 通勤, not 5路
    assert parking.reference not in references  # same category, no word in common
    assert theirs.reference not in references  # another district's: out of reach
    assert "5路" in found[0].shared and found[0].same_category
    city_db, _ = as_(org.building_officer)
    mine = [m.reference for m in common_problems.similar(city_db, bus_appeals[0])]
    assert mine[0] == bus_appeals[1].reference  # their own building only
    assert bus_appeals[2].reference not in mine


def test_an_appeal_filed_later_is_found_and_its_group_named(
    org: Org, as_: Reach, bus_appeals: list[Appeal], make_appeal: Callable[..., Appeal],
) -> None:  # fmt: skip
    db, me = as_(org.lead)
    problem = common_problems.group(
        db, me, [a.id for a in bus_appeals[:2]], title="5路公交改线", unit_id=org.district.id,
        officer_id=org.lead.id,
    )  # fmt: skip
    later = make_appeal(description="5路公交改线后员工通勤太远。", category="transport")
    fresh, _ = as_(org.lead)
    found = common_problems.similar(fresh, later)
    grouped = {m.reference: m.problem_title for m in found}
    assert grouped[bus_appeals[0].reference] == "5路公交改线"
    assert grouped[bus_appeals[2].reference] == ""
    assert found[0].problem_id in (problem.id, None)


def _indexed(db: Session, appeal: Appeal) -> set[str]:
    """The words the index of open appeals' words holds for this appeal, as committed."""
    db.rollback()
    return set(db.scalars(select(AppealWord.word).where(AppealWord.appeal_id == appeal.id)))


def test_appeals_filed_after_a_look_up_are_found_by_the_next_only_while_open(
    org: Org, as_: Reach, bus_appeals: list[Appeal], make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:  # fmt: skip
    first, _ = as_(org.lead)
    assert len(common_problems.similar(first, bus_appeals[0])) == 2
    later = make_appeal(
        description="5路公交站点取消以后，员工通勤要转两趟车。", category="transport"
    )
    done = make_appeal(description="5路公交站点取消，员工通勤不便。", status=AppealStatus.CLOSED)
    again, _ = as_(org.lead)
    found = [m.reference for m in common_problems.similar(again, bus_appeals[0])]
    assert later.reference in found
    assert done.reference not in found
    assert "5路" in _indexed(db, later)
    assert _indexed(db, done) == set()  # cut, as every appeal is, but not indexed: not open


def test_a_resolved_appeal_leaves_the_index_and_comes_back_when_reopened(
    app: Flask, org: Org, as_: Reach, bus_appeals: list[Appeal], db: Session
) -> None:
    lead_db, me = as_(org.lead)
    common_problems.similar(lead_db, bus_appeals[0])  # cuts and indexes the three
    theirs = bus_appeals[1]
    assert {"5路", "公交", "通勤"} <= _indexed(db, theirs)
    appeals.resolve(lead_db, theirs.id, "已与公交公司协调恢复站点。", me)
    assert _indexed(db, theirs) == set()
    fresh, _ = as_(org.lead)
    assert theirs.reference not in [
        m.reference for m in common_problems.similar(fresh, bus_appeals[0])
    ]
    appeals.reopen(lead_db, app.config["KIOSK"], theirs.id, "站点仍未恢复。", me)
    assert {"5路", "公交", "通勤"} <= _indexed(db, theirs)
    fresh, _ = as_(org.lead)
    found = {m.reference: m for m in common_problems.similar(fresh, bus_appeals[0])}
    assert "5路" in found[theirs.reference].shared


def test_appeals_out_of_reach_are_neither_offered_nor_counted(
    org: Org, as_: Reach, bus_appeals: list[Appeal], make_appeal: Callable[..., Appeal],
    db: Session,
) -> None:  # fmt: skip
    """Words the other district's appeals use often are still rare within this reach."""
    elsewhere = []
    for n in range(6):
        theirs = make_appeal(description=f"园区{n}号门的5路公交站台破损，员工通勤不便。")
        theirs.building_code = "c-plaza"
        elsewhere.append(theirs.reference)
    db.commit()
    mine, _ = as_(org.building_officer)
    (found,) = common_problems.similar(mine, bus_appeals[0])
    assert found.reference == bus_appeals[1].reference  # the one other open appeal of "demo"
    # Each shared word is used by 1 of the 1 other open appeals in reach: log(1 + 2 / 1) each.
    assert found.score == round(len(found.shared) * math.log(3) + CATEGORY + PLACE, 3)
    stranger, _ = as_(org.stranger)
    theirs_found = [m.reference for m in common_problems.similar(stranger, bus_appeals[0])]
    assert theirs_found and set(theirs_found) <= set(elsewhere)
