"""Issue 12 in real Chromium: a resident follows an activity with the button, staff cancel one of its dates,
the resident sees the count in the header and the notification, and marks it read; axe-core finds nothing
on each page on the way. A world of its own (tests/services/world.py) keeps the demo data as it is."""

from __future__ import annotations

import pytest

from frontend.i18n import translations
from schema.ids import encode
from tests.frontend.conftest import run_axe
from tests.frontend.test_browser import new_context
from tests.frontend.test_own_inputs import cookies_of
from tests.services.world import build_world, drop_built_worlds


@pytest.fixture
async def world():
    yield await build_world()
    await drop_built_worlds()


@pytest.mark.parametrize("lang", ["da", "ar"])
async def test_a_follower_hears_of_a_cancelled_date_and_marks_it_read(browser, live_server, axe_source, world, lang):
    _ = translations(lang).gettext
    resident = await new_context(browser, live_server, lang=lang, cookies=await cookies_of(world.accounts["resident"]))
    staff = await new_context(browser, live_server, lang=lang, cookies=await cookies_of(world.accounts["housing"]))
    activity = f"{live_server}/aktiviteter/{encode('Activity', world.activity_id)}"
    try:
        page = await resident.new_page()
        await page.goto(activity)
        assert await page.locator(".notifications-link .badge").count() == 0
        await page.get_by_role("button", name=_("Følg aktiviteten")).click()
        await page.get_by_role("button", name=_("Følg ikke længere")).wait_for()
        assert await page.get_by_role("status").inner_text() == _(
            "Du følger nu aktiviteten. Du får besked, når den ændres, flyttes eller aflyses."
        )
        assert await run_axe(page, axe_source) == [], "activity page, following"

        desk = await staff.new_page()
        await desk.goto(f"{live_server}/partner/aktiviteter/{encode('Activity', world.activity_id)}")
        await desk.locator("button[id^=aflys-]").first.click()
        await desk.wait_for_load_state()
        assert await desk.locator(".notifications-link .badge").count() == 0  # staff are not told of their own act

        await page.reload()
        badge = page.locator(".portal-user .notifications-link .badge")
        assert (await badge.inner_text()).split() == ["1", *_("ulæste").split()]
        await page.locator(".portal-user .notifications-link").click()
        await page.wait_for_url(f"{live_server}/min-side/notifikationer")
        item = page.locator(".notification-list > li")
        assert await item.count() == 1
        sentence = await item.locator("a").inner_text()
        assert f"Lektiecafé {world.tag}" in sentence and sentence.strip("\u2068\u2069") != ""
        assert await run_axe(page, axe_source) == [], "notifications, unread"
        await item.get_by_role("button").click()
        await page.wait_for_url(f"{live_server}/min-side/notifikationer?besked=notifikationer-laest")
        assert await page.locator(".portal-user .notifications-link .badge").count() == 0
        assert await page.locator(".notification-list li.unread").count() == 0
        assert await run_axe(page, axe_source) == [], "notifications, read"
        # The notification leads to the activity, where the date shows as cancelled.
        await page.locator(".notification-list a").first.click()
        assert page.url == activity
        assert f"({_('aflyst')})" in await page.locator("#when-heading").locator("xpath=..").inner_text()
    finally:
        await resident.close()
        await staff.close()
