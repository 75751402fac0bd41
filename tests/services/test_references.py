"""Reference numbers stay unique with several processes submitting at once."""

from __future__ import annotations

import multiprocessing
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Appeal
from tests.conftest import TEST_SECRET

PROCESSES = 4
EACH = 15


def _submit_many(database_url: str, instance: str, kiosk_id: str) -> list[str]:
    from kiosk import create_app
    from kiosk.services.appeals import AppealDraft, submit_appeal

    app = create_app(
        {"secret_key": TEST_SECRET, "database_url": database_url, "id": kiosk_id},
        instance_path=instance,
    )
    references = []
    with app.test_request_context(), app.extensions["kiosk.sessionmaker"]() as db:
        for n in range(EACH):
            draft = AppealDraft(
                submission_key=uuid.uuid4().hex,
                tenant_id=None,
                company_name=f"{kiosk_id} 公司 {n}",
                company_uscc="",
                category="other",
                description="并发提交测试",
                contact_name="测试",
                contact_mobile="13800000000",
                locale="zh_CN",
            )
            # A fixed time: a run that crosses midnight must not restart the numbering mid-test.
            now = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
            references.append(submit_appeal(db, app.config["KIOSK"], draft, now=now).reference)
    app.extensions["kiosk.engine"].dispose()
    return references


def test_concurrent_processes_never_share_a_reference(
    database_url: str, tmp_path: Path, db: Session
) -> None:
    context = multiprocessing.get_context("spawn")
    args = [(database_url, str(tmp_path / f"i{n}"), f"kiosk-{n}") for n in range(PROCESSES)]
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(_submit_many, args)
    handed_out = [ref for refs in results for ref in refs]
    assert len(handed_out) == PROCESSES * EACH
    assert len(set(handed_out)) == len(handed_out)
    stored = db.scalars(select(Appeal.reference)).all()
    assert sorted(stored) == sorted(handed_out)
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in stored)
    assert numbers == list(range(1, PROCESSES * EACH + 1))  # no gaps, none skipped
