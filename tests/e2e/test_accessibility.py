"""WCAG 2.2 AA on every touchscreen screen, checked by axe-core in Chromium: zero violations.

Each screen is checked in both languages, at both orientations, and in the large-text mode
(each language large at one orientation).
axe-core comes from npm (`npm ci --prefix tests/e2e`) and is injected into a browser context
that bypasses the CSP for the test only; the kiosk's own CSP stays strict.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LANDSCAPE, PORTRAIT, LiveKiosk, watch_console
from tests.e2e.kiosk_pages import (
    HERE,
    WORDS,
    check_layout,
    choose,
    contact,
    describe,
    first_tenant,
    pick_application_company,
    start_appeal,
    tap,
    tenant_with_code,
)

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's browser build, installed from tests/e2e/package-lock.json."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run npm ci --prefix tests/e2e")
    return AXE


class Audit:
    """Runs axe on each screen a test visits and keeps every violation for one assertion; checks
    the layout too (width, touch targets) and saves screenshots when $SCREENSHOT_DIR is set."""

    def __init__(self, page: Page, axe: Path, tag: str, layout: bool = True) -> None:
        self.page, self.axe, self.tag, self.layout = page, axe, tag, layout
        self.problems: list[str] = []
        self.screens: list[str] = []
        shots = os.environ.get("SCREENSHOT_DIR")
        self.folder = Path(shots) if shots else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def check(self, screen: str) -> None:
        """Run axe on the page as it is now."""
        self.page.wait_for_load_state("load")
        if self.layout:
            check_layout(self.page, self.folder, f"{screen}-{self.tag.replace(' ', '-')}")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(self.axe))
        found: list[dict[str, Any]] = self.page.evaluate(RUN_AXE, TAGS)
        self.screens.append(screen)
        for violation in found:
            nodes = "\n    ".join(violation["nodes"])
            self.problems.append(
                f"{screen} [{self.tag}]: {violation['id']} ({violation['impact']}) "
                f"{violation['help']}\n    {nodes}"
            )


SCREENS = [
    *("home", "company", "company-no-match", "company-details", "company-details-error"),
    *("category", "category-error", "description", "description-error", "contact", "check"),
    *("done", "error", "idle-warning", "attract"),
]


def _unexpected(errors: list[str]) -> list[str]:
    """Console errors but the 404 of the not-found pages this test opens on purpose."""
    return [error for error in errors if "status of 404" not in error]


def _context(browser: Browser, viewport: dict[str, int], **extra: Any) -> Any:
    return browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="zh-CN",
        has_touch=True,
        bypass_csp=True,  # only so that axe can be injected; the app's CSP is unchanged
        **extra,
    )


def _flow(audit: Audit, kiosk: LiveKiosk, locale: str, large: bool) -> None:
    """Every screen of an appeal, from home to the confirmation, with its error states."""
    page, words = audit.page, WORDS[locale]
    company, _ = first_tenant(kiosk.database)
    start_appeal(page, kiosk.url, locale)
    if large:
        page.locator("[data-display-toggle]").click()
        expect(page.locator("body")).to_have_attribute("data-display", "large")
    page.goto(kiosk.url + "/")
    audit.check("home")
    tap(page, "link", words["tile"])
    audit.check("company")
    page.get_by_label(words["search"]).fill("没有这家公司 nothing")
    tap(page, "button", words["search_button"])
    expect(page.locator(".result-count")).to_be_visible()
    audit.check("company-no-match")
    tap(page, "button", words["not_listed"])
    audit.check("company-details")
    tap(page, "button", words["continue"])  # nothing typed: the error summary
    audit.check("company-details-error")
    page.locator(".back-link").click()
    page.get_by_role("button", name=company).click()
    audit.check("category")
    tap(page, "button", words["continue"])
    audit.check("category-error")
    choose(page, locale, "物业楼宇" if locale == "zh_CN" else "Building and property")
    audit.check("description")
    describe(page, locale, "")
    audit.check("description-error")
    describe(page, locale, "电梯经常停运，员工上下班要排很久的队。")
    audit.check("contact")
    contact(page, locale, "周少敏", "13807310000")
    audit.check("check")
    tap(page, "button", words["submit"])
    state = "[data-printer-down]" if large else "[data-when=printed]"
    expect(page.locator(state)).to_be_visible(timeout=15_000)
    audit.check("done-printer-down" if large else "done")
    page.goto(kiosk.url + "/appeal/no-such-step")
    audit.check("error")
    page.goto(kiosk.url + "/appeal/done")
    # Idle: the warning, then the wipe, then the attract screen a minute after the home screen.
    page.clock.install()
    page.reload()
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)
    page.clock.run_for(62_000)
    expect(page.locator("#idle-dialog")).to_be_visible()
    page.clock.resume()  # axe schedules its work with timers: let them run while it checks
    audit.check("idle-warning")
    page.clock.run_for(21_000)
    expect(page.locator("h1")).to_have_text(WORDS["zh_CN"]["home"], timeout=10_000)
    page.clock.run_for(61_000)
    expect(page.locator("[data-attract-start]")).to_be_visible(timeout=10_000)
    audit.check("attract")


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_every_terminal_screen_has_no_violations(
    browser: Browser, live_kiosk: LiveKiosk, axe_script: Path, locale: str, orientation: str
) -> None:
    viewport = PORTRAIT if orientation == "portrait" else LANDSCAPE
    problems: list[str] = []
    # Large text once per orientation (Chinese in portrait, English in landscape): the suite
    # stays within its time, and each language is still checked large at one orientation.
    modes = (False, True) if (orientation == "portrait") == (locale == "zh_CN") else (False,)
    for large in modes:
        if large:
            live_kiosk.printer.state = "paper_out"  # and the confirmation's printer-down state
        context = _context(browser, viewport)
        page = context.new_page()
        errors = watch_console(page)
        lang = "zh" if locale == "zh_CN" else "en"
        audit = Audit(page, axe_script, f"{orientation} {lang}" + (" large" if large else ""))
        _flow(audit, live_kiosk, locale, large)
        context.close()
        assert _unexpected(errors) == []
        assert len(audit.screens) == len(SCREENS), audit.screens
        problems += audit.problems
    assert problems == [], "\n" + "\n".join(problems)


APPLICATION_SCREENS = [
    *("register-name", "register-name-error", "company-picker", "company-confirm"),
    *("company-applicant", "slot", "calendar"),
    *("collect", "collect-error", "fix", "fix-error", "fix-marked"),
]
APPLICATION_WORDS = {
    "zh_CN": {"print": "打印执照", "open": "打开申请"},
    "en": {"print": "Print the licence", "open": "Open the application"},
}


def _application_flow(audit: Audit, kiosk: LiveKiosk, locale: str) -> None:
    """The screens applications add: a registration question and its error, the invoice times,
    and collecting a licence or fixing an application, with their errors."""
    page, words = audit.page, {**WORDS[locale], **APPLICATION_WORDS[locale]}
    page.goto(kiosk.url + "/")
    if locale == "en":
        page.get_by_role("button", name="English").click()
    page.goto(kiosk.url + "/register/")
    audit.check("register-name")
    tap(page, "button", words["continue"])  # nothing typed: the error summary
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check("register-name-error")
    page.goto(kiosk.url + "/invoice/")
    audit.check("company-picker")
    pick_application_company(
        page, tenant_with_code(kiosk.database)[1], lambda step: audit.check(f"company-{step}")
    )
    expect(page.locator("input[name=slot_id]").first).to_be_attached()
    audit.check("slot")
    page.goto(kiosk.url + "/address/")  # the same company: on to the address change's date
    pick_application_company(page, tenant_with_code(kiosk.database)[1])
    page.locator("[name=destination][value=moving_out]").check()
    tap(page, "button", words["continue"])
    page.locator("#new_address").fill("湖南省长沙市岳麓区麓谷大道1号")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    tap(page, "button", words["continue"])
    expect(page.locator("[data-calendar]")).to_be_visible()
    audit.check("calendar")
    with page.expect_navigation():
        page.locator("[data-day]").last.click()
    expect(page.locator("dl.summary")).to_be_visible()
    for screen, button in (("collect", words["print"]), ("fix", words["open"])):
        page.goto(f"{kiosk.url}/{screen}")
        audit.check(screen)
        tap(page, "button", button)  # nothing typed
        expect(page.locator(".error-summary")).to_be_visible()
        audit.check(f"{screen}-error")
    # An application returned for correction: its check page with the answers marked 需补正.
    reference, code = _returned_for_correction(kiosk)
    page.locator("#reference").fill(reference)
    page.locator("#code").fill(code)
    tap(page, "button", words["open"])
    expect(page.locator(".summary__row--fix .tag--fix").first).to_be_visible()
    audit.check("fix-marked")


def _returned_for_correction(kiosk: LiveKiosk) -> tuple[str, str]:
    """The demo's application sent back to its tenant, by reference and pickup code."""
    with sqlite3.connect(kiosk.database) as connection:
        reference, code = connection.execute(
            "SELECT reference, pickup_code FROM application"
            " WHERE lower(status) = 'changes_requested' ORDER BY id LIMIT 1"
        ).fetchone()
    return str(reference), str(code)


