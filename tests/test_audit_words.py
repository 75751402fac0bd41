"""Every action the code records in the audit log has words in both languages."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from kiosk.labels import AUDIT_ACTION
from kiosk.models import EventKind

KIOSK = Path(__file__).resolve().parent.parent / "kiosk"


def _lock_prefixes() -> list[str]:
    from kiosk.services import lockouts

    return sorted({prefix for prefix, _target in lockouts.KINDS.values()} | {"code"})


# An f-string action is allowed only where the test knows every value it can take.
EXPANSIONS: dict[str, Callable[[], list[str]]] = {
    "f'appeal.{kind.value}'": lambda: [f"appeal.{kind.value}" for kind in EventKind],
    "f'{prefix}.locked'": lambda: [f"{prefix}.locked" for prefix in _lock_prefixes()],
    "f'{prefix}.unlocked'": lambda: [f"{prefix}.unlocked" for prefix in _lock_prefixes()],
}


def _audit_calls(tree: ast.AST) -> list[tuple[ast.Call, list[ast.AST]]]:
    """Calls of audit.record (or record imported from kiosk.services.audit), with their scope."""
    bare = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "kiosk.services.audit"
        and any(alias.name == "record" for alias in node.names)
        for node in ast.walk(tree)
    )
    found: list[tuple[ast.Call, list[ast.AST]]] = []

    def visit(node: ast.AST, scopes: list[ast.AST]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scopes = [*scopes, node]
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "record"
                and isinstance(func.value, ast.Name)
                and func.value.id == "audit"
            ) or (bare and isinstance(func, ast.Name) and func.id == "record"):
                found.append((node, scopes))
        for child in ast.iter_child_nodes(node):
            visit(child, scopes)

    visit(tree, [])
    return found


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _actions(call: ast.Call, scopes: list[ast.AST], where: str) -> list[str]:
    arg = next((k.value for k in call.keywords if k.arg == "action"), None)
    if arg is None:
        assert len(call.args) >= 3, f"{where}: audit.record without an action"
        arg = call.args[2]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.JoinedStr):
        template = ast.unparse(arg)
        assert template in EXPANSIONS, f"{where}: cannot tell which actions {template} is"
        return EXPANSIONS[template]()
    if isinstance(arg, ast.Name) and scopes:
        values = [
            text
            for node in ast.walk(scopes[-1])
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets)
            for text in _strings(node.value)
        ]
        assert values, f"{where}: cannot tell which actions {arg.id} holds"
        return values
    raise AssertionError(f"{where}: cannot tell which action {ast.unparse(arg)} is")


def recorded_actions() -> dict[str, str]:
    """Every action code passed to the audit log anywhere in kiosk/, with where it is."""
    actions: dict[str, str] = {}
    for path in sorted(KIOSK.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call, scopes in _audit_calls(tree):
            where = f"{path.relative_to(KIOSK.parent)}:{call.lineno}"
            for action in _actions(call, scopes, where):
                actions.setdefault(action, where)
    return actions


def test_the_collector_finds_the_actions_it_should() -> None:
    found = recorded_actions()
    # one of each form: a literal, an f-string over the timeline's kinds, a variable
    assert {"application.approve", "appeal.note", "policy.withdraw", "policy.restore"} <= set(found)
    assert len(found) >= 30


def test_every_recorded_action_has_words() -> None:
    missing = {a: where for a, where in recorded_actions().items() if a not in AUDIT_ACTION}
    assert not missing, f"give these audit actions words in kiosk/labels.py: {missing}"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_words_are_translated(app: Flask, locale: str) -> None:
    with app.test_request_context(), force_locale(locale):
        for action, words in AUDIT_ACTION.items():
            text = str(words)
            assert text and "." not in text.rstrip("."), action
            if locale == "zh_CN":
                assert any("\u4e00" <= char <= "\u9fff" for char in text), (action, text)
