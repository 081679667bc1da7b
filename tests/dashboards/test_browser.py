"""The dashboards in a real browser: Playwright driving Debian's Chromium, headless.

The real app runs under uvicorn in a subprocess (`nalish serve`) on a fresh SQLite file,
migrated, seeded and given its users through the real CLI. An agent takes a call
through the intake form, finds the ticket in the queue, claims it and transfers it to
the Rangpur district office; the Rangpur officer logs in and resolves it; the citizen's
resolution SMS is then in the outbox (`nalish outbox list`).

Screenshots of the main pages go to the test's tmp dir as artefacts, and, with
`NALISH_UPDATE_SCREENSHOTS=1`, to docs/screenshots/ (shown in the README): a plain
test run leaves the working tree as it was.

Without /usr/bin/chromium or the playwright package the module is skipped, saying why;
`NALISH_REQUIRE_BROWSER=1` (set by .ci/run) turns that skip into a failure, so CI can
never go green without having run it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "browser-test-password-1"
AGENT = "agent.browser@nalish.test"
OFFICER = "officer.rangpur.browser@nalish.test"
SUPERVISOR = "supervisor.browser@nalish.test"
ADMIN = "admin.browser@nalish.test"
KURIGRAM_OFFICER = "officer.kurigram.browser@nalish.test"
KURIGRAM_OFFICE_BN = "জেলা প্রশাসকের কার্যালয়, কুড়িগ্রাম"
SEARCH_CALLER = "+8801712349876"
BANGLA_DESCRIPTION = "গ্রামের নলকূপ নষ্ট, এক সপ্তাহ ধরে পানি নেই"
CALLER = "+8801812345670"
WHAT_WAS_DONE = "Replaced the tubewell pump at the school"
FILED = re.compile(r"/dashboard/tickets/([0-9A-Z]{4}-[0-9A-Z]{4})\?done=filed$")


def _unavailable() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        problems.append("the playwright package is not installed (pip install -e '.[dev]')")
    return "; ".join(problems) or None


_REASON = _unavailable()
if _REASON is not None:
    if os.environ.get("NALISH_REQUIRE_BROWSER") == "1":
        pytest.fail(
            f"NALISH_REQUIRE_BROWSER=1 but the browser test cannot run: {_REASON}",
            pytrace=False,
        )
    pytest.skip(f"browser test skipped — {_REASON}", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.private_servers import free_port, wait_until_healthy  # noqa: E402


@dataclass
class Server:
    """The real app under uvicorn, and the CLI against the same database."""

    url: str
    env: dict[str, str]
    artefacts: Path

    def nalish(self, *args: str) -> subprocess.CompletedProcess[str]:
        answer = subprocess.run(
            [sys.executable, "-m", "nalish", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert answer.returncode == 0, f"`nalish {' '.join(args)}` failed:\n{answer.stderr}"
        return answer

    def screenshot(self, page: Page, name: str, *, docs_height: int | None = None) -> None:
        """Save a full-page PNG to the test's tmp dir and to docs/screenshots/; a page
        taller than `docs_height` goes to docs cut at that height, to keep the PNG small."""
        artefact = self.artefacts / f"{name}.png"
        page.screenshot(path=artefact, full_page=True)
        if os.environ.get("NALISH_UPDATE_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if docs_height is None:
            shutil.copyfile(artefact, SCREENSHOTS / f"{name}.png")
        else:
            width = page.viewport_size["width"] if page.viewport_size else 1280
            clip = {"x": 0, "y": 0, "width": width, "height": docs_height}
            page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, clip=clip)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("browser")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"NALISH_REDIS_URL", "NALISH_REDIS_PREFIX", "NALISH_ENV"}
    }
    env.update(
        NALISH_DATABASE_URL=f"sqlite:///{home / 'nalish.db'}",
        NALISH_COUNTRY="BD",
        NALISH_SMS_TRANSPORT="console",
        NALISH_SECRET_KEY="browser-test-secret-key-0123456789",
    )
    port = free_port()
    found = Server(url=f"http://127.0.0.1:{port}", env=env, artefacts=home)
    found.nalish("db", "upgrade")
    found.nalish("seed", "--demo")  # demo tickets give the supervisor's charts something
    found.nalish(
        "users", "create", "--email", AGENT, "--role", "agent", "--password", PASSWORD,
        "--office", "national-triage", "--languages", "bn,en", "--name", "Ayesha Agent",
    )  # fmt: skip
    found.nalish(
        "users", "create", "--email", OFFICER, "--role", "officer", "--password", PASSWORD,
        "--district", "Rangpur", "--phone", "+8801711000333", "--name", "Rafiq Officer",
    )  # fmt: skip
    found.nalish(
        "users", "create", "--email", SUPERVISOR, "--role", "supervisor",
        "--password", PASSWORD, "--name", "Shirin Supervisor",
    )  # fmt: skip
    found.nalish(
        "users", "create", "--email", ADMIN, "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    found.nalish(
        "users", "create", "--email", KURIGRAM_OFFICER, "--role", "officer",
        "--password", PASSWORD, "--district", "Kurigram", "--name", "Kamal Officer",
    )  # fmt: skip
    log = home / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nalish", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(found.url, process, log, seconds=30)
        yield found
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(10_000)
    # Every page runs under its Content-Security-Policy: an inline script or style that
    # lacks the nonce is refused, and Chromium says so on the console.
    refused: list[str] = []
    opened = context.new_page()
    opened.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield opened
    finally:
        context.close()
    assert refused == [], "the CSP refused something the pages need"


def _log_in(
    page: Page,
    server: Server,
    email: str,
    *,
    shot: str | None = None,
    password: str = PASSWORD,
) -> None:
    page.goto(f"{server.url}/login")
    expect(page.get_by_role("heading", level=1), "the login page shows its heading").to_be_visible()
    if shot:
        server.screenshot(page, shot)
    page.get_by_label("Email").type(email)  # the email box has the focus: type, Tab, type
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(  # the sign-out button, in whatever language the person reads
        page.locator("form[action='/logout'] button"), f"{email} is signed in after Enter"
    ).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page, "signing out lands on the login page").to_have_url(re.compile(r"/login"))


def test_an_agent_takes_a_call_transfers_it_and_the_rangpur_officer_resolves_it(
    page: Page, server: Server
) -> None:
    _log_in(page, server, AGENT, shot="login")

    # Take the call, keyboard first: the phone box has the focus.
    page.get_by_role("link", name="Take a call").click()
    expect(page.get_by_role("heading", name="Take a call"), "the intake form opens").to_be_visible()
    expect(page.locator("#intake-phone"), "the phone box has the focus").to_be_focused()
    page.keyboard.type("01812-345670")
    page.keyboard.press("Tab")
    # The caller is in Lalmonirhat, where nobody is on duty: the ticket waits in the queue.
    district = page.locator("#districts option[value='Lalmonirhat']").get_attribute("value")
    assert district == "Lalmonirhat", "the district suggestions list Lalmonirhat"
    page.keyboard.type(district)
    page.get_by_label("Category").select_option("water")
    page.get_by_label("Description").fill("No water from the tubewell near the school for a week")
    server.screenshot(page, "intake")
    page.get_by_label("Description").press("Control+Enter")  # files from the description

    expect(page, "filing lands on the new ticket's page").to_have_url(FILED)
    found = FILED.search(page.url)
    assert found, f"a ticket reference in {page.url}"
    ref = found.group(1)
    expect(
        page.get_by_text(f"Complaint {ref} filed"), "the ticket page confirms it"
    ).to_be_visible()
    server.screenshot(page, "ticket")

    page.get_by_role("link", name="Queue", exact=True).click()
    expect(page.get_by_role("link", name=ref), f"{ref} is in the agent's queue").to_be_visible()
    server.screenshot(page, "queue")

    page.get_by_role("link", name=ref).click()
    page.get_by_role("button", name="Claim", exact=True).click()
    expect(page.get_by_text("You have claimed this ticket."), "the agent holds it").to_be_visible()

    page.get_by_label("Office or person").fill("Rangpur")  # a place's name: its own office
    reason = "The village is across the border in Rangpur; the district office handles it"
    page.get_by_label("Reason", exact=True).fill(reason)
    page.get_by_label("Reason", exact=True).press("Enter")
    expect(page.get_by_text(reason).first, "the transfer is on the timeline").to_be_visible()
    _sign_out(page)

    # The Rangpur officer finds it among the escalations of their area and resolves it.
    _log_in(page, server, OFFICER)
    page.get_by_role("link", name="My escalations").click()
    card = page.locator(f"#what-{ref}")
    expect(card, f"{ref} is on the Rangpur officer's page").to_be_visible()
    server.screenshot(page, "officer")
    card.fill(WHAT_WAS_DONE)
    page.get_by_role("button", name=f"Resolve {ref}").click()
    expect(
        page.get_by_text(f"{ref} resolved; the citizen is told by SMS."),
        "the officer is told the citizen will hear",
    ).to_be_visible()
    _sign_out(page)

    outbox = json.loads(server.nalish("outbox", "list", "--json", "--to", CALLER).stdout)
    told = [m for m in outbox if m["ticket_ref"] == ref and WHAT_WAS_DONE in m["body"]]
    assert told, f"the citizen's resolution SMS for {ref} is in the outbox: {outbox}"
    assert told[0]["to"] == CALLER, "the SMS goes to the caller"


def test_the_supervisor_dashboard_and_the_queue_on_a_360_px_phone(
    chromium: Browser, page: Page, server: Server
) -> None:
    _log_in(page, server, SUPERVISOR)
    page.get_by_role("link", name="Analytics").click()
    expect(page, "the supervisor opens the analytics").to_have_url(re.compile(r"/supervisor"))
    expect(page.locator("svg").first, "the charts are rendered as SVG").to_be_visible()
    server.screenshot(page, "supervisor", docs_height=3000)

    phone = chromium.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    try:
        narrow = phone.new_page()
        _log_in(narrow, server, AGENT)
        narrow.goto(f"{server.url}/dashboard/queue")
        expect(narrow.get_by_role("table"), "the queue shows its table").to_be_visible()
        width = narrow.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the queue fits a 360-px screen (the page is {width} px wide)"
        server.screenshot(narrow, "queue-360")
    finally:
        phone.close()


def test_an_admin_gives_the_rangpur_office_a_phone_and_finds_the_change_recorded(
    page: Page, server: Server
) -> None:
    _log_in(page, server, ADMIN)
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("navigation", name="Admin pages").get_by_role("link", name="Offices").click()
    expect(
        page.get_by_role("cell", name="dc-rangpur", exact=True), "the offices list Rangpur's"
    ).to_be_visible()
    form = page.get_by_role("group", name="Add or change an office")
    form.get_by_label("Office code").fill("dc-rangpur")
    form.get_by_label("Name").fill("Deputy Commissioner's Office, Rangpur")
    form.get_by_label("Level").select_option("district")
    form.get_by_label("Area it covers").fill("Rangpur")
    form.get_by_label("Phone").fill("0521-62000")
    form.get_by_label("Phone").press("Enter")  # the keyboard submits the form
    expect(page.get_by_role("status"), "the office is saved").to_have_text("Office saved.")
    expect(page.get_by_role("cell", name="+88052162000"), "the phone, in E.164").to_be_visible()

    page.get_by_role("link", name="Changes").click()
    expect(page.get_by_role("status"), "the chain of changes is intact").to_contain_text(
        "the chain is intact"
    )
    newest = page.get_by_role("row").nth(1)
    expect(newest, "the newest change is the office's phone").to_contain_text("office:dc-rangpur")
    expect(newest, "with who made it").to_contain_text(ADMIN)
    server.screenshot(page, "admin-changes")

    page.get_by_label("Language").select_option("sw")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html"), "the page is now in Kiswahili").to_have_attribute("lang", "sw")
    expect(page.get_by_role("heading", level=1), "the heading in Kiswahili").to_have_text(
        "Mabadiliko"
    )


def _switch_language(page: Page, code: str) -> None:
    """The header's language switch (by id: its label is in the page's language)."""
    page.locator("#ui-language").select_option(code)
    page.locator("form[action='/dashboard/language'] button").click()
    expect(page.locator("html"), f"the page is now in {code}").to_have_attribute("lang", code)


def _search(page: Page, query: str) -> None:
    box = page.locator("#header-search")  # the one box on every page
    box.fill(query)
    box.press("Enter")


def test_an_agent_finds_a_ticket_by_phone_and_by_a_bangla_word_and_hands_it_to_kurigram(
    page: Page, server: Server
) -> None:
    _log_in(page, server, AGENT)
    page.get_by_role("link", name="Take a call").click()
    page.locator("#intake-phone").fill("01712-349876")
    page.locator("#intake-district").fill("Rangpur")
    page.get_by_label("Category").select_option("water")
    page.get_by_label("Description").fill(BANGLA_DESCRIPTION)
    page.get_by_label("Description").press("Control+Enter")
    expect(page, "the call is filed").to_have_url(FILED)
    ref = FILED.search(page.url).group(1)

    _search(page, "9876")  # the caller gives the last four digits of their phone
    expect(page.get_by_role("link", name=ref), "found by the phone's last digits").to_be_visible()
    server.screenshot(page, "search")
    _search(page, "নলকূপ")  # or a word of what they said, in Bangla
    expect(page.get_by_role("link", name=ref), "found by a Bangla word").to_be_visible()

    page.get_by_role("link", name=ref).click()
    page.get_by_label("Office or person").fill("Kurigram")
    page.get_by_label("Reason", exact=True).fill("The school is on the Kurigram side")
    page.get_by_label("Reason", exact=True).press("Enter")
    expect(page.get_by_text("Deputy Commissioner's Office, Kurigram").first).to_be_visible()
    _sign_out(page)

    # Kurigram's officer reads it in Bangla: the office, the district, the category
    _log_in(page, server, KURIGRAM_OFFICER)
    _switch_language(page, "bn")
    page.goto(f"{server.url}/dashboard/officer")
    card = page.locator("li.card", has=page.get_by_role("link", name=ref))
    expect(card, f"{ref} is on Kurigram's officer page").to_be_visible()
    expect(card, "the office in Bangla").to_contain_text(KURIGRAM_OFFICE_BN)
    expect(card, "the district in Bangla").to_contain_text("রংপুর")
    assert "water" not in card.inner_text(), "no raw category code"
    server.screenshot(page, "officer-bn")
    _switch_language(page, "en")  # as the next tests expect to find them


def test_an_admin_resets_an_officers_password_and_the_officer_changes_it(
    page: Page, server: Server
) -> None:
    _log_in(page, server, ADMIN)
    _switch_language(page, "en")  # the test before left the admin reading Kiswahili
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name=KURIGRAM_OFFICER).click()
    page.get_by_role("button", name="Reset password").click()
    temporary = page.locator("#temporary-password").inner_text().strip()
    assert len(temporary) >= 10, "a temporary password is shown"
    server.screenshot(page, "admin-person")
    _sign_out(page)

    _log_in(page, server, KURIGRAM_OFFICER, password=temporary)
    page.get_by_role("link", name="My account").click()
    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password (at least 10 characters)").fill("kurigram-own-pass-1")
    page.get_by_label("New password again").fill("kurigram-own-pass-1")
    page.get_by_label("New password again").press("Enter")
    expect(page.get_by_role("status")).to_have_text("Your password has been changed.")
    _sign_out(page)
    _log_in(page, server, KURIGRAM_OFFICER, password="kurigram-own-pass-1")


def test_the_supervisors_first_screen_shows_urgent_and_overdue_counts(
    page: Page, server: Server
) -> None:
    _log_in(page, server, SUPERVISOR)
    page.get_by_role("link", name="Analytics").click()
    for count in ("#urgent-unacknowledged", "#overdue-now"):
        expect(page.locator(count), f"{count} is shown").to_be_visible()
        box = page.locator(count).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800, f"{count} on the first screen"


SERIOUS = {"serious", "critical"}


def _serious_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    assert response["testEngine"]["name"] == "axe-core", "axe-core ran on the page"
    found = response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("language", ["en", "bn"])
def test_the_main_pages_have_no_serious_accessibility_violations(
    page: Page, server: Server, language: str
) -> None:
    if importlib.util.find_spec("axe_playwright_python") is None:
        pytest.skip("axe-playwright-python is not installed (pip install -e '.[dev]')")
    _log_in(page, server, SUPERVISOR)
    _switch_language(page, language)
    page.goto(f"{server.url}/dashboard/queue?status=all")
    ref = page.locator("td.ref a").first.inner_text()
    problems = {}
    for path in ("/dashboard/queue", f"/dashboard/tickets/{ref}", "/dashboard/officer",
                 "/dashboard/supervisor"):  # fmt: skip
        page.goto(server.url + path)
        problems[path] = _serious_violations(page)
    _switch_language(page, "en")
    assert problems == {path: [] for path in problems}, problems
