"""What a tenant task is: its steps, its check-your-answers rows and what submitting does.

A task is declared once, in its own module; the terminal's home tiles, the step pages, the
check page and the confirmation page all come from the declaration.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from kiosk.config import Settings

if TYPE_CHECKING:
    from kiosk.models import Application
    from kiosk.services.audit import Actor

Answers = dict[str, Any]
Label: TypeAlias = "LazyString | str"  # a lazy translation, or plain text


@dataclass(frozen=True)
class StepContext:
    """What a step may look at besides the answers: the database and the kiosk's settings."""

    db: Session
    settings: Settings
    locale: str
    answers: Answers = field(default_factory=dict)  # the task's answers so far (read only)


@dataclass(frozen=True)
class Step:
    """One question (one page) of a task.

    `fields` are the answer keys this step fills; the step is complete when all are present.
    `applies` hides the step unless an earlier answer asks for it.
    `prepare` may add choices to the form (from the database) before it is shown or checked.
    `save` turns a valid form into answers; it returns a notice to show on the same page
    instead of moving on (e.g. "we removed invisible characters: check and continue").
    """

    slug: str
    title: Label
    form: type[FlaskForm]
    fields: tuple[str, ...]
    template: str = "terminal/step.html"
    hint: Label | None = None
    applies: Callable[[Answers], bool] = lambda answers: True
    prepare: Callable[[FlaskForm, StepContext], None] = lambda form, ctx: None
    save: Callable[[FlaskForm, Answers, StepContext], Label | None] | None = None

    def is_complete(self, answers: Answers) -> bool:
        """Whether every answer this step gives is present."""
        return all(name in answers for name in self.fields)


@dataclass(frozen=True)
class CheckRow:
    """One line of the check-your-answers page, with the step that changes it."""

    label: Label
    value: str
    step: str
    multiline: bool = False


@dataclass(frozen=True)
class Submitted:
    """What the confirmation page shows after a task is submitted."""

    reference: str
    context: Mapping[str, Any] = field(default_factory=dict)


class Decision(enum.StrEnum):
    """What staff may decide about an application."""

    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    CANCEL = "cancel"  # a booking


@dataclass(frozen=True)
class Approval:
    """Everything an approval may act on: the application, its answers, who approves."""

    db: Session
    settings: Settings
    application: Application
    answers: Answers  # sealed personal data opened
    actor: Actor
    now: datetime
    issued_uscc: str = ""  # the code the registration authority issued (registrations)
    amount_granted: Decimal | None = None  # what staff granted (claims)


@dataclass(frozen=True)
class Company:
    """The company an application is about, for the queue and the slip."""

    name: str
    uscc: str = ""
    tenant_id: int | None = None


@dataclass(frozen=True)
class Paperwork:
    """What makes a task an application staff decide on (办事), rather than an appeal.

    `receipt` gives the slip's lines (label, value) after the reference and pickup code; the
    status page shows the same lines. `approve` does what approval means (create the tenant and
    its licence, move the tenant, …) in the approval's transaction.
    """

    reference_prefix: str
    company: Callable[[Answers], Company]
    receipt: Callable[[Answers, str], list[tuple[Label, str]]]
    next_steps: Label
    decisions: tuple[Decision, ...] = (
        Decision.APPROVE,
        Decision.REJECT,
        Decision.REQUEST_CHANGES,
    )
    approve: Callable[[Approval], None] | None = None
    issues_uscc: bool = False  # approving records the registration authority's new USCC
    issues_licence: bool = False  # the tenant collects a licence after approval
    approved_on_submit: bool = False  # a booking: confirmed at once, staff may cancel it
    slot_answer: str | None = None  # the answer holding a booked invoice slot's id
    grants_amount: bool = False  # approving records the amount granted (claims)


@dataclass(frozen=True)
class Task:
    """A kind of thing a tenant can do at the kiosk."""

    slug: str
    title: Label
    summary: Label
    icon: str
    steps: tuple[Step, ...]
    check_rows: Callable[[Answers, StepContext], list[CheckRow]]
    submit: Callable[[Answers, StepContext], Submitted]
    done_template: str
    done_context: Callable[[str, StepContext], Mapping[str, Any]]
    submit_label: Label | None = None
    check_lead: Label | None = None  # the sentence above the submit button
    paperwork: Paperwork | None = None
    tile: bool = True  # on the home screen; False: started from elsewhere (a policy's page)

    def step(self, slug: str) -> Step | None:
        """The step with this slug, if the task has one."""
        return next((s for s in self.steps if s.slug == slug), None)

    def active_steps(self, answers: Answers) -> list[Step]:
        """The steps that apply, given the answers so far."""
        return [s for s in self.steps if s.applies(answers)]

    def first_incomplete(self, answers: Answers) -> Step | None:
        """The first step still to answer, or None when the task is ready to check."""
        return next((s for s in self.active_steps(answers) if not s.is_complete(answers)), None)

    def next_step(self, current: Step, answers: Answers) -> Step | None:
        """The step after `current`, given the answers so far."""
        steps = self.active_steps(answers)
        index = next((i for i, s in enumerate(steps) if s.slug == current.slug), -1)
        return steps[index + 1] if 0 <= index < len(steps) - 1 else None

    def previous_step(self, current: Step, answers: Answers) -> Step | None:
        """The step before `current` (for the Back link), if any."""
        steps = self.active_steps(answers)
        index = next((i for i, s in enumerate(steps) if s.slug == current.slug), 0)
        return steps[index - 1] if index > 0 else None
