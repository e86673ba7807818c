"""The portal right to left in real Chromium: a journey in Arabic through the real sign-in, the error
summary on the reading side, and screenshots of the front page, an activity and the input form in Arabic
and Urdu (saved when SHOTS_DIR is set, to be looked at)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from tests.frontend.test_browser import new_context

SHOTS_DIR = os.environ.get("SHOTS_DIR")


async def sign_in_in_arabic(page, live_server: str, account: str) -> None:
    """The header's sign-in link and the choice of who you are, by their Arabic names; the provider's own form."""
    await page.get_by_role("link", name="تسجيل الدخول", exact=True).first.click()
    await page.get_by_role("link", name="ساكن", exact=True).click()
    await page.locator("input[name=login]").fill(account)
    await page.locator("input[name=password]").fill("demo")
    await page.locator("button[type=submit], input[type=submit]").first.click()
    await page.wait_for_url(re.compile("^" + re.escape(live_server)))
    await page.locator(".portal-user .user").wait_for()


@pytest.fixture(scope="module")
async def session_cookies(sign_in_as):
    return {"beboer-tingbjerg": await sign_in_as("beboer-tingbjerg")}


async def remove_input(title: str) -> None:
    """The demo resident may send 10 inputs an hour (backend/services/inputs.py); the other journeys need
    them, so this one gives its input back."""
    from sqlalchemy import delete
    from sqlmodel import col

    from backend.db import new_session
    from backend.models import ResidentInput

    async with new_session() as db:
        await db.execute(delete(ResidentInput).where(col(ResidentInput.title) == title))
        await db.commit()


async def box(locator) -> dict:
    return await locator.bounding_box()


async def test_a_resident_in_arabic_finds_an_activity_in_arabic_and_gives_input(browser, live_server, demo_ids):
    context = await new_context(browser, live_server, lang="ar", javascript=False, mobile=True)
    title_text = f"مقاعد قرب الملعب {uuid.uuid4().hex[:6]}"
    try:
        page = await context.new_page()
        await page.goto(live_server + "/")
        assert await page.locator("html").get_attribute("dir") == "rtl"
        await sign_in_in_arabic(page, live_server, "beboer-tingbjerg")
        assert await page.locator("html").get_attribute("lang") == "ar"  # the choice survives the sign-in

        # A visitor finds the area and its activities in Arabic.
        await page.get_by_label("اسم المنطقة أو القسم السكني").fill("Tingbjerg")
        await page.get_by_role("button", name="بحث").click()
        await page.locator("a[href^='/omraader/']", has_text="Tingbjerg").first.click()
        await page.locator("a[href*='sprog=ar'][hreflang=ar]").click()
        assert "sprog=ar" in page.url
        assert await page.locator("#sprog").input_value() == "ar"
        first = page.locator(".card-list h3 a").first
        title = await first.inner_text()
        await first.click()
        assert await page.locator("h1").inner_text() == title
        assert "العربية" in await page.locator("dl").inner_text()  # offered in Arabic, named in Arabic

        # The resident gives input; first without a heading: the error summary is on the right.
        await page.goto(f"{live_server}/foelgegrupper/{demo_ids['group']}")
        await page.get_by_label("ماذا تريد أن تقول لمجموعة المتابعة؟").fill("نحتاج إلى مقاعد قرب الملعب.")
        await page.get_by_role("button", name="أرسل الرأي").click()
        summary = page.locator(".error-summary")
        await summary.wait_for()
        heading = await box(page.locator("h1"))
        summary_box = await box(summary)
        assert abs((summary_box["x"] + summary_box["width"]) - (heading["x"] + heading["width"])) <= 2
        padding = await summary.evaluate(
            "e => [parseFloat(getComputedStyle(e).paddingRight), parseFloat(getComputedStyle(e).paddingLeft)]"
        )
        assert padding[0] > padding[1]  # the stripe and icon side of the design system's alert, mirrored
        await page.get_by_label("العنوان").fill(title_text)
        await page.get_by_role("button", name="أرسل الرأي").click()
        assert await page.get_by_role("status").inner_text() == "شكرًا على رأيك. يمكنك متابعته أدناه."
        own = page.locator("li", has_text=title_text).last
        assert await own.locator("[lang=ar][dir=auto]").count() >= 1
    finally:
        await context.close()
        await remove_input(title_text)


@pytest.mark.skipif(not SHOTS_DIR, reason="set SHOTS_DIR to save screenshots")
@pytest.mark.parametrize("lang", ["ar", "ur"])
async def test_screenshots_right_to_left(browser, live_server, demo_ids, session_cookies, lang):
    target = Path(SHOTS_DIR)
    target.mkdir(parents=True, exist_ok=True)
    context = await new_context(browser, live_server, lang=lang, cookies=session_cookies["beboer-tingbjerg"])
    try:
        page = await context.new_page()
        for name, path in (
            ("front", "/"),
            ("activity", f"/aktiviteter/{demo_ids['library_activity']}"),
            ("input-form", f"/foelgegrupper/{demo_ids['group']}"),
        ):
            await page.goto(live_server + path)
            assert await page.get_attribute("html", "dir") == "rtl", path
            await page.evaluate("document.fonts.ready")
            await page.screenshot(path=str(target / f"{lang}-{name}.png"))  # the first screenful
            await page.screenshot(path=str(target / f"{lang}-{name}-full.png"), full_page=True)
        # The input form with its error summary.
        await page.locator("#tekst").fill("نص" if lang == "ar" else "متن")
        await page.locator("form[action^='/foelgegrupper/'] button[type=submit]").click()
        await page.locator(".error-summary").wait_for()
        await page.evaluate("document.fonts.ready")
        await page.screenshot(path=str(target / f"{lang}-input-errors.png"), full_page=False)
        assert all((target / f"{lang}-{name}.png").stat().st_size > 0 for name in ("front", "activity", "input-errors"))
    finally:
        await context.close()
