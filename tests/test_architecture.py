"""Rules every route keeps: it declares who may open it, its URL is kebab-case, POSTs need CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from kiosk.access import ACCESS_ATTR, PUBLIC
from kiosk.models import Role, Scope

ROOT = Path(__file__).resolve().parent.parent
# Views anyone may open, by design; anything else public must be added here consciously.
PUBLIC_ENDPOINTS = {
    "terminal.home",
    "terminal.switch_language",
    "terminal.switch_display_mode",  # large text / high contrast, kept in the session
    "terminal.attract",  # the attract screen of an idle kiosk: nothing personal, no session
    "terminal.report_screen",  # the screen says which page it shows; answers reload/pause
    "terminal.wipe_session",
    "terminal.start_task",
    "terminal.task_step",
    "terminal.check_answers",
    "terminal.task_done",
    "terminal.print_status",
    "terminal.print_again",
    "terminal.find_candidates",  # the on-screen keyboard's pinyin lookup (GET, nothing personal)
    "terminal.start_hand_off",
    "terminal.collect_hand_off",
    "terminal.collect_licence",  # USCC + pickup code, rate limited
    "terminal.licence_collected",
    "terminal.fix_application",  # reference + pickup code, rate limited
    "terminal.list_policies",  # the catalogue is public information
    "terminal.show_policy",
    "terminal.choose_company",  # the building's list of companies, as in the appeal task
    "terminal.company_policies",  # answers refine the list only (GET, never stored)
    "terminal.print_sheet",
    "terminal.claim_policy",  # starts the claim task with the policy chosen
    "terminal.sheet_print_status",
    "terminal.list_events",  # upcoming events: public information
    "terminal.show_event",
    "terminal.pick_event_company",
    "terminal.event_signed_up",
    "terminal.event_print_status",
    "terminal.print_event_slip",
    "public.fill_field",
    "public.appeal_status",
    "public.rate_appeal",
    "public.reopen_appeal",
    "public.application_status",
    "public.verify_licence",  # the printed licence's QR: genuine and current, nothing else
    "public.signup_status",  # an event sign-up's QR: the sign-up, and cancelling it
    "public.cancel_signup",
    "public.policy_text",  # the sheet's and the screen's QR: a policy's full text
    "public.show_figures",  # the programme's figures this year: counts, nothing personal
    "public.new_phone_appeal",  # the complaint QR's form: a mobile confirmed by an SMS code
    "public.confirm_phone_appeal",  # the code for that draft only (hashed, limited tries)
    "public.resend_phone_code",  # limited per number and per address
    "admin.sign_in",
    "admin.sign_out",  # signing out must work after the session has already expired
    "api.health",
    "api.list_policies",  # the public catalogue as JSON
    "api.enrol_terminal",  # a one-time code (50 bits, minutes, hashed) is the credential
    "api.show_openapi",  # the maintenance API's OpenAPI description: no data, only shapes
}
CSRF_EXEMPT = {"terminal.wipe_session"}
SEGMENT = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*(\.json)?|<[^>]+>)$")  # .json: openapi.json


def _rules(app: Flask) -> list[tuple[str, str, set[str]]]:
    return [
        (rule.endpoint, rule.rule, set(rule.methods or ()))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    ]


def test_every_route_declares_its_access_rule(app: Flask) -> None:
    for endpoint, url, _ in _rules(app):
        access = getattr(app.view_functions[endpoint], ACCESS_ATTR, None)
        assert access == PUBLIC or isinstance(access, Role | Scope), (
            f"{endpoint} ({url}) has no access rule"
        )
        if isinstance(access, Scope):
            # A token opens the API, and /metrics, where Prometheus expects it.
            assert url.startswith("/api/v1/") or url == "/metrics", f"{endpoint}: not the API"
        if access == PUBLIC:
            assert endpoint in PUBLIC_ENDPOINTS, f"{endpoint} is public but not on the allow-list"


def test_admin_routes_are_never_public(app: Flask) -> None:
    for endpoint, _, _ in _rules(app):
        if endpoint.startswith("admin.") and endpoint not in ("admin.sign_in", "admin.sign_out"):
            assert isinstance(getattr(app.view_functions[endpoint], ACCESS_ATTR, None), Role), (
                endpoint
            )


def test_a_view_without_a_rule_is_refused(app: Flask) -> None:
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert app.test_client().get("/forgotten").status_code == 403


def test_urls_are_kebab_case(app: Flask) -> None:
    for endpoint, url, _ in _rules(app):
        for segment in url.strip("/").split("/"):
            if segment:
                assert SEGMENT.match(segment), (
                    f"{endpoint}: {url!r} segment {segment!r} is not kebab-case"
                )


def _sample_url(url: str) -> str:
    url = re.sub(r"<int(?:\([^)]*\))?:[^>]+>", "1", url)  # <int:id> and <int(max=…):id>
    return re.sub(r"<(?:any\(([a-z-]+)[^)]*\):)?[^>]+>", lambda m: m.group(1) or "x", url)


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_post_route_refuses_a_missing_csrf_token(
    app: Flask, signed_in: bool, make_staff: object, auth: object
) -> None:
    client = app.test_client()
    if signed_in:
        from tests.conftest import AuthActions

        make_staff("chief", Role.ADMIN)  # type: ignore[operator]
        AuthActions(client).sign_in("chief")
    for endpoint, url, methods in _rules(app):
        if "POST" not in methods or endpoint in CSRF_EXEMPT:
            continue
        response = client.post(_sample_url(url), data={"anything": "1"})
        access = getattr(app.view_functions[endpoint], ACCESS_ATTR, None)
        if isinstance(access, Scope):
            # A bearer token, never a cookie: without one, refused whoever is signed in.
            assert response.status_code == 401, f"{endpoint} accepted a POST without a token"
            continue
        staff_only = isinstance(access, Role)
        if staff_only and not signed_in:
            # Refused one step earlier: not signed in.
            assert response.status_code == 302 and "/admin/sign-in" in response.location, endpoint
            continue
        assert response.status_code == 400, f"{endpoint} accepted a POST without a CSRF token"


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\ssrc=)", text) or re.search(r"\sstyle=|\son[a-z]+=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_static_assets_are_all_local() -> None:
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "static").rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "@import url(http" not in text and "url(http" not in text, path