@pytest.mark.parametrize(("locale", "orientation"), [("zh_CN", "portrait"), ("en", "landscape")])
def test_application_screens_have_no_violations(
    browser: Browser, live_kiosk: LiveKiosk, axe_script: Path, locale: str, orientation: str
) -> None:
    context = _context(browser, PORTRAIT if orientation == "portrait" else LANDSCAPE)
    page = context.new_page()
    errors = watch_console(page)
    lang = "zh" if locale == "zh_CN" else "en"
    audit = Audit(page, axe_script, f"{orientation} {lang}")
    _application_flow(audit, live_kiosk, locale)
    context.close()
    assert _unexpected(errors) == []
    assert audit.screens == APPLICATION_SCREENS
    assert audit.problems == [], "\n" + "\n".join(audit.problems)


def _resolved_token(kiosk: LiveKiosk, skip: int = 0) -> str:
    with sqlite3.connect(kiosk.database) as connection:
        (token,) = connection.execute(
            "SELECT token FROM appeal WHERE status = 'resolved' ORDER BY id LIMIT 1 OFFSET ?",
            (skip,),
        ).fetchone()
    return str(token)


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 844, "height": 390}], ids=["tall", "wide"]
)
def test_status_page_on_a_phone_has_no_violations(
    browser: Browser, live_kiosk: LiveKiosk, axe_script: Path, viewport: dict[str, int]
) -> None:
    problems: list[str] = []
    for number, locale in enumerate(("zh_CN", "en")):
        token = _resolved_token(live_kiosk, number)  # each language rates an appeal of its own
        context = _context(browser, viewport, is_mobile=True)
        page = context.new_page()
        errors = watch_console(page)
        audit = Audit(page, axe_script, f"phone {viewport['width']} {locale}", layout=False)
        if locale == "en":  # the phone keeps the language its session chose (set at a kiosk)
            page.set_viewport_size(PORTRAIT)
            page.goto(live_kiosk.url + "/")
            page.get_by_role("button", name="English").click()
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.goto(f"{live_kiosk.url}/status/{token}")
        send = "提交评价" if locale == "zh_CN" else "Send rating"
        expect(page.get_by_role("button", name=send)).to_be_visible()
        audit.check("status-with-rating-form")
        page.locator("form[action$='/rate'] button[type=submit]").click()  # nothing chosen
        expect(page.locator(".error-summary").first).to_be_visible()
        audit.check("status-rating-error")
        page.locator("input[name=rating][value=dissatisfied]").check()
        page.locator("#reason").fill("电梯还是经常停运")
        page.locator("form[action$='/rate'] button[type=submit]").click()
        expect(page.locator("[data-reopen-window]")).to_be_visible()  # 不满意: reopen stays open
        audit.check("status-dissatisfied")
        page.goto(f"{live_kiosk.url}/status/not-a-token")
        audit.check("status-not-found")
        context.close()
        assert _unexpected(errors) == []
        problems += audit.problems
    assert problems == [], "\n" + "\n".join(problems)


