"""Both languages: every msgid has Chinese, the compiled catalogue is current, no English leaks."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from kiosk.i18n import use_record_locale
from kiosk.models import Tenant
from tests.support.terminal import Terminal

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "kiosk/translations/zh_Hans_CN/LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _source_msgids() -> set[str]:
    method_map = [("kiosk/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_has_a_chinese_translation() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans_CN")
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_source_msgids() - set(translated))
    assert missing == [], f"untranslated (run pybabel extract/update, see README): {missing}"
    for msgid, text in translated.items():
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(str(text))), msgid


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        po = {m.id: m.string for m in read_po(handle) if m.id and m.string and not m.fuzzy}
    with (CATALOGUE / "messages.mo").open("rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    assert mo == po, "messages.mo is stale: run pybabel compile -d kiosk/translations"


_ALLOWED_LATIN = re.compile(
    r"English|SQ-\d{8}-\d{4}|[0-9A-Z]{18}|\d+F-\d+|https?://\S+|[A-Za-z]+@\S+|\d+[A-Za-z]?"
)


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<title>.*?</title>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def test_chinese_pages_show_no_english(
    client: FlaskClient, make_tenant: Callable[..., Tenant]
) -> None:
    terminal = Terminal(client)
    tenant = make_tenant("长沙星辰软件科技有限公司")
    pages = [terminal.page("/").get_data(as_text=True)]
    for path in ("/appeal/company", "/appeal/company?q=没有这家"):
        pages.append(terminal.page(path).get_data(as_text=True))
    terminal.answer("/appeal/company", tenant=str(tenant.id))
    pages += [
        terminal.page(f"/appeal/{step}").get_data(as_text=True)
        for step in ("category", "description")
    ]
    pages.append(terminal.answer("/appeal/category", category="").get_data(as_text=True))
    terminal.fill_appeal(tenant=tenant.id)
    pages.append(terminal.page("/appeal/check").get_data(as_text=True))
    terminal.submit()
    pages.append(terminal.page("/appeal/done").get_data(as_text=True))
    pages.append(terminal.page("/no-such-page").get_data(as_text=True))
    for html in pages:
        leftover = _ALLOWED_LATIN.sub(" ", _visible_text(html))
        words = re.findall(r"[A-Za-z]{2,}", leftover)
        assert words == [], f"English on a Chinese page: {words}"


def test_templates_follow_a_language_changed_during_the_request(app: Flask) -> None:
    """The templates' catalogue is kept for the request beside its locale: forcing another
    language, or switching to a record's, must still change what `_()` says."""
    say = app.jinja_env.from_string("{{ _('Your appeal') }}")
    with app.test_request_context("/status/x"):
        assert say.render() == "您的诉求"
        with force_locale("en"):
            assert say.render() == "Your appeal"
        assert say.render() == "您的诉求"
        use_record_locale("en")
        assert say.render() == "Your appeal"


def test_lazy_labels_and_python_strings_follow_a_language_changed_during_the_request(
    app: Flask,
) -> None:
    """Form labels (lazy) and `_()` in Python share the request's kept catalogue: they must
    still follow a forced language and a record's language."""
    from flask_babel import gettext

    from kiosk.i18n import current_locale, lazy_gettext

    label = lazy_gettext("Your appeal")
    with app.test_request_context("/status/x"):
        assert (str(label), gettext("Your appeal")) == ("您的诉求", "您的诉求")
        assert current_locale() == "zh_CN"
        with force_locale("en"):
            assert (str(label), gettext("Your appeal")) == ("Your appeal", "Your appeal")
            assert current_locale() == "en"
        assert (str(label), current_locale()) == ("您的诉求", "zh_CN")
        use_record_locale("en")
        assert (str(label), gettext("Your appeal")) == ("Your appeal", "Your appeal")
        assert current_locale() == "en"


