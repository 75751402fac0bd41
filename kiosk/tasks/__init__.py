"""Tenant tasks: one module each, listed in TASKS (the order of the home screen's tiles)."""

from kiosk.tasks import address, appeal, claim, invoice, register, tax, union
from kiosk.tasks.base import Answers, CheckRow, Step, StepContext, Submitted, Task

RESERVED_STEP_SLUGS = frozenset({"check", "done", "start"})

TASKS: dict[str, Task] = {
    task.slug: task
    for task in (
        appeal.TASK,
        register.TASK,
        address.TASK,
        union.TASK,
        tax.TASK,
        invoice.TASK,
        claim.TASK,
    )
}

for _task in TASKS.values():
    for _step in _task.steps:
        if _step.slug in RESERVED_STEP_SLUGS:
            raise RuntimeError(f"task {_task.slug}: step slug {_step.slug!r} is reserved")

__all__ = ["TASKS", "Answers", "CheckRow", "Step", "StepContext", "Submitted", "Task"]
