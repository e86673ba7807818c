"""The portal in real Chromium: axe-core on every page (WCAG 2.1 A and AA) in all six languages,
signed in and out; every page without JavaScript; and the acceptance journeys through the real
development OpenID Provider."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest
from icalendar import Calendar

from frontend.i18n import LANGUAGES
from tests.frontend.conftest import run_axe
from tests.frontend.pages import all_pages, expected_status

SUBJECTS = ("beboer-tingbjerg", "beboer-ny", "partner-bibliotek", "fsb-medarbejder", "kommune-tmf", "lbf-tilsyn")


@pytest.fixture(scope="module")
async def session_cookies(sign_in_as):
    return {subject: await sign_in_as(subject) for subject in SUBJECTS}


async def new_context(browser, live_server, *, lang="da", cookies=None, javascript=True, mobile=False):
    context = await browser.new_context(
        java_script_enabled=javascript,
        viewport={"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900},
        accept_downloads=True,
        bypass_csp=True,  # axe-core is injected as an inline script; the pages themselves have none
    )
    jar = [{"name": "sprog", "value": lang, "url": live_server}]
    jar += [{"name": name, "value": value, "url": live_server} for name, value in (cookies or {}).items()]
    await context.add_cookies(jar)
    return context


# At most this many visitors' browser pages at once: the server, Chromium and axe-core each keep a core busy.
SIDE_BY_SIDE = 2


# axe in every language, signed out and as each kind of account (the HTML checks in test_pages.py and the
# pseudo-locale cover the same pages). One browser page per visitor goes through that visitor's paths.
@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_axe_finds_no_wcag_violations_on_any_page(
    browser, live_server, demo_ids, session_cookies, axe_source, lang
):
    paths_of: dict[str | None, list[str]] = {}
    for who, path in all_pages(demo_ids):
        paths_of.setdefault(who, []).append(path)
    turns = asyncio.Semaphore(SIDE_BY_SIDE)

    async def visit(who: str | None, paths: list[str]) -> list[str]:
        async with turns:
            context = await new_context(browser, live_server, lang=lang, cookies=session_cookies[who] if who else None)
            try:
                page = await context.new_page()
                found = []
                for path in paths:
                    response = await page.goto(live_server + path)
                    assert response.status == expected_status(path), (who, path, response.status)
                    found += [f"{who or 'anonymous'} {path} [{lang}]: {v}" for v in await run_axe(page, axe_source)]
                return found
            finally:
                await context.close()

    async with asyncio.TaskGroup() as group:  # one visitor's failure stops the others
        tasks = [group.create_task(visit(who, paths)) for who, paths in paths_of.items()]
    report = [line for task in tasks for line in task.result()]
    assert report == [], "\n".join(report)


@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_axe_on_forms_with_errors(browser, live_server, demo_ids, session_cookies, axe_source, lang):
    """The error state of the resident's forms (giving input, editing it): the summary above the heading,
    messages tied to the fields, and the summary's link moving focus to its field."""
    context = await new_context(browser, live_server, lang=lang, cookies=session_cookies["beboer-tingbjerg"])
    try:
        page = await context.new_page()
        await page.goto(f"{live_server}/foelgegrupper/{demo_ids['group']}")
        await page.locator("#tekst").fill("Noget tekst")
        await page.locator("form[action^='/foelgegrupper/'] button[type=submit]").click()
        await page.wait_for_load_state()
        summary = page.locator(".error-summary")
        await summary.wait_for()
        assert await page.locator("#tekst").input_value() == "Noget tekst"
        assert await run_axe(page, axe_source) == []
        await summary.locator("a").first.click()
        assert await page.evaluate("document.activeElement.id") == "titel"

        # Editing one's own input: the same error summary and field messages.
        await page.goto(f"{live_server}/min-side/input/{demo_ids['own_open_input']}/ret")
        await page.locator("#titel").fill("")  # refused by the portal's own check: nothing is saved
        await page.locator("form[action$='/ret'] button[type=submit]").click()
        await page.wait_for_load_state()
        await page.locator(".error-summary").wait_for()
        assert await run_axe(page, axe_source) == []
        await page.locator(".error-summary a").first.click()
        assert await page.evaluate("document.activeElement.id") == "titel"
    finally:
        await context.close()


