"""The templates' environment: macro imports behave exactly as Jinja's own."""

from __future__ import annotations

from flask import Flask
from flask.templating import Environment
from jinja2 import DictLoader

from kiosk.templating import KioskEnvironment

TEMPLATES = {
    "macros.html": "{% macro hello() %}{{ greeting }}, {{ who | default('nobody') }}{% endmacro %}",
    "page.html": '{% from "macros.html" import hello %}{{ hello() }}',
    "other.html": '{% import "macros.html" as m %}{{ m.hello() }}',
}


def _renders(app: Flask, environment: type[Environment]) -> list[str]:
    env = environment(app, loader=DictLoader(TEMPLATES))
    env.globals["greeting"] = "你好"
    seen = [env.get_template("page.html").render(who="张三")]  # a page variable
    seen.append(env.get_template("other.html").render())
    # a page with a global of its own: Jinja hands it to what the page imports
    seen.append(env.get_template("page.html", globals={"who": "李四"}).render())
    seen.append(env.get_template("other.html").render())
    env.globals["greeting"] = "Hello"  # a global changed after the first imports
    seen.append(env.get_template("page.html").render())
    seen.append(env.get_template("other.html").render(greeting="Hi"))
    return seen


def test_imports_give_macros_what_jinja_gives_them(app: Flask) -> None:
    ours = _renders(app, KioskEnvironment)
    assert ours == _renders(app, Environment)
    assert ours[2] == "你好, 李四"  # the page's own global reached the imported macro
    assert ours[0] == "你好, nobody"  # a page variable does not


def test_the_app_renders_with_this_environment(app: Flask) -> None:
    assert isinstance(app.jinja_env, KioskEnvironment)
