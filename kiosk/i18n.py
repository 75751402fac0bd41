"""Languages: zh_CN by default, English one tap away; the choice lives in the session.

Phone pages (the `public` blueprint) have no kiosk session to remember a choice: they speak the
language the tenant switched to on the phone (`?lang=`, then kept in a cookie), else the language
the record was submitted in, else the phone's Accept-Language, else the kiosk's default.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale
from babel.support import NullTranslations
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
)
from flask_babel import Babel, Domain, format_datetime, get_locale, get_translations, refresh
from flask_babel.speaklater import LazyString

from kiosk.config import LOCALES

TRANSLATIONS = Path(__file__).parent / "translations"
PHONE_COOKIE = "phone_locale"
PHONE_COOKIE_AGE = 365 * 24 * 3600  # seconds: a phone keeps its choice for a year
PHONE_BLUEPRINT = "public"
_TRANSLATIONS = "kiosk_translations"  # where the request's catalogue is kept
_T = TypeVar("_T")
_LANGUAGES = {"zh": "zh_CN", "en": "en"}  # Accept-Language primary subtag → our locale
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}  # each in its own language, never translated


def _accepted() -> str | None:
    """The first language the browser accepts that we speak (zh-TW, zh-Hans… all read zh_CN)."""
    for value, _quality in request.accept_languages:
        found = _LANGUAGES.get(value.split("-")[0].split("_")[0].lower())
        if found:
            return found
    return None


def _phone_locale() -> str | None:
    """The language of a phone page, or None to fall back to the kiosk's default."""
    for chosen in (
        request.args.get("lang"),
        request.cookies.get(PHONE_COOKIE),
        session.get("locale"),
        g.get("record_locale"),
    ):
        if chosen in LOCALES:
            return str(chosen)
    return _accepted()


def select_locale() -> str:
    """The session's language if it chose one, otherwise the kiosk's default (phones: above)."""
    if has_request_context() and request.blueprint == PHONE_BLUEPRINT:
        chosen = _phone_locale()
    else:
        chosen = session.get("locale") if has_request_context() else None
    if chosen in LOCALES:
        return str(chosen)
    return str(current_app.config["KIOSK"].default_locale)


def use_record_locale(locale: str) -> None:
    """Speak the language a record was submitted in, unless the phone chose another."""
    g.record_locale = locale
    refresh()  # the locale may have been looked up already in this request


def language_links() -> list[tuple[str, str, str, bool]]:
    """(locale, name, href, current) for the phone pages' language switch."""
    rule = request.url_rule
    here = request.path
    if rule is None or "GET" not in (rule.methods or ()):
        here = here.rsplit("/", 1)[0] or "/"  # a POST-only action: switch on the page it is on
    current = current_locale()
    return [
        (code, name, f"{here}?lang={code}", code == current)
        for code, name in LANGUAGE_NAMES.items()
    ]


def remember_phone_locale(response: Response) -> Response:
    """Keep a phone's explicit language choice in a cookie of its own (no session needed)."""
    if request.blueprint != PHONE_BLUEPRINT:
        return response
    response.vary.update(("Accept-Language", "Cookie"))
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        response.set_cookie(
            PHONE_COOKIE,
            str(chosen),
            max_age=PHONE_COOKIE_AGE,
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


def current_locale() -> str:
    """The locale of this request as a string such as "zh_CN" or "en" (kept, as the catalogue
    is: a page asks a few times)."""
    locale = get_locale()
    if locale is None:
        return "zh_CN"
    return _per_locale("kiosk_locale_name", lambda: _locale_name(locale))


def _locale_name(locale: Locale) -> str:
    return f"{locale.language}_{locale.territory}" if locale.territory else str(locale.language)


def html_lang() -> str:
    """The value for <html lang>: zh-Hans or en."""
    return "en" if current_locale() == "en" else "zh-Hans"


def _per_locale(attribute: str, make: Callable[[], _T]) -> _T:
    """What `make()` gives for the request's current locale, kept on Flask-Babel's request
    context beside the very Locale object it is for: a locale changed during the request
    (`use_record_locale`, `force_locale`, Flask-Babel's `refresh`) is a new Locale, so it is
    made again."""
    ctx = g.get("_flask_babel") if has_app_context() else None
    kept = getattr(ctx, attribute, None)
    if kept is not None and kept[0] is getattr(ctx, "babel_locale", None):
        value: _T = kept[1]
        return value
    value = make()
    ctx = g.get("_flask_babel") if has_app_context() else None  # `make` may have set it up
    locale = getattr(ctx, "babel_locale", None)
    if ctx is not None and locale is not None:
        setattr(ctx, attribute, (locale, value))
    return value


class _KeptDomain(Domain):
    """Flask-Babel's message domain, keeping the request's catalogue (`_per_locale`).

    Flask-Babel looks the catalogue up anew on every `_()`, lazy label and template string: it
    walks its context, the locale and the locale's name (about 15 µs, a few dozen times a
    page)."""

    def get_translations(self) -> NullTranslations:
        """The catalogue of the current locale, looked up once per locale per request."""
        translations: NullTranslations = _per_locale(_TRANSLATIONS, super().get_translations)
        return translations


class _Babel(Babel):
    """Flask-Babel with the domain above as every request's default."""

    @cached_property
    def domain_instance(self) -> Domain:
        """The default message domain, keeping each request's catalogue."""
        return _KeptDomain(domain=self.domain)


def page_translations() -> NullTranslations:
    """The catalogue of this request's language (the templates' `_()`): the kept one, without
    Flask-Babel's walk to its domain."""
    translations: NullTranslations = _per_locale(_TRANSLATIONS, get_translations)
    return translations


def _kept_gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's `gettext` (the same text, the same `%(name)s` substitution) on the kept
    catalogue, without its walk to the request's domain: what a lazy label runs each time it
    is shown, a few dozen times on a page of forms or a ledger of states."""
    text: str = page_translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Flask-Babel's `lazy_gettext`: a label translated each time it is shown, in the language
    of the request showing it (form labels, the words for states)."""
    return LazyString(_kept_gettext, string, **variables)


# Patterns that read the same in every language: written with strftime, not Babel's formatter
# (20 µs a call; a ledger page has a hundred of them).
_NUMERIC = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "yyyy-MM-dd": "%Y-%m-%d"}


def datetime_filter(value: datetime | None, format: str | None = None, rebase: bool = True) -> str:
    """The templates' `datetimeformat`: Flask-Babel's, in the kiosk's time zone, with the
    numeric patterns above written directly."""
    pattern = _NUMERIC.get(format or "")
    if pattern is None or not rebase or not isinstance(value, datetime):
        return str(format_datetime(value, format, rebase))
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(current_app.config["KIOSK"].zone).strftime(pattern)


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the package's translations."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["KIOSK"].default_locale
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["KIOSK"].timezone
    _Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["datetimeformat"] = datetime_filter
    app.after_request(remember_phone_locale)
    app.jinja_env.globals.update(
        current_locale=current_locale, html_lang=html_lang, language_links=language_links
    )
