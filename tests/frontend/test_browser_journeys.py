"""Issue 11 §1, §5 (the staff inbox) and §6 in real Chromium, through the real sign-in at the development
OpenID Provider,
in Danish and in English, with axe-core finding nothing on each page on the way (axe needs script; every
page these journeys visit is also opened without JavaScript by
test_browser.test_every_page_works_without_javascript)."""

from __future__ import annotations

import re

import pytest

from frontend.i18n import translations
from tests.frontend.conftest import run_axe
from tests.frontend.test_browser import new_context


async def sign_in(page, live_server: str, _, choice: str, account: str) -> None:
    """The header's sign-in link, the portal's choice of who you are, the provider's form."""
    await page.get_by_role("link", name=_("Log ind"), exact=True).first.click()
    assert page.url.startswith(live_server + "/log-ind")
    await page.get_by_role("link", name=_(choice), exact=True).click()
    await page.locator("input[name=login]").fill(account)
    await page.locator("input[name=password]").fill("demo")
    await page.locator("button[type=submit], input[type=submit]").first.click()
    await page.wait_for_url(re.compile("^" + re.escape(live_server)))
    await page.locator(".portal-user .user").wait_for()


async def sign_out(page, live_server: str, _) -> None:
    await page.get_by_role("button", name=_("Log af")).click()
    confirm = page.locator("button[value=yes]")
    if await confirm.count():
        await confirm.click()
    # Every sign-out ends on /auth/signed-out, which leads on to the portal's front page.
    await page.wait_for_url(re.compile("^" + re.escape(live_server) + r"/\?besked=logget-ud"))
    assert await page.get_by_role("status").inner_text() == _("Du er logget af.")