async def test_every_page_works_without_javascript(browser, live_server, demo_ids, session_cookies):
    contexts: dict = {}
    try:
        for who, path in all_pages(demo_ids):
            if who not in contexts:
                contexts[who] = await new_context(
                    browser, live_server, javascript=False, mobile=True, cookies=session_cookies[who] if who else None
                )
            page = await contexts[who].new_page()
            response = await page.goto(live_server + path)
            assert response.status == expected_status(path), (who, path)
            assert await page.locator("h1").is_visible(), (who, path)
            # Mobile first: the main menu and the language switch are usable with no script at 390 px.
            nav = page.get_by_role("navigation", name="Hovedmenu")
            assert await nav.get_by_role("link").first.is_visible(), (who, path)
            assert await page.locator(".portal-language a[hreflang=en]").is_visible(), (who, path)
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390 + 1, (who, path, width)  # no sideways scrolling
            await page.close()
    finally:
        for context in contexts.values():
            await context.close()


async def test_language_switch_in_the_browser_keeps_the_page(browser, live_server, demo_ids):
    context = await new_context(browser, live_server, javascript=False)
    try:
        page = await context.new_page()
        await page.goto(f"{live_server}/planer/{demo_ids['plan']}")
        danish_heading = await page.locator("h1").inner_text()
        await page.locator(".portal-language a[hreflang=en]").click()
        assert page.url == f"{live_server}/planer/{demo_ids['plan']}"
        assert await page.locator("html").get_attribute("lang") == "en"
        assert await page.locator("h1").inner_text() == danish_heading  # the plan's own name is not translated
        assert await page.get_by_role("heading", name="The plan in brief").is_visible()
    finally:
        await context.close()


# ---------------------------------------------------------------- journeys
async def sign_in_through_provider(page, live_server: str, choice: str, account: str) -> None:
    """From any portal page: the header's sign-in link, the choice of who you are, the provider's form."""
    await page.get_by_role("link", name="Log ind", exact=True).first.click()
    await page.get_by_role("link", name=choice, exact=True).click()
    await page.locator("input[name=login]").fill(account)
    await page.locator("input[name=password]").fill("demo")
    await page.locator("button[type=submit], input[type=submit]").first.click()
    await page.wait_for_url(re.compile("^" + re.escape(live_server)))
    await page.locator(".portal-user .user").wait_for()