def test_the_catalogue_is_looked_up_once_per_language_per_request(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flask-Babel's own lookup (its context, the locale, the locale's name) ran for every
    string of a page; it now runs once per language a request speaks."""
    from flask_babel import Domain, gettext

    from kiosk.i18n import lazy_gettext

    lookups: list[str] = []
    own = Domain.get_translations

    def counted(self: Domain) -> object:
        lookups.append("lookup")
        return own(self)

    monkeypatch.setattr(Domain, "get_translations", counted)
    page = app.jinja_env.from_string("{% for _n in range(20) %}{{ _('Your appeal') }}{% endfor %}")
    label = lazy_gettext("Your appeal")
    with app.test_request_context("/status/x"):
        page.render()
        for _n in range(20):
            str(label)
            gettext("Your appeal")
        assert len(lookups) == 1
        with force_locale("en"):
            page.render()
            str(label)
        assert len(lookups) == 2


def test_lazy_labels_read_as_flask_babels_without_its_walk_to_the_domain(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code's lazy labels give Flask-Babel's very text, substitutions included, in and
    out of a request; shown twenty times in a request they walk to Flask-Babel's domain once
    (for the catalogue), not twenty times."""
    import flask_babel

    from kiosk.i18n import lazy_gettext

    said = (
        "Companies that raised the same problem: %(n)s. %(unit)s took it up as one common problem:"
    )
    pairs = [
        (lazy_gettext("Your appeal"), flask_babel.lazy_gettext("Your appeal")),
        (lazy_gettext(said, n=3, unit="X"), flask_babel.lazy_gettext(said, n=3, unit="X")),
    ]
    assert [str(ours) for ours, _ in pairs] == [str(theirs) for _, theirs in pairs]  # no app
    for locale in ("zh_CN", "en"):
        with app.test_request_context("/status/x"), force_locale(locale):
            assert [str(ours) for ours, _ in pairs] == [str(theirs) for _, theirs in pairs]
    assert str(pairs[1][0]).startswith("Companies that raised the same problem: 3. X")

    walks: list[str] = []
    own = flask_babel.get_domain

    def counted() -> flask_babel.Domain:
        walks.append("walk")
        return own()

    monkeypatch.setattr(flask_babel, "get_domain", counted)
    label = lazy_gettext("Your appeal")
    with app.test_request_context("/status/x"):
        shown = [str(label) for _n in range(20)]
    assert shown == ["您的诉求"] * 20
    assert len(walks) <= 1


def test_the_code_shows_its_own_lazy_labels() -> None:
    """Every module takes `_l` from kiosk.i18n: one from Flask-Babel would walk to its domain
    each time it is shown."""
    theirs = [
        str(path.relative_to(ROOT))
        for folder in ("kiosk", "printers")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if re.search(r"^from flask_babel import .*lazy_gettext", path.read_text(), re.M)
    ]
    assert theirs == []


def test_numeric_dates_read_as_babel_writes_them(app: Flask) -> None:
    """The templates' quick path for numeric patterns gives exactly Flask-Babel's text."""
    from datetime import UTC, datetime, timedelta, timezone

    from flask_babel import format_datetime

    from kiosk.i18n import datetime_filter

    moments = [
        datetime(2026, 12, 31, 15, 59, 59, 999_999, tzinfo=UTC),  # 23:59 in Changsha
        datetime(2026, 12, 31, 16, 0, tzinfo=UTC),  # midnight in Changsha: the next year
        datetime(2026, 3, 8, 2, 30),  # naive: read as UTC
        datetime(2026, 6, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
    ]
    with app.test_request_context("/"):
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                for moment in moments:
                    for pattern in ("yyyy-MM-dd HH:mm", "yyyy-MM-dd"):
                        assert datetime_filter(moment, pattern) == format_datetime(
                            moment, pattern
                        ), (locale, moment, pattern)
                    assert datetime_filter(moment, "long") == format_datetime(moment, "long")
    assert app.jinja_env.filters["datetimeformat"] is datetime_filter