async def no_violations(page, axe_source, where: str) -> None:
    assert await run_axe(page, axe_source) == [], where


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_residents_are_told_where_they_stand_in_their_language(browser, live_server, demo_ids, axe_source, lang):
    _ = translations(lang).gettext
    context = await new_context(browser, live_server, lang=lang)
    try:
        page = await context.new_page()
        group = f"{live_server}/foelgegrupper/{demo_ids['group']}"

        # A resident without a residency is told why she cannot give input, and how to get the right.
        await page.goto(group)
        await no_violations(page, axe_source, "group, signed out")
        await sign_in(page, live_server, _, "Beboer", "beboer-ny")
        await page.goto(group)
        await no_violations(page, axe_source, "group, no residency")
        section = page.locator("#form-heading").locator("xpath=..")
        assert (
            _(
                "Du kan ikke give input endnu, fordi portalen ikke ved, hvor du bor. Kun beboere i gruppens "
                "boligafdelinger kan give input."
            )
            in await section.inner_text()
        )
        await section.get_by_role("link").first.click()
        assert page.url.endswith("/min-side#husstandskode")
        assert await page.locator("#husstandskode").is_visible()
        await no_violations(page, axe_source, "my page, no residency")
        await sign_out(page, live_server, _)
        assert await page.locator("html").get_attribute("lang") == lang
        await no_violations(page, axe_source, "front page, signed out")

        # The author of published inputs sees them published, hers marked, each own input with its state.
        await sign_in(page, live_server, _, "Beboer", "beboer-tingbjerg")
        await page.goto(group)
        await no_violations(page, axe_source, "group, resident")
        published = page.locator("#published-heading").locator("xpath=..")
        assert _("Følgegruppen har ikke offentliggjort input endnu.") not in await published.inner_text()
        assert await published.get_by_text(_("Dit input"), exact=True).count() >= 1
        own = page.locator("#own-heading").locator("xpath=..").locator(".input-state")
        states = {await own.nth(i).locator(".badge").inner_text() for i in range(await own.count())}
        assert _("Offentliggjort") in states, states
        assert await page.locator("#published-heading ~ ul .user-text[dir=auto]").count() >= 1

        await page.get_by_role("link", name=_("Min side")).first.click()
        await no_violations(page, axe_source, "my page, resident")
        assert _("Hvem kan se det:") in await page.locator("#inputs-heading").locator("xpath=..").inner_text()

        # One date style: the week's headings are the language's full dates.
        await page.goto(f"{live_server}/aktiviteter/uge")
        heading = await page.locator(".week-day h2").first.inner_text()
        pattern = r"^\w+ den \d{1,2}\. \w+ \d{4}$" if lang == "da" else r"^\w+, \d{1,2} [A-Z]\w+ \d{4}$"
        assert re.match(pattern, heading), heading
        await no_violations(page, axe_source, "week")

        # The accessibility statement: its date, status and deviations, contact and the complaint body.
        await page.goto(f"{live_server}/tilgaengelighed")
        assert await page.locator("a[href='https://www.was.digst.dk/']").count() == 1
        assert await page.locator("a[href^='mailto:']").count() == 1
        await no_violations(page, axe_source, "accessibility statement")
        await sign_out(page, live_server, _)
    finally:
        await context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_staff_see_a_withdrawn_input_as_withdrawn(browser, live_server, demo_ids, axe_source, lang):
    """A resident withdraws an input; staff see it withdrawn, with nothing to answer."""
    import uuid

    _ = translations(lang).gettext
    resident = await new_context(browser, live_server, lang=lang)
    staff = await new_context(browser, live_server, lang=lang)
    try:
        page = await resident.new_page()
        await page.goto(f"{live_server}/foelgegrupper/{demo_ids['group']}")
        await sign_in(page, live_server, _, "Beboer", "beboer-tingbjerg")
        title = f"Cykelstativer {uuid.uuid4().hex[:6]}"
        await page.locator("#titel").fill(title)
        await page.locator("#tekst").fill("Der mangler cykelstativer ved indgangen.")
        await page.locator("form[action^='/foelgegrupper/'] button[type=submit]").click()
        own = page.locator("#own-heading").locator("xpath=..").locator("li", has_text=title)
        await own.locator("a[href$='/traek-tilbage?fra=foelgegruppe']").click()
        await page.locator("form[action$='/traek-tilbage'] button[type=submit]").click()
        own = page.locator("#own-heading").locator("xpath=..").locator("li", has_text=title)
        assert await own.locator(".input-state .badge").inner_text() == _("Trukket tilbage")

        staff_page = await staff.new_page()
        await staff_page.goto(live_server + "/")
        await sign_in(staff_page, live_server, _, "Boligorganisation", "fsb-medarbejder")
        await staff_page.goto(f"{live_server}/medarbejder/indbakke")
        row = staff_page.locator("tbody tr", has_text=title)
        assert _("Trukket tilbage af beboeren") in await row.inner_text()
        await no_violations(staff_page, axe_source, "inbox")
        await row.get_by_role("link", name=title).click()
        assert _("Trukket tilbage af beboeren") in await staff_page.locator("main").inner_text()
        assert await staff_page.locator("main textarea, main form").count() == 0
        await no_violations(staff_page, axe_source, "withdrawn input")
    finally:
        await resident.close()
        await staff.close()


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_staff_work_through_the_inbox(browser, live_server, demo_ids, axe_source, lang):
    """Issue 11 §5: staff filter the inbox, page through it by links, and answer, handle and publish an
    input on its own page; the resident then sees the answer on the group page."""
    import uuid

    from backend.db import session_scope
    from backend.models import ResidentInput
    from schema.ids import decode

    _ = translations(lang).gettext
    title = f"Bænk ved legepladsen {uuid.uuid4().hex[:6]}"
    async with session_scope() as session:
        session.add(
            ResidentInput(
                group_id=decode(demo_ids["group"], "FollowUpGroup")[1], title=title, body="Kan vi få en bænk?"
            )
        )
    context = await new_context(browser, live_server, lang=lang)
    try:
        page = await context.new_page()
        await page.goto(live_server + "/")
        await sign_in(page, live_server, _, "Boligorganisation", "fsb-medarbejder")
        await page.get_by_role("link", name=_("Indbakke"), exact=True).first.click()
        await no_violations(page, axe_source, "inbox")

        # Filter: received, from today (the date field is filled as text, as without a date picker).
        await page.locator("#status").select_option("RECEIVED")
        await page.locator("#fra").fill("2000-01-01")
        await page.get_by_role("button", name=_("Vis input")).click()
        assert "status=RECEIVED" in page.url
        await no_violations(page, axe_source, "inbox, filtered")
        row = page.locator("tbody tr", has_text=title)
        assert await row.count() == 1
        # Paging by links: the next page holds other inputs, and leads back to the first.
        nxt = page.get_by_role("link", name=_("Næste side"))
        if await nxt.count():
            await nxt.click()
            assert await page.locator("tbody tr", has_text=title).count() == 0
            await no_violations(page, axe_source, "inbox, page 2")
            await page.get_by_role("link", name=_("Første side")).click()

        # The input's own page: answer, change the status, publish.
        await page.locator("tbody tr", has_text=title).get_by_role("link", name=title).click()
        assert await page.locator("h1").inner_text() == title
        await no_violations(page, axe_source, "input page")
        await page.get_by_role("button", name=_("Send svar")).click()
        assert await page.locator(".error-summary").count() == 1  # an empty answer
        await no_violations(page, axe_source, "input page, error")
        answer = f"Ja, den kommer i april ({uuid.uuid4().hex[:4]})."
        await page.locator("#svar").fill(answer)
        await page.get_by_role("button", name=_("Send svar")).click()
        assert await page.get_by_role("status").inner_text() == _("Svaret er sendt og kan nu ses af beboeren.")
        assert answer in await page.locator("#answers-heading").locator("xpath=..").inner_text()
        await page.locator("#status").select_option("CLOSED")
        await page.get_by_role("button", name=_("Skift status")).click()
        assert await page.get_by_role("status").inner_text() == _("Status er ændret.")
        await page.get_by_role("button", name=_("Offentliggør input og svar (uden navn)")).click()
        await no_violations(page, axe_source, "input page, published")
        await page.get_by_role("link", name=_("Tilbage til indbakken")).click()
        row = page.locator("tbody tr", has_text=title)
        assert _("Lukket") in await row.inner_text()

        await page.goto(f"{live_server}/foelgegrupper/{demo_ids['group']}")
        assert answer in await page.locator("#published-heading").locator("xpath=..").inner_text()
        await sign_out(page, live_server, _)
    finally:
        await context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_residents_read_their_data_as_a_page(browser, live_server, axe_source, lang):
    """Issue 11 §6: the data download also as a page to read, beside the JSON file."""
    _ = translations(lang).gettext
    context = await new_context(browser, live_server, lang=lang)
    try:
        page = await context.new_page()
        await page.goto(live_server + "/")
        await sign_in(page, live_server, _, "Beboer", "beboer-tingbjerg")
        await page.get_by_role("link", name=_("Min side")).first.click()
        await page.get_by_role("button", name=_("Vis mine data")).click()
        assert await page.locator("h1").inner_text() == _("Dine data")
        assert await page.locator("#inputs-data-heading ~ article h3[dir=auto]").count() >= 1
        await no_violations(page, axe_source, "my data")
        async with page.expect_download() as download:
            await page.get_by_role("button", name=_("Hent mine data som fil (JSON)")).click()
        assert (await download.value).suggested_filename == "mine-data.json"
        await page.get_by_role("link", name=_("Tilbage til Min side")).click()
        await sign_out(page, live_server, _)
    finally:
        await context.close()


