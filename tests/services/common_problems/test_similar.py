"""Similar open appeals: shared words first (rarer words count more), then category and
building; closed appeals and appeals out of reach are never offered."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus
from kiosk.services import common_problems
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