POLICY_SCREENS = [
    *("policies", "policies-no-match", "policy", "claim-amount-error", "claim-check"),
    *("policy-company", "policy-matches", "events", "event"),
]


@pytest.mark.parametrize(("locale", "orientation"), [("zh_CN", "landscape"), ("en", "portrait")])
def test_policy_and_event_screens_have_no_violations(
    browser: Browser, live_kiosk: LiveKiosk, axe_script: Path, locale: str, orientation: str
) -> None:
    context = _context(browser, PORTRAIT if orientation == "portrait" else LANDSCAPE)
    page = context.new_page()
    errors = watch_console(page)
    audit = Audit(page, axe_script, f"{orientation} {'zh' if locale == 'zh_CN' else 'en'}")
    start_appeal(page, live_kiosk.url, locale)  # the language chosen on the home screen
    page.goto(live_kiosk.url + "/policies?q=社保")
    audit.check("policies")
    page.goto(live_kiosk.url + "/policies?q=区块链")
    audit.check("policies-no-match")
    page.goto(live_kiosk.url + "/policies?window=open")
    page.locator(".policy-card").first.click()
    audit.check("policy")
    page.locator(".policy__claim").click()  # 申报: the claim starts at the company
    company_code = first_tenant_code(live_kiosk)
    pick_application_company(page, company_code)
    page.locator("#contact_name").fill("周少敏")
    page.locator("#contact_mobile").fill("13807310000")
    page.locator("form.step-form button[type=submit]").click()
    page.locator("#amount").fill("-5")
    page.locator("form.step-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check("claim-amount-error")
    page.locator("#amount").fill("5000")
    page.locator("#statement").fill("去年研发投入增长 30%。")
    page.locator("form.step-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/claim/check$"))
    audit.check("claim-check")
    page.goto(live_kiosk.url + "/policies/match")
    audit.check("policy-company")
    page.locator(".choices .choice").first.click()
    audit.check("policy-matches")
    page.goto(live_kiosk.url + "/events")
    audit.check("events")
    page.locator("a[data-event]").first.click()
    audit.check("event")
    context.close()
    assert _unexpected(errors) == []
    assert audit.screens == POLICY_SCREENS
    assert audit.problems == [], "\n" + "\n".join(audit.problems)


def first_tenant_code(kiosk: LiveKiosk) -> str:
    """A company of the demo building, by its credit code."""
    with sqlite3.connect(kiosk.database) as connection:
        row = connection.execute(
            f"SELECT uscc FROM tenant WHERE active AND {HERE} ORDER BY id LIMIT 1"
        ).fetchone()
    return str(row[0])
