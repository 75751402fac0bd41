"""Languages: zh_CN by default, English one tap away; the choice lives in the session."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, session
from flask_babel import Babel, get_locale

from kiosk.config import LOCALES

TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    """The session's language if it chose one, otherwise the kiosk's default."""
    chosen = session.get("locale") if has_request_context() else None
    if chosen in LOCALES:
        return str(chosen)
    return str(current_app.config["KIOSK"].default_locale)


def current_locale() -> str:
    """The locale of this request as a string such as "zh_CN" or "en"."""
    locale = get_locale()
    if locale is None:
        return "zh_CN"
    return f"{locale.language}_{locale.territory}" if locale.territory else str(locale.language)


def html_lang() -> str:
    """The value for <html lang>: zh-Hans or en."""
    return "en" if current_locale() == "en" else "zh-Hans"


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the package's translations."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["KIOSK"].default_locale
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["KIOSK"].timezone
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(current_locale=current_locale, html_lang=html_lang)
