"""申报: a claim under an open policy, from the policy's page at the kiosk to the money paid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import Conflict, ValidationFailed
from kiosk.models import (
    Application,
    ApplicationEventKind,
    ApplicationStatus,
    AuditLog,
    BenefitClaim,
    Building,
    Policy,
    Role,
    Staff,
    Tenant,
)
from kiosk.services import claims
from kiosk.services.audit import Actor
from kiosk.services.policies import catalogue
from kiosk.services.policies.catalogue import today_in
from tests.conftest import AuthActions
from tests.services.test_policies import row
from tests.support.pages import csrf_token
from tests.support.terminal import Terminal, reference_on

# The pages behave alike on either database; the money's services run on both below.
PAGES = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def policy(app: Flask, db: Session, building: Building) -> Policy:
    later = (today_in(app.config["KIOSK"].zone) + timedelta(days=30)).isoformat()
    return catalogue.save(
        db,
        catalogue.check(row("CL-1", title="软件企业研发补贴", closes_on=later, max_amount=200000)),
        staff_id=None,
    )


@pytest.fixture
def company(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant("长沙麓云数智科技有限公司", industry="I")


def claim_at_the_kiosk(terminal: Terminal, policy: Policy, company: Tenant, amount: str) -> str:
    start = terminal.client.get(f"/policies/{policy.id}/claim")
    assert start.status_code == 303
    # The policy is already chosen: never asked (a started claim carries on where it was).
    assert terminal.page(start.headers["Location"]).request.path in (
        "/claim/company",
        "/claim/amount",
    )
    ok = 303
    terminal.pick_company("claim", company.id)
    response = terminal.answer("/claim/contact", contact_name="王𠀀", contact_mobile="13812345678")
    assert response.status_code == ok
    response = terminal.answer("/claim/amount", amount=amount, statement="去年研发投入 300 万元。")
    assert response.status_code == ok, response.get_data(as_text=True)[-1500:]
    html = terminal.page("/claim/check").get_data(as_text=True)
    assert "软件企业研发补贴" in html
    done = terminal.client.post("/claim/check", data=Terminal.check_form(html))
    assert done.status_code == 303
    return reference_on(terminal.page(done.headers["Location"]).get_data(as_text=True))


@PAGES
def test_a_claim_from_the_policy_page_to_the_money(
    client: FlaskClient,
    db: Session,
    policy: Policy,
    company: Tenant,
    make_staff: Callable[..., Staff],
) -> None:
    terminal = Terminal(client)
    # More than the policy gives is refused with the ceiling; nothing is lost.
    first = terminal.page(terminal.client.get(f"/policies/{policy.id}/claim").headers["Location"])
    assert first.request.path == "/claim/company"
    terminal.pick_company("claim", company.id)
    terminal.answer("/claim/contact", contact_name="王𠀀", contact_mobile="13812345678")
    refused = terminal.answer("/claim/amount", amount="250000", statement="说明")
    assert refused.status_code == 400 and "200,000.00" in refused.get_data(as_text=True)
    reference = claim_at_the_kiosk(terminal, policy, company, "180,000.50")
    assert reference.startswith("SB-")
    application = db.scalar(select(Application).where(Application.reference == reference))
    assert application is not None and application.status is ApplicationStatus.SUBMITTED
    assert application.answers["amount"] == "180000.50"
    assert application.answers["contact_name"] == "王𠀀"

    # Staff approve with the amount granted (not more than claimed), then record the payment.
    make_staff("officer", Role.STAFF)
    auth = AuthActions(client)
    auth.sign_in("officer")
    page = client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    too_much = client.post(
        f"/admin/applications/{application.id}/approve",
        data={"csrf_token": csrf_token(page), "amount_granted": "190000"},
    )
    assert too_much.status_code == 400
    approved = client.post(
        f"/admin/applications/{application.id}/approve",
        data={"csrf_token": csrf_token(page), "amount_granted": "150000"},
    )
    assert approved.status_code == 303
    db.rollback()
    claim = db.get(BenefitClaim, application.id)
    assert claim is not None
    assert (claim.amount_requested, claim.amount_granted) == (
        Decimal("180000.50"),
        Decimal("150000"),
    )
    # The audit log keeps what was granted, and against what was claimed.
    grant = db.scalar(select(AuditLog).where(AuditLog.action == "claim.grant"))
    assert grant is not None and grant.target_id == reference
    assert grant.detail["amount_granted"] == "150000.00"
    assert grant.detail["amount_requested"] == "180000.50"
    page = client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    paid = client.post(
        f"/admin/applications/{application.id}/paid",
        data={"csrf_token": csrf_token(page), "paid_on": "2026-11-20"},
    )
    assert paid.status_code == 303
    db.rollback()
    assert db.get(BenefitClaim, application.id).paid_on == date(2026, 11, 20)  # type: ignore[union-attr]
    listing = client.get("/admin/policies").get_data(as_text=True)
    assert 'data-quarter="2026-Q4"' in listing and 'data-amount="150000.00"' in listing
    # The tenant's status page says it was paid.
    status = client.get(f"/applications/{application.token}").get_data(as_text=True)
    assert "资金已兑现" in status or "Benefit paid" in status


@PAGES
def test_a_closed_policy_takes_no_claim(client: FlaskClient, db: Session, policy: Policy) -> None:
    policy.closes_on = date(2020, 1, 31)
    db.commit()
    response = client.get(f"/policies/{policy.id}/claim")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/policies/{policy.id}"
    )
    assert "申报此项政策" not in client.get(f"/policies/{policy.id}").get_data(as_text=True)


def test_payments_add_up_per_quarter_and_only_once(
    db: Session, make_staff: Callable[..., Staff], building: Building, policy: Policy
) -> None:
    staff = make_staff("officer", Role.STAFF)
    actor = Actor(staff, "test")
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    made = []
    for n, (granted, status) in enumerate(
        [("1000.00", ApplicationStatus.APPROVED), ("2500.50", ApplicationStatus.APPROVED),
         ("300.00", ApplicationStatus.APPROVED), ("99.00", ApplicationStatus.REJECTED)]
    ):  # fmt: skip
        application = Application(
            reference=f"SB-20261125-{n:04d}", token=f"t{n}" * 20, submission_key=f"k{n}" * 10,
            task="claim", kiosk_id="kiosk-1", building_code="demo", company_name="甲",
            answers={}, pickup_code="123456", status=status,
        )  # fmt: skip
        db.add(application)
        db.flush()
        db.add(
            BenefitClaim(
                application_id=application.id, policy_id=policy.id,
                amount_requested=Decimal(granted), amount_granted=Decimal(granted),
            )
        )  # fmt: skip
        made.append(application)
    db.commit()
    claims.record_payment(db, made[0].id, date(2026, 10, 8), actor, now)
    claims.record_payment(db, made[1].id, date(2026, 11, 20), actor, now)
    claims.record_payment(db, made[2].id, date(2026, 6, 30), actor, now)
    with pytest.raises(Conflict):
        claims.record_payment(db, made[0].id, date(2026, 10, 9), actor, now)
    with pytest.raises(Conflict):  # a rejected claim is never paid
        claims.record_payment(db, made[3].id, date(2026, 10, 9), actor, now)
    with pytest.raises(ValidationFailed):
        claims.record_payment(db, made[3].id, date(2026, 12, 1), actor, now)
    quarters = claims.paid_by_quarter(db, date(2026, 1, 1))
    assert [(q.year, q.quarter, q.paid, q.claims) for q in quarters] == [
        (2026, 4, Decimal("3500.50"), 2),
        (2026, 2, Decimal("300.00"), 1),
    ]
    db.refresh(made[0])
    assert [e.kind for e in made[0].events] == [ApplicationEventKind.PAID]