async def test_resident_finds_an_activity_adds_it_to_a_calendar_gives_input_and_sees_the_answer(
    browser, live_server, demo_ids, tmp_path
):
    resident = await new_context(browser, live_server, javascript=False, mobile=True)
    staff = await new_context(browser, live_server)
    try:
        page = await resident.new_page()
        await page.goto(live_server + "/")
        await sign_in_through_provider(page, live_server, "Beboer", "beboer-tingbjerg")
        assert await page.locator(".portal-user .user").inner_text() == "Amira (demo)"

        # Find an activity.
        await (
            page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Aktiviteter", exact=True).click()
        )
        await page.get_by_label("Søg i titel og beskrivelse").fill(demo_ids["library_activity_title"])
        await page.get_by_role("button", name="Vis aktiviteter").click()
        await page.get_by_role("link", name=demo_ids["library_activity_title"]).first.click()
        assert await page.locator("h1").inner_text() == demo_ids["library_activity_title"]

        # Add it to a calendar.
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Tilføj til kalender (iCal)").click()
        download = await download_info.value
        saved = tmp_path / "aktivitet.ics"
        await download.save_as(saved)
        events = list(Calendar.from_ical(saved.read_bytes()).walk("VEVENT"))
        assert events and {str(e["SUMMARY"]) for e in events} == {demo_ids["library_activity_title"]}

        # Give input to the follow-up group (found from My page).
        await page.get_by_role("link", name="Min side").first.click()
        await page.locator(f"a[href='/foelgegrupper/{demo_ids['group']}']").first.click()
        title = f"Bænke ved legepladsen {uuid.uuid4().hex[:6]}"
        await page.get_by_label("Overskrift").fill(title)
        await page.get_by_label("Hvad vil du sige til følgegruppen?").fill(
            "Der mangler bænke, hvor forældre kan sidde."
        )
        await page.get_by_role("button", name="Send input").click()
        assert await page.get_by_role("status").inner_text() == "Tak for dit input. Du kan følge det herunder."
        own = page.locator("#own-heading").locator("xpath=..").locator("li", has_text=title)
        assert "Modtaget" in await own.inner_text()

        # A staff member answers it on the staff page.
        staff_page = await staff.new_page()
        await staff_page.goto(live_server + "/")
        await sign_in_through_provider(staff_page, live_server, "Boligorganisation", "fsb-medarbejder")
        await staff_page.get_by_role("link", name="Indbakke").click()
        await staff_page.locator("tbody tr", has_text=title).get_by_role("link", name=title).click()
        answer = f"Tak. Vi sætter to bænke op i april ({uuid.uuid4().hex[:6]})."
        await staff_page.get_by_role("textbox", name="Dit svar").fill(answer)
        await staff_page.get_by_role("button", name="Send svar").click()
        assert "Svaret er sendt" in await staff_page.get_by_role("status").inner_text()

        # Later the resident sees the answer.
        await page.reload()
        own = page.locator("#own-heading").locator("xpath=..").locator("li", has_text=title)
        text = await own.inner_text()
        assert answer in text and "Besvaret" in text

        # And signs out.
        await page.get_by_role("button", name="Log af").click()
        confirm = page.locator("button[value=yes]")
        if await confirm.count():
            await confirm.click()
        await page.wait_for_url(re.compile("^" + re.escape(live_server)))
        await page.goto(live_server + "/min-side")
        assert "/log-ind" in page.url
    finally:
        await resident.close()
        await staff.close()


async def test_partner_updates_an_activity_and_the_public_page_shows_it(browser, live_server, demo_ids):
    partner = await new_context(browser, live_server)
    public = await new_context(browser, live_server, javascript=False)
    try:
        page = await partner.new_page()
        await page.goto(live_server + "/")
        await sign_in_through_provider(page, live_server, "Partner", "partner-bibliotek")
        await page.get_by_role("link", name="Vores aktiviteter").click()
        await page.locator(f"a[href='/partner/aktiviteter/{demo_ids['library_activity']}']").click()
        text = f"Vi holder åbent hver tirsdag og torsdag ({uuid.uuid4().hex[:6]})."
        await page.get_by_label("Status", exact=True).select_option("ACTIVE")
        await page.get_by_role("textbox", name="Beskrivelse").fill(text)
        await page.get_by_role("button", name="Gem aktiviteten").click()
        assert await page.get_by_role("status").inner_text() == "Aktiviteten er gemt."

        visitor = await public.new_page()
        await visitor.goto(f"{live_server}/aktiviteter/{demo_ids['library_activity']}")
        assert text in await visitor.locator("main").inner_text()
        assert "I gang" in await visitor.locator("main .meta").first.inner_text()
    finally:
        await partner.close()
        await public.close()


async def test_partner_cannot_open_another_partners_activity_in_the_browser(
    browser, live_server, demo_ids, session_cookies
):
    if not demo_ids["ssp_only_activity"]:
        pytest.skip("no activity of SSP alone in the demo data")
    context = await new_context(browser, live_server, cookies=session_cookies["partner-bibliotek"])
    try:
        page = await context.new_page()
        response = await page.goto(f"{live_server}/partner/aktiviteter/{demo_ids['ssp_only_activity']}")
        assert response.status == 404
        assert await page.locator("h1").inner_text() == "Siden findes ikke"
    finally:
        await context.close()
