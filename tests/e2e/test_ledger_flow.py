"""万名干部进万企 end to end on a fresh demo: a building's officer records a visit with two
problems and a policy handed over; one problem goes to 市场监管局, whose officer accepts and
answers it, the building's reviewer sends the reply back once, it is answered again and
published, and the tenant's phone opens the status page from the one signed SMS the (fake)
provider received. Three companies raise the same bus route by phone; the district groups them
into one common problem, records a joint meeting and sends one answer that reaches all three
(three SMS, three status pages). An appeal past its due date is in the district's ledger.
Key pages are shot at 1440×900 and 390×844 (into $SCREENSHOT_DIR when set)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kiosk.config import SMS_EVENTS
from tests.e2e.conftest import (
    STAFF_PASSWORD,
    LiveKiosk,
    fill_visit,
    serving_with_sms,
    watch_console,
)
from tests.support.fake_sms import FakeSms

DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
BUILDING = "demo"  # the demo's building, under 五一大道街道 under 芙蓉区
# username: (unit, display name)
OFFICERS = {
    "ledger-building": (BUILDING, "驿站 李婷"),
    "ledger-samr": ("samr", "市场监管局 周强"),
    "ledger-furong": ("furong", "芙蓉区专班 郑琳"),
}
CREATE_STAFF = (
    "import json, sys\nfrom kiosk.cli import main\n"
    "for call in json.loads(sys.argv[1]):\n    main(call, standalone_mode=False)\n"
)
RESOLVED = f"SMS_{SMS_EVENTS.index('appeal_resolved')}"
CODE = f"SMS_{SMS_EVENTS.index('phone_code')}"
BUS = (
    "5路公交改线后大厦门口的公交站取消了，员工通勤要多走二十分钟。",
    "公交5路改线，大厦附近的公交站没有了，员工上下班很不方便。",
    "5路公交站撤掉以后，我们员工通勤换乘两次公交，希望恢复大厦门口的站点。",
)


def _add_officers(env: dict[str, str]) -> None:
    """`kiosk staff create` for each officer, in one process (a start-up is seconds here)."""
    calls = [
        ["staff", "create", username, "--name", name, "--role", "staff", "--unit", unit]
        for username, (unit, name) in OFFICERS.items()
    ]
    subprocess.run(
        [sys.executable, "-c", CREATE_STAFF, json.dumps(calls)],
        env={**env, "KIOSK_NEW_STAFF_PASSWORD": STAFF_PASSWORD},
        check=True, capture_output=True, timeout=90,
    )  # fmt: skip


@pytest.fixture
def ledger_kiosk(tmp_path: Path, demo_instance: Path) -> Iterator[tuple[LiveKiosk, FakeSms]]:
    """`kiosk serve` on a copy of the demo with an officer of the building, of 市场监管局 and
    of 芙蓉区; its SMS go to a fake Alibaba Cloud endpoint on loopback."""
    with serving_with_sms(tmp_path, demo_instance, before=_add_officers) as served:
        yield served


class Shots:
    """Each key page at 1440×900 and at 390×844, none wider than its screen."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def take(self, page: Page, name: str, *, desk: bool = True) -> None:
        page.wait_for_load_state("load")
        sizes = {"desk": DESK, "phone": PHONE} if desk else {"phone": PHONE}
        before = page.viewport_size
        for size, viewport in sizes.items():
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} ({size}): {overflow}px wider than the screen"
            page.screenshot(path=str(self.folder / f"{name}-{size}.png"), full_page=True)
        if before:
            page.set_viewport_size(before)


def _officer(browser: Browser, url: str, username: str) -> tuple[BrowserContext, Page, list[str]]:
    """A signed-in officer at a 1440×900 desk."""
    context = browser.new_context(viewport=DESK, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    errors = watch_console(page)
    page.goto(url + "/admin/sign-in")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".topbar")).to_contain_text(OFFICERS[username][1])
    return context, page, errors


def _messages(fake: FakeSms, template: str) -> list[dict[str, str]]:
    """What the fake provider accepted with this template, its parameters decoded."""
    return [
        {**sent, **json.loads(sent["TemplateParam"])}
        for sent in list(fake.received)
        if sent["TemplateCode"] == template
    ]


