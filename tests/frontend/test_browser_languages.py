"""The portal right to left in real Chromium: journeys in Arabic and Urdu through the real sign-in with the
error summary on the reading side, time ranges in the order they are read, Nastaliq's line height for Urdu
text only, and screenshots of the front page, an activity and the input form in Arabic and Urdu (saved when
SHOTS_DIR is set, to be looked at)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from frontend.i18n import translations
from frontend.templating import language_name
from tests.frontend.test_browser import new_context
from tests.frontend.test_browser_journeys import sign_in

SHOTS_DIR = os.environ.get("SHOTS_DIR")


def catalogue(lang: str):
    """The language's own texts, as its catalogue gives them; a text it has not translated fails here rather
    than being looked for in Danish."""
    gettext = translations(lang).gettext

    def translated(danish: str) -> str:
        text = gettext(danish)
        assert text != danish, f"{danish!r} is not translated into {lang}"
        return text

    return translated


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


# What the resident writes in each journey, in their own language.
INPUTS = {
    "ar": ("مقاعد قرب الملعب", "نحتاج إلى مقاعد قرب الملعب."),
    "ur": ("کھیل کے میدان کے پاس بینچ", "ہمیں کھیل کے میدان کے پاس بینچ چاہییں۔"),
}


# Arabic on a phone without script, Urdu on a desktop with it: both layouts of the right-to-left page.
@pytest.mark.parametrize(("lang", "mobile"), [("ar", True), ("ur", False)])
async def test_a_resident_finds_an_activity_in_their_language_and_gives_input(
    browser, live_server, demo_ids, lang, mobile
):
    _ = catalogue(lang)
    context = await new_context(browser, live_server, lang=lang, javascript=not mobile, mobile=mobile)
    title_text = f"{INPUTS[lang][0]} {uuid.uuid4().hex[:6]}"
    try:
        page = await context.new_page()
        await page.goto(live_server + "/")
        assert await page.locator("html").get_attribute("dir") == "rtl"
        await sign_in(page, live_server, _, "Beboer", "beboer-tingbjerg")
        assert await page.locator("html").get_attribute("lang") == lang  # the choice survives the sign-in

        # A visitor finds the area and its activities in their language.
        await page.get_by_label(_("Navn på område eller boligafdeling")).fill("Tingbjerg")
        await page.get_by_role("button", name=_("Søg"), exact=True).click()
        await page.locator("a[href^='/omraader/']", has_text="Tingbjerg").first.click()
        await page.locator(f"a[href*='sprog={lang}'][hreflang={lang}]").click()
        assert f"sprog={lang}" in page.url
        assert await page.locator("#sprog").input_value() == lang
        first = page.locator(".card-list h3 a").first
        title = await first.inner_text()
        await first.click()
        assert await page.locator("h1").inner_text() == title
        assert language_name(lang, lang) in await page.locator("dl").inner_text()  # offered in it, named in it

        # The resident gives input; first without a heading: the error summary is on the right.
        await page.goto(f"{live_server}/foelgegrupper/{demo_ids['group']}")
        await page.get_by_label(_("Hvad vil du sige til følgegruppen?")).fill(INPUTS[lang][1])
        await page.get_by_role("button", name=_("Send input")).click()
        summary = page.locator(".error-summary")
        await summary.wait_for()
        await right_side(page, summary, mobile=mobile)
        await page.get_by_label(_("Overskrift")).fill(title_text)
        await page.get_by_role("button", name=_("Send input")).click()
        assert await page.get_by_role("status").inner_text() == _("Tak for dit input. Du kan følge det herunder.")
        own = page.locator("li", has_text=title_text).last
        assert await own.locator(f"[lang={lang}][dir=auto]").count() >= 1  # kept in the language it was written in
    finally:
        await context.close()
        await remove_input(title_text)


async def right_side(page, summary, *, mobile: bool) -> None:
    """The error summary on the reading side of a right-to-left page: lined up with the heading's right
    edge, its heading's text starting at the right, the design system's stripe and icon on the right, and
    on a wide screen in the page's column, which starts at the right."""
    heading = await box(page.locator("h1"))
    summary_box = await box(summary)
    right = summary_box["x"] + summary_box["width"]
    assert abs(right - (heading["x"] + heading["width"])) <= 2
    text_left, text_right = await summary.locator(".alert-heading").evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e); const b = r.getBoundingClientRect();"
        " return [b.left, b.right]; }"
    )
    assert right - text_right < text_left - summary_box["x"]
    padding = await summary.evaluate(
        "e => [parseFloat(getComputedStyle(e).paddingRight), parseFloat(getComputedStyle(e).paddingLeft)]"
    )
    assert padding[0] > padding[1]  # the stripe and icon side of the design system's alert, mirrored
    page_width = await page.evaluate("document.documentElement.clientWidth")
    if mobile:
        assert summary_box["width"] > page_width * 0.8
    else:
        assert right > page_width / 2 and summary_box["x"] > (page_width - right) + 50  # the right-hand column


