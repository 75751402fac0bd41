"""The audit log page: supervisors and admins only, newest first, keyset paged."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AuditLog, Role, Staff
from kiosk.services.audit import Actor, record
from tests.admin.conftest import Admin
from tests.admin.test_ledger import link


def actions(html: str) -> list[str]:
    """The audit actions listed on the page, top to bottom."""
    return re.findall(r'data-audit="([^"]+)"', html)


def test_plain_staff_are_refused_and_not_offered_the_link(signed_in: Admin) -> None:
    assert 'href="/admin/audit"' not in signed_in.text("/admin/appeals")
    response = signed_in.get("/admin/audit")
    assert response.status_code == 403
    assert "You do not have access to this page." in response.get_data(as_text=True)


def test_supervisor_sees_who_did_what_to_which_appeal(
    admin: Admin, supervisor: Staff, officer: Staff, make_appeal: Callable[..., Appeal]
) -> None:
    appeal = make_appeal()
    admin.sign_in("chief")
    admin.flash(admin.act(appeal.reference, "note", note="请跟进"))
    html = admin.text("/admin/audit")
    assert 'href="/admin/audit"' in html
    assert actions(html)[:2] == ["appeal.note", "staff.sign_in"]
    assert "Wang Chief" in html and f'href="/admin/appeals/{appeal.reference}"' in html
    assert "System or command line" in html  # the fixtures' staff.create entries


def test_admin_role_sees_it_too(admin: Admin, make_staff: Callable[..., Staff]) -> None:
    make_staff("boss", Role.ADMIN)
    admin.sign_in("boss")
    assert admin.get("/admin/audit").status_code == 200


def test_audit_log_pages_by_keyset(admin: Admin, supervisor: Staff, db: Session) -> None:
    for n in range(23):
        record(db, Actor(supervisor, "10.0.0.9"), f"test.step{n:02d}", "thing", str(n), n=n)
    db.commit()
    admin.sign_in("chief")
    html, seen = admin.text("/admin/audit"), []
    while True:
        seen += actions(html)
        older = link(html, "pager__older")
        if older is None:
            break
        html = admin.text(older)
    expected = [
        "staff.sign_in",
        *[f"test.step{n:02d}" for n in reversed(range(23))],
        "staff.create",
    ]
    assert seen == expected
    assert len(seen) == len(set(seen)) == db.scalar(select(func.count()).select_from(AuditLog))
    assert "10.0.0.9" in admin.text("/admin/audit")


def visible(html: str) -> str:
    """The page's text as a reader sees it (no tags, no attributes)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _entries(db: Session, supervisor: Staff) -> None:
    who = Actor(supervisor, "10.0.0.9")
    record(db, who, "application.approve", "application", "GH-20261201-0001",
           task="union", issued_uscc=None)  # fmt: skip
    record(db, who, "application.request_changes", "application", "GH-20261201-0002",
           steps=["chair"])  # fmt: skip
    record(db, Actor(None, "cli"), "staff.create", "staff", "zhou", role="supervisor",
           building="")  # fmt: skip
    record(db, who, "claim.grant", "application", "SB-20261201-0001", policy="CL-1",
           amount_requested="180000.50", amount_granted="150000.00")  # fmt: skip
    record(db, who, "announcement.update", "announcement", "3",
           ends_at=[None, "2026-12-24T16:00:00+00:00"])  # fmt: skip
    db.commit()


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ["Approved an application", "Application GH-20261201-0001",
                "Who is the candidate to chair the union?", "Supervisor",
                "150,000.00 yuan", "180,000.50 yuan", "— → 2026-12-25 00:00",
                "Created a staff account", "Every building"]),
        ("zh_CN", ["批准申请", "申请事项 GH-20261201-0001", "主管", "150,000.00 元",
                   "核定申报金额", "核定金额", "创建工作人员账号", "所有楼宇"]),
    ],
)  # fmt: skip
def test_actions_and_values_are_in_words(
    admin: Admin, supervisor: Staff, db: Session, locale: str, words: list[str]
) -> None:
    _entries(db, supervisor)
    with admin.client.session_transaction() as session:
        session["locale"] = locale
    admin.sign_in("chief")
    text = visible(admin.text("/admin/audit"))
    for expected in words:
        assert expected in text, expected
    for raw in ("application.approve", "claim.grant", "None", "['", "issued_uscc", "steps"):
        assert raw not in text, raw