def _wait_for(
    fake: FakeSms, template: str, reference: str = "", mobile: str = ""
) -> dict[str, str]:
    """The first message of `template` for `reference` (or to `mobile`); the worker looks every
    two seconds."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for sent in _messages(fake, template):
            if reference in ("", sent.get("reference")) and mobile in ("", sent["PhoneNumbers"]):
                return sent
        time.sleep(0.2)
    raise AssertionError(f"no {template} for {reference or mobile}; refused: {fake.refused}")


def _record_visit(page: Page, url: str, shots: Shots) -> tuple[str, str, str]:
    """The building's officer records a visit: two problems and a policy handed over. Returns
    the market problem's and the labour problem's references, and the visit's URL."""
    page.goto(url + "/admin/visits/new")
    page.get_by_label("按企业名称或信用代码查找").fill("有限公司")
    page.locator("form[role=search] button[type=submit]").click()
    page.locator("[data-company]").first.click()
    problems = [
        ("market", "新开门店想申请食品经营许可，不清楚要准备哪些材料。"),
        ("labour", "招用应届高校毕业生的社保补贴怎么申请？"),
    ]
    fill_visit(page, "王芳（行政总监）", "门店扩张的许可办理和应届生招聘补贴。", problems, "王芳")
    ticks = page.locator(".policy-offer input[type=checkbox]")
    assert ticks.count() > 0, "the visit offers no policy to hand over"
    ticks.first.check()
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.locator("[data-visit-problems] li")).to_have_count(2)
    expect(page.locator("[data-visit-policies] li")).to_have_count(1)
    shots.take(page, "visit")
    problems = page.locator("[data-visit-problems] li")
    market = problems.filter(has_text="食品经营许可").get_attribute("data-appeal")
    labour = problems.filter(has_text="社保补贴").get_attribute("data-appeal")
    assert market and labour and market != labour
    return market, labour, page.url


def _step(page: Page, step: str, text: str = "") -> None:
    """Use one form of the appeal page's hand-off panel and see it done."""
    form = page.locator(f"[data-handoff-panel] form[data-step='{step}']")
    if text:
        form.locator("textarea").fill(text)
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash--success")).to_be_visible()


def _hand_off(
    browser: Browser, live: LiveKiosk, fake: FakeSms, building: Page, ref: str, shots: Shots
) -> list[str]:
    """市场监管局 takes the problem, is sent back once, answers again; the reply is published and
    the tenant reads it on the phone from the SMS. Returns console errors."""
    appeal_url = f"{live.url}/admin/appeals/{ref}"
    building.goto(appeal_url)
    new = building.locator("[data-handoff-panel] form.handoff__new")
    expect(new.locator("select")).to_have_value(_unit_id(live, "samr"))  # the category's
    new.locator("select").select_option(label="市场监管局")
    new.locator("button[type=submit]").click()
    expect(building.locator("[data-handoff][data-state='sent']")).to_be_visible()

    context, samr, errors = _officer(browser, live.url, "ledger-samr")
    samr.goto(live.url + "/admin/hand-offs")
    queued = samr.locator(f"[data-queue='to-accept'] [data-reference='{ref}']")
    expect(queued).to_be_visible()
    shots.take(samr, "hand-offs-department")
    queued.get_by_role("link", name=ref).click()
    _step(samr, "accept")
    expect(samr.locator("[data-handoff][data-state='accepted']")).to_be_visible()
    _step(samr, "reply", "请登录政务服务网提交申请。")
    expect(samr.locator("[data-handoff][data-state='replied']")).to_be_visible()

    building.goto(live.url + "/admin/hand-offs")
    expect(building.locator(f"[data-queue='to-review'] [data-reference='{ref}']")).to_be_visible()
    building.goto(appeal_url)
    shots.take(building, "appeal-review")
    _step(building, "send_back", "请写明需要准备的材料和办理时限。")
    expect(building.locator("[data-handoff][data-state='sent_back']")).to_be_visible()

    answer = (
        "请在湖南政务服务网申请食品经营许可，备齐营业执照、场所平面图、食品安全管理制度；"
        "材料齐全的，10个工作日内发证。"
    )
    samr.reload()
    expect(samr.locator("[data-handoff]")).to_contain_text("请写明需要准备的材料")
    _step(samr, "reply", answer)
    context.close()
    building.reload()
    expect(building.locator("[data-handoff] [data-reply]")).to_contain_text(answer)
    _step(building, "publish")
    expect(building.locator("[data-handoff][data-state='published']")).to_be_visible()

    sent = _wait_for(fake, RESOLVED, reference=ref)
    assert sent["PhoneNumbers"] == "13811112222"
    errors += _status_page(browser, sent["link"], ref, answer, shots, "status-handed-off")
    return errors