# The start and end times of the last range in an element (a date and its times), each as [left, right] on the screen.
TIME_BOXES = """e => {
  const texts = [];
  const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  let offset = 0;
  while (walker.nextNode()) { texts.push([walker.currentNode, offset]); offset += walker.currentNode.length; }
  const at = n => {
    const [node, start] = texts.find(([t, s]) => n >= s && n <= s + t.length);
    return [node, n - start];
  };
  const place = m => {
    const range = document.createRange();
    range.setStart(...at(m.index));
    range.setEnd(...at(m.index + m[0].length));
    const b = range.getBoundingClientRect();
    return [b.left, b.right];
  };
  return [...e.textContent.matchAll(/\\d{1,2}:\\d{2}/g)].slice(-2).map(place);
}"""


async def test_time_ranges_read_in_order_in_urdu_and_arabic(browser, live_server, demo_ids):
    """Urdu writes AM/PM in Latin letters: its range reads left to right as one piece (10:00 AM – 12:00 PM);
    Arabic's ص/م keep the range right to left. Without isolation the bidi algorithm put an Urdu range's end
    time to the left of its "AM" and its start time to the right of both."""
    for lang in ("ur", "ar"):
        context = await new_context(browser, live_server, lang=lang)
        try:
            page = await context.new_page()
            for path, selector in (
                (f"/aktiviteter/{demo_ids['library_activity']}", "#when-heading ~ ul li"),
                ("/", ".card-list p.meta"),
            ):
                await page.goto(live_server + path)
                await page.evaluate("document.fonts.ready")
                times = page.locator(selector)
                assert await times.count(), (lang, path)
                for n in range(min(await times.count(), 3)):
                    start, end = await times.nth(n).evaluate(TIME_BOXES)
                    if lang == "ur":
                        assert start[1] <= end[0], (path, await times.nth(n).inner_text(), start, end)
                    else:
                        assert end[1] <= start[0], (path, await times.nth(n).inner_text(), start, end)
        finally:
            await context.close()


async def test_nastaliq_line_height_is_for_urdu_text_only(browser, live_server, demo_ids, session_cookies):
    """Urdu text gets the tall lines Nastaliq needs; the group's Danish name as the heading and a resident's
    Danish input on the Urdu page (lang="da") keep the design system's line heights and a Latin face."""
    context = await new_context(browser, live_server, lang="ur", cookies=session_cookies["beboer-tingbjerg"])
    ratio = "e => parseFloat(getComputedStyle(e).lineHeight) / parseFloat(getComputedStyle(e).fontSize)"
    try:
        page = await context.new_page()
        await page.goto(f"{live_server}/foelgegrupper/{demo_ids['group']}")
        assert await page.locator("h2").first.evaluate(ratio) >= 1.9
        assert await page.locator("main p").first.evaluate(ratio) >= 2.2
        assert await page.locator("h1").get_attribute("lang") == "da"
        danish = page.locator("main [lang=da]")
        assert await danish.count() >= 2, "the demo resident's Danish inputs are on the page"
        for n in range(await danish.count()):
            element = danish.nth(n)
            assert await element.evaluate(ratio) <= 1.6, await element.evaluate("e => e.outerHTML.slice(0, 200)")
            assert "Nastaliq" not in await element.evaluate("e => getComputedStyle(e).fontFamily")
    finally:
        await context.close()


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