def test_an_action_without_words_shows_its_code(
    admin: Admin, supervisor: Staff, db: Session
) -> None:
    record(db, Actor(supervisor), "retired.thing", "thing", "1", note="kept")
    db.commit()
    admin.sign_in("chief")
    assert "retired.thing" in visible(admin.text("/admin/audit"))


def test_filters_by_who_what_and_when_and_pages_within_them(
    admin: Admin, supervisor: Staff, officer: Staff, db: Session
) -> None:
    for n in range(12):
        record(db, Actor(officer), "policy.notify", "policy", str(n), tenant=f"T{n}")
    record(db, Actor(supervisor), "policy.create", "policy", "99", code="P-99")
    old = record(db, Actor(officer), "event.create", "event", "7", title="旧活动")
    old.at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 in Changsha
    db.commit()
    admin.sign_in("chief")
    # What: one action; pages of 10 keep the filter, and nothing else slips in.
    html, seen = admin.text("/admin/audit", what="policy.notify"), []
    while True:
        seen += actions(html)
        older = link(html, "pager__older")
        if older is None:
            break
        assert "what=policy.notify" in older
        html = admin.text(older)
    assert seen == ["policy.notify"] * 12
    # What: a whole group.
    assert set(actions(admin.text("/admin/audit", what="policy"))) == {
        "policy.notify", "policy.create",
    }  # fmt: skip
    # Who: one person, or the system.
    assert set(actions(admin.text("/admin/audit", who=str(supervisor.id)))) == {
        "policy.create", "staff.sign_in",
    }  # fmt: skip
    assert set(actions(admin.text("/admin/audit", who="system"))) == {"staff.create"}
    # When: local days, both ends included.
    assert actions(admin.text("/admin/audit", since="2026-01-05", until="2026-01-05")) == [
        "event.create"
    ]
    assert "event.create" not in actions(admin.text("/admin/audit", since="2026-01-06"))
    assert actions(admin.text("/admin/audit", until="2026-01-04")) == []
    assert "Nothing recorded matches these filters." in admin.text(
        "/admin/audit", until="2026-01-04"
    )


@pytest.mark.parametrize(
    ("query", "message", "chinese"),
    [
        ({"since": "2026-13-01"}, "Enter a date like 2026-12-01.",
         "请按 2026-12-01 的格式填写日期。"),
        ({"who": "99999"}, "Choose someone from the list.", "请从列表中选择操作人。"),
        ({"what": "nothing.such"}, "Choose an action from the list.", "请从列表中选择操作内容。"),
        ({"since": "2026-02-02", "until": "2026-02-01"}, "The end date is before the start date.",
         "截止日期早于起始日期。"),
    ],
)  # fmt: skip
def test_a_wrong_filter_is_a_clear_400_in_both_languages(
    admin: Admin, supervisor: Staff, query: dict[str, str], message: str, chinese: str
) -> None:
    admin.sign_in("chief")
    response = admin.get("/admin/audit", **query)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with admin.client.session_transaction() as session:
        session["locale"] = "zh_CN"
    response = admin.get("/admin/audit", **query)
    assert response.status_code == 400 and chinese in response.get_data(as_text=True)


def test_who_offers_the_people_the_log_shows_acting(
    admin: Admin, supervisor: Staff, make_staff: Callable[..., Staff]
) -> None:
    idle = make_staff("idle", Role.STAFF, name="Idle Person")
    admin.sign_in("chief")
    html = admin.text("/admin/audit")
    assert f'value="{supervisor.id}"' in html and "Wang Chief (chief)" in html
    assert f'value="{idle.id}"' not in html and "Idle Person" not in html
