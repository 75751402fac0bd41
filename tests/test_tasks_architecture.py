"""Every registered task is complete: each step renders, each field speaks both languages,
each application has a receipt, a slip that expires and a label in the print history."""

from __future__ import annotations

from dataclasses import replace

import pytest
from babel.messages.mofile import read_mo
from flask import Flask, session
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from markupsafe import escape
from wtforms import FormField

from kiosk.labels import PRINT_KIND
from kiosk.models import Application, Building
from kiosk.services.printing import TENANT_SLIPS
from kiosk.tasks import TASKS
from kiosk.terminal.common import context
from kiosk.terminal.flow import render_step

CATALOGUE = "kiosk/translations/zh_Hans_CN/LC_MESSAGES/messages.mo"


def _translated() -> set[str]:
    with open(CATALOGUE, "rb") as file:
        catalog = read_mo(file)
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id and message.string
    }


def _texts(form: object) -> list[object]:
    """Every label and hint of a form, nested forms included."""
    texts: list[object] = []
    for field in form:  # type: ignore[attr-defined]
        if field.type == "CSRFTokenField":
            continue
        if isinstance(field, FormField):
            texts += _texts(field.form)
            continue
        if field.type == "FieldList":
            texts += _texts(field[0].form) if len(field) else []
            continue
        texts.append(field.label.text)
        if field.description:
            texts.append(field.description)
        for choice in getattr(field, "choices", None) or []:
            label = choice[1] if isinstance(choice, tuple) else getattr(choice, "label", "")
            if isinstance(label, LazyString):
                texts.append(label)
    return texts


STEPS = [(task.slug, step.slug) for task in TASKS.values() for step in task.steps]
# What a step looks like does not depend on the database: these run on SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize(("task_slug", "step_slug"), STEPS)
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_step_renders_in_both_languages(
    app: Flask, building: Building, task_slug: str, step_slug: str, locale: str
) -> None:
    task = TASKS[task_slug]
    step = task.step(step_slug)
    assert step is not None
    with app.test_request_context(f"/{task_slug}/{step_slug}"):
        session["locale"] = locale
        form = step.form(formdata=None)
        step.prepare(form, replace(context(), answers={}))
        html, status = render_step(task, step, form)
        with force_locale(locale):
            title = str(step.title)
    assert status == 200
    assert title in html or escape(title) in html  # a LazyString renders unescaped
    lang = "zh-Hans" if locale == "zh_CN" else "en"
    assert f'<html lang="{lang}">' in html


@SQLITE_ONLY
@pytest.mark.parametrize(("task_slug", "step_slug"), STEPS)
def test_every_field_has_chinese_and_english_text(
    app: Flask, task_slug: str, step_slug: str
) -> None:
    step = TASKS[task_slug].step(step_slug)
    assert step is not None
    translated = _translated()
    with app.test_request_context():
        texts = [step.title, *([step.hint] if step.hint else []), *_texts(step.form(formdata=None))]
        for text in texts:
            assert isinstance(text, LazyString), (
                f"{task_slug}/{step_slug}: {text!r} is not translatable"
            )
            assert text._args[0] in translated, (
                f"{task_slug}/{step_slug}: no Chinese for {text._args[0]!r}"
            )


@SQLITE_ONLY
@pytest.mark.parametrize("task_slug", [slug for slug, task in TASKS.items() if task.paperwork])
def test_every_application_has_a_receipt_and_a_slip_that_expires(
    app: Flask, task_slug: str
) -> None:
    task = TASKS[task_slug]
    assert task.paperwork is not None
    assert f"{task_slug}_slip" in TENANT_SLIPS, "a slip with a pickup code must expire in the tray"
    assert f"{task_slug}_slip" in PRINT_KIND, "staff see the slip by name in the print history"
    with app.test_request_context():
        lines = task.paperwork.receipt({}, "zh_CN")
        assert lines, f"{task_slug}: the slip says nothing about the application"
        for label, _value in lines:
            assert isinstance(label, LazyString)
        assert str(task.paperwork.next_steps)
    assert len(task.paperwork.reference_prefix) == 2


def test_reference_prefixes_are_unique() -> None:
    prefixes = [task.paperwork.reference_prefix for task in TASKS.values() if task.paperwork]
    assert len(prefixes) == len(set(prefixes)) and "SQ" not in prefixes  # SQ: appeals


def test_task_slugs_fit_the_applications_table() -> None:
    width = Application.__table__.c.task.type.length
    assert all(len(slug) <= width for slug in TASKS)