def _status_page(
    browser: Browser, link: str, ref: str, answer: str, shots: Shots | None, name: str
) -> list[str]:
    """The tenant's phone opens the link from the SMS and reads the answer."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    errors = watch_console(phone)
    phone.goto(link)
    expect(phone.locator(".status-ref")).to_have_text(ref)
    expect(phone.locator("[data-status='resolved']")).to_be_visible()
    expect(phone.locator("[data-answer]")).to_have_text(answer)
    if shots:
        shots.take(phone, name, desk=False)
    context.close()
    return errors


def _unit_id(live: LiveKiosk, code: str) -> str:
    with closing(sqlite3.connect(live.database, timeout=10)) as db:
        return str(db.execute("SELECT id FROM unit WHERE code = ?", (code,)).fetchone()[0])


def _phone_appeals(browser: Browser, live: LiveKiosk, fake: FakeSms) -> list[tuple[str, str]]:
    """Three companies of the building raise the same bus route from the complaint QR's form.
    Returns (reference, mobile) of each."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    errors = watch_console(phone)
    phone.goto(live.url + "/phone-appeal/demo")
    companies = phone.locator("#company option").evaluate_all(
        "options => options.map(o => o.value).filter(v => v && v !== 'other')"
    )
    assert len(companies) >= 3
    raised = []
    for n, (company, text) in enumerate(zip(companies, BUS, strict=False)):
        mobile = f"1390000000{n + 1}"
        phone.goto(live.url + "/phone-appeal/demo")
        phone.locator("#company").select_option(company)
        phone.locator("#category").select_option("transport")
        phone.get_by_label("请描述问题").fill(text)
        phone.get_by_label("您的姓名").fill(f"员工{n + 1}")
        phone.get_by_label("您的手机号").fill(mobile)
        phone.get_by_role("button", name="获取验证码").click()
        code = json.loads(_wait_for(fake, CODE, mobile=mobile)["TemplateParam"])["code"]
        phone.get_by_label("短信验证码").fill(code)
        phone.get_by_role("button", name="确认并提交问题").click()
        expect(phone.locator("[data-status='new']")).to_be_visible()
        raised.append((phone.locator(".status-ref").inner_text().strip(), mobile))
    context.close()
    assert errors == []
    return raised