async def test_staff_open_an_example_in_graphiql_with_their_rights(browser, live_server, axe_source):
    """Issue 11 §7: from the examples page one click opens GraphiQL (own assets) with the operation, and
    running it answers with the signed-in staff member's rights (the session cookie, no token)."""
    _ = translations("da").gettext
    context = await new_context(browser, live_server, lang="da")
    try:
        page = await context.new_page()
        await page.goto(live_server + "/")
        await sign_in(page, live_server, _, "Boligorganisation", "fsb-medarbejder")
        await page.get_by_role("link", name=_("Indbakke"), exact=True).first.click()
        await page.get_by_role("link", name=_("Eksempler på opgaver i API'et (GraphQL)")).click()
        await no_violations(page, axe_source, "GraphQL examples")
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server) else None)
        await page.get_by_role("link", name=re.compile("^" + re.escape(_("Åbn i GraphiQL")))).first.click()
        await page.wait_for_url(re.compile(re.escape(live_server) + r"/graphql#query="))
        await page.locator(".graphiql-query-editor").get_by_text("inputInbox").first.wait_for()
        await page.locator("button.graphiql-execute-button").click()
        result = page.locator(".result-window")
        await result.get_by_text('"totalCount"').wait_for()
        answer = await result.inner_text()
        assert '"inputInbox"' in answer and '"errors"' not in answer, answer[:500]
        assert outside == [], outside  # GraphiQL's own assets only
    finally:
        await context.close()