def _common_problem(
    browser: Browser, live: LiveKiosk, raised: list[tuple[str, str]], shots: Shots
) -> tuple[Page, BrowserContext, list[str], str]:
    """芙蓉区's officer groups the three appeals, records a meeting and answers them all."""
    context, furong, errors = _officer(browser, live.url, "ledger-furong")
    first, *others = [ref for ref, _ in raised]
    furong.goto(f"{live.url}/admin/appeals/{first}")
    panel = furong.locator("[data-similar-panel]")
    for ref in others:
        panel.locator(f"[data-similar='{ref}'] input[type=checkbox]").check()
    panel.get_by_label("共性问题名称").fill("5路公交改线")
    panel.locator("#owner").select_option(label="芙蓉区专班")
    panel.locator("#officer").select_option(label=OFFICERS["ledger-furong"][1])
    shots.take(furong, "appeal-similar")
    panel.get_by_role("button", name="归并为共性问题").click()
    expect(furong.locator("h1")).to_have_text("5路公交改线")
    expect(furong.locator("[data-member]")).to_have_count(3)

    furong.locator("a", has_text="记录会商会").click()
    furong.get_by_label("芙蓉区住建局").check()  # the district's own department
    furong.locator("#others").fill("公交集团、三家企业代表")
    furong.locator("#decisions").fill("恢复大厦门口5路公交站点；早晚高峰加密班次。")
    row = furong.locator("[data-action-row='0']")
    row.locator("select").select_option(label="芙蓉区住建局")
    row.locator("input[type=text]").fill("与公交集团确定站点位置，修缮候车亭")
    row.locator("input[type=date]").fill((date.today() + timedelta(days=14)).isoformat())
    shots.take(furong, "meeting-form")
    furong.get_by_role("button", name="保存会商会记录").click()
    expect(furong.locator("[data-meeting]")).to_have_count(1)
    expect(furong.locator("[data-meeting]")).to_contain_text("恢复大厦门口5路公交站点")
    expect(furong.locator("[data-meeting]")).to_contain_text("芙蓉区住建局")

    answer = "经会商，公交集团将于下月起恢复大厦门口的5路公交站点，早晚高峰加密班次。"
    furong.get_by_label("统一答复").fill(answer)
    furong.get_by_role("button", name="将答复发送给每家企业").click()
    expect(furong.locator("[data-problem-state='answered']")).to_be_visible()
    for ref in (first, *others):
        expect(furong.locator(f"[data-member='{ref}'] .badge--resolved")).to_be_visible()
    shots.take(furong, "common-problem")
    return furong, context, errors, answer


def test_a_visit_a_hand_off_and_a_common_problem_reach_the_tenants(
    browser: Browser, ledger_kiosk: tuple[LiveKiosk, FakeSms], shots: Path
) -> None:
    live, fake = ledger_kiosk
    pictures = Shots(shots)
    started = time.monotonic()
    building_context, building, errors = _officer(browser, live.url, "ledger-building")
    market, labour, _visit = _record_visit(building, live.url, pictures)
    errors += _hand_off(browser, live, fake, building, market, pictures)
    building_context.close()

    raised = _phone_appeals(browser, live, fake)
    furong, furong_context, more, answer = _common_problem(browser, live, raised, pictures)
    errors += more
    for ref, mobile in raised:
        sent = _wait_for(fake, RESOLVED, reference=ref)
        assert sent["PhoneNumbers"] == mobile
        errors += _status_page(browser, sent["link"], ref, answer, None, "")
        if ref == raised[0][0]:
            errors += _status_page(browser, sent["link"], ref, answer, pictures, "status-common")

    # the labour problem is left past its due date: the district sees it in its ledger
    furong.goto(live.url + "/admin/appeals?overdue=y")
    expect(furong.locator(f"[data-reference='{labour}']")).to_have_count(0)  # not yet due
    past = date.today() - timedelta(days=5)
    with closing(sqlite3.connect(live.database, timeout=10)) as db, db:
        db.execute("UPDATE appeal SET due_date = ? WHERE reference = ?", (past.isoformat(), labour))
    furong.goto(live.url + "/admin/appeals?overdue=y")
    late = furong.locator(f"[data-reference='{labour}']")
    expect(late).to_have_class("ledger__row ledger__row--overdue")
    expect(late).to_contain_text(past.isoformat())
    expect(furong.locator(f"[data-below] [data-below-reference='{labour}']")).to_be_visible()
    pictures.take(furong, "ledger-overdue")
    furong_context.close()

    # one signed SMS for each answer, none refused, nothing told twice
    time.sleep(2.5)  # one more round of the message worker
    ours = [market, *(ref for ref, _ in raised)]  # the demo's own answers are told too
    told = Counter(json.loads(m["TemplateParam"]).get("reference") for m in list(fake.received))
    assert {ref: told[ref] for ref in [*ours, labour]} == {**dict.fromkeys(ours, 1), labour: 0}
    assert {m["reference"] for m in _messages(fake, RESOLVED)} >= set(ours)
    assert fake.refused == []
    assert errors == []
    assert time.monotonic() - started < 120
