"""The portal's languages: the switch, the choice remembered in the account, digits and direction."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import col

from auth import sessions
from backend.db import new_session
from backend.models import Account, AuditEvent
from frontend.i18n import translations
from tests.auth.idp import browser_for, sign_in

OWN_NAMES = {"da": "Dansk", "en": "English", "ar": "العربية", "tr": "Türkçe", "so": "Soomaali", "ur": "اردو"}


async def account_language(subject: str) -> str | None:
    async with new_session() as db:
        return (await db.execute(select(col(Account.language)).where(col(Account.subject) == subject))).scalar_one()


def cookie(browser, name):
    return next((c.value for c in browser.cookies.jar if c.name == name), None)


async def test_the_switch_lists_each_language_in_its_own_name_and_script(client):
    soup = BeautifulSoup((await client.get("/")).text, "html.parser")
    links = soup.select(".portal-language a")
    assert {a["hreflang"]: a.get_text(strip=True) for a in links} == OWN_NAMES
    assert all(a["lang"] == a["hreflang"] for a in links)


@pytest.mark.parametrize(("code", "direction"), [("ar", "rtl"), ("ur", "rtl"), ("tr", "ltr"), ("so", "ltr")])
async def test_each_language_sets_lang_and_direction_without_javascript(client, code, direction):
    switched = await client.get("/sprog", params={"til": code, "naeste": "/aktiviteter"})
    assert switched.status_code == 303 and switched.cookies.get("sprog") == code
    page = await client.get("/aktiviteter", cookies={"sprog": code})
    html = BeautifulSoup(page.text, "html.parser").find("html")
    assert (html["lang"], html["dir"]) == (code, direction)
    assert page.headers["content-language"] == code


async def test_a_signed_in_choice_is_remembered_in_the_account_and_follows_the_person(app, idp):
    async with browser_for(app) as first:
        await sign_in(first, "beboer-ny")
        assert cookie(first, "sprog") is None
        switched = await first.get("/sprog", params={"til": "ar", "naeste": "/min-side"})
        assert switched.status_code == 303 and switched.headers["location"] == "/min-side"
    assert await account_language("beboer-ny") == "ar"
    async with new_session() as db:
        event = (
            (await db.execute(select(AuditEvent).where(AuditEvent.action == "viewer.setLanguage"))).scalars().all()[-1]
        )
        assert event.after == {"language": "ar"}
    # Another device: no cookie yet; signing in brings the choice back.
    async with browser_for(app) as second:
        done = await sign_in(second, "beboer-ny", next="/min-side")
        assert any(c.startswith(f"{sessions.LANGUAGE_COOKIE}=ar") for c in done.headers.get_list("set-cookie"))
        page = await second.get("/min-side")
        assert '<html lang="ar" dir="rtl">' in page.text


async def test_an_anonymous_choice_stays_in_the_cookie(client):
    before = await account_language("beboer-tingbjerg")
    await client.get("/sprog", params={"til": "tr"})
    assert await account_language("beboer-tingbjerg") == before


async def test_an_unknown_language_changes_nothing(client):
    response = await client.get("/sprog", params={"til": "xx"})
    assert response.status_code == 303 and "sprog" not in response.cookies


def test_numbers_and_dates_use_latin_digits_in_arabic_and_urdu():
    from frontend.templating import environment

    for code in ("ar", "ur"):
        env = environment(code)
        text = (
            env.filters["number"](1234567) + env.filters["day"]("2026-11-30") + env.filters["dt"]("2026-11-30T13:05Z")
        )
        assert not any("\u0660" <= ch <= "\u0669" or "\u06f0" <= ch <= "\u06f9" for ch in text), text
        assert "2026" in text


@pytest.mark.parametrize("code", ["ar", "ur"])
async def test_right_to_left_pages_get_the_mirrored_design_system_and_their_fonts(client, code):
    soup = BeautifulSoup((await client.get("/", cookies={"sprog": code})).text, "html.parser")
    sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert "/static/dkfds/css/dkfds-borgerdk.rtl.min.css" in sheets
    assert "/static/dkfds/css/dkfds-borgerdk.min.css" not in sheets
    assert "/static/fonts/fonts.css" in sheets and all(s.startswith("/static/") for s in sheets)
    for sheet in sheets:
        assert (await client.get(sheet)).status_code == 200, sheet


async def test_left_to_right_pages_keep_the_design_system_as_it_is(client):
    soup = BeautifulSoup((await client.get("/", cookies={"sprog": "tr"})).text, "html.parser")
    sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert "/static/dkfds/css/dkfds-borgerdk.min.css" in sheets and "/static/fonts/fonts.css" not in sheets


def test_the_mirrored_css_is_made_by_rtlcss_and_the_fonts_are_our_own():
    from frontend import assets

    assets.build()
    css = (assets.DKFDS_STATIC / "css").joinpath
    source, mirrored = css(assets.DKFDS_CSS).read_text(), css(assets.DKFDS_RTL_CSS).read_text()
    # A rule of the design system, turned around: the skip link and the alert's icon sit on the other side.
    assert source.count("margin-left:") == mirrored.count("margin-right:")
    assert source.count("margin-right:") == mirrored.count("margin-left:")
    fonts = (assets.FONTS_STATIC / "fonts.css").read_text()
    assert "IBM Plex Sans Arabic" in fonts and "Noto Nastaliq Urdu" in fonts and "http" not in fonts
    for url in __import__("re").findall(r"url\(([^)]+)\)", fonts):
        assert (assets.FONTS_STATIC / url).is_file(), url


async def test_danish_names_in_a_right_to_left_page_are_isolated(client, demo_ids):
    soup = BeautifulSoup(
        (await client.get(f"/aktiviteter/{demo_ids['library_activity']}", cookies={"sprog": "ar"})).text, "html.parser"
    )
    area_link = soup.select_one("dd a[href^='/omraader/']")
    assert area_link.find("bdi") is not None and area_link.get_text(strip=True)


def test_charts_grow_from_the_right_on_right_to_left_pages():
    from frontend.templating import environment

    goals = [{"progress": 0.25, "indicator": {"name": "Beskæftigelse"}}]
    for code, expected_x in (("da", "0"), ("ar", "540.0")):
        template = environment(code).from_string(
            '{% import "macros/charts.html" as charts with context %}{{ charts.goal_chart(goals) }}'
        )
        svg = BeautifulSoup(template.render(goals=goals, dir="rtl" if code == "ar" else "ltr"), "html.parser")
        assert svg.find_all("rect")[1]["x"] == expected_x


async def test_activities_can_be_found_by_language(client, demo_ids):
    """ "Activities in Arabic": the filter keeps only activities offered in Arabic, and the area page links to it."""
    everything = BeautifulSoup((await client.get("/aktiviteter")).text, "html.parser")
    arabic = BeautifulSoup((await client.get("/aktiviteter", params={"sprog": "ar"})).text, "html.parser")
    turkish = BeautifulSoup((await client.get("/aktiviteter", params={"sprog": "tr"})).text, "html.parser")
    count = lambda soup: len(soup.select(".card-list h3 a"))  # noqa: E731
    assert 0 < count(turkish) < count(arabic) <= count(everything)
    assert arabic.select_one("#sprog option[selected]")["value"] == "ar"
    for link in arabic.select(".card-list h3 a")[:3]:
        page = BeautifulSoup((await client.get(link["href"], cookies={"sprog": "ar"})).text, "html.parser")
        assert "العربية" in page.select_one("dl").get_text()
    area = BeautifulSoup(
        (await client.get(f"/omraader/{demo_ids['area']}", cookies={"sprog": "ar"})).text, "html.parser"
    )
    links = area.select("a[href*='sprog=']")
    assert links[0]["hreflang"] == "ar" and links[0].get_text() == "العربية"  # the page's own language first
    assert f"omraade={demo_ids['area']}" in links[0]["href"]


async def test_an_unknown_language_filter_is_a_bad_request(client):
    assert (await client.get("/aktiviteter", params={"sprog": "xx"})).status_code == 400


async def test_staff_see_residents_input_in_its_language_and_direction(client, sign_in_as, demo_ids):
    # Stored as the resident's web form stores it (the browser journey sends one through the form); not
    # through the form here, whose hourly budget per resident the other tests of the session use up.
    from backend.models import ResidentInput
    from schema.ids import decode

    title = "نحتاج إلى مقاعد قرب الملعب " + __import__("uuid").uuid4().hex[:6]
    async with new_session() as db:
        resident = (await db.execute(select(Account).where(col(Account.subject) == "beboer-tingbjerg"))).scalar_one()
        group_id = decode(demo_ids["group"], "FollowUpGroup")[1]
        db.add(
            ResidentInput(
                group_id=group_id, author_account_id=resident.id, title=title, body="المقاعد قليلة.", language="ar"
            )
        )
        await db.commit()
    staff = await sign_in_as("fsb-medarbejder")
    inbox = BeautifulSoup((await client.get("/medarbejder/indbakke", cookies=staff)).text, "html.parser")
    link = next(a for a in inbox.select("table a") if a.get_text(strip=True) == title)
    assert (link["lang"], link["dir"]) == ("ar", "auto")
    assert inbox.find("html")["lang"] == "da"  # the staff page stays Danish; the input keeps its own language
    page = BeautifulSoup((await client.get(link["href"], cookies=staff)).text, "html.parser")
    assert (page.find("h1")["lang"], page.find("h1")["dir"]) == ("ar", "auto")
    body = next(p for p in page.select("p.user-text") if p.get_text(strip=True) == "المقاعد قليلة.")
    assert (body["lang"], body["dir"]) == ("ar", "auto")
    from tests.frontend.test_browser_languages import remove_input

    await remove_input(title)  # gives the demo resident's hourly input budget back to the other tests


async def test_lists_are_joined_as_each_language_joins_them(client, demo_ids):
    """Babel's list patterns, not a Latin comma: Urdu writes "A، B اور C", Arabic "A وB وC", Danish "A, B og C"."""
    found = BeautifulSoup((await client.get("/aktiviteter", params={"sprog": "ur"})).text, "html.parser")
    offered = {}
    for link in found.select(".card-list h3 a"):
        for code in ("da", "ar", "ur"):
            page = BeautifulSoup((await client.get(link["href"], cookies={"sprog": code})).text, "html.parser")
            dt = next(t for t in page.select("dl dt") if t.get_text(strip=True) == translations(code).gettext("Sprog"))
            offered[code] = dt.find_next_sibling("dd").get_text()
        if offered["ur"].count("،") >= 1:  # an activity in three languages or more
            break
    assert "," not in offered["ur"] and "،" in offered["ur"] and " اور " in offered["ur"], offered["ur"]
    assert "," not in offered["ar"] and " و" in offered["ar"], offered["ar"]
    assert " og " in offered["da"], offered["da"]
    plan = BeautifulSoup((await client.get(f"/planer/{demo_ids['plan']}", cookies={"sprog": "ar"})).text, "html.parser")
    estates = next(p for p in plan.select("p") if p.find("bdi") and len(p.find_all("bdi")) > 1)
    assert "," not in estates.get_text(), estates.get_text()


TIME_RANGE = re.compile(r"\d{1,2}:\d{2}[^–]*–[^–]*\d{1,2}:\d{2}[^–]*")  # 10:00 AM – 12:00 PM, 10:00–11:00 ص


@pytest.mark.parametrize("code", ["ar", "ur"])
async def test_time_ranges_are_isolated_in_right_to_left_pages(client, demo_ids, code):
    """ "10:00 AM – 12:00 PM" inside an Urdu line: isolated in a <bdi>, written as Babel writes the interval,
    and no Latin comma before it (the browser test checks the order the eye sees)."""
    page = BeautifulSoup(
        (await client.get(f"/aktiviteter/{demo_ids['library_activity']}", cookies={"sprog": code})).text, "html.parser"
    )
    times = page.select("#when-heading ~ ul time")
    assert times
    for time_element in times:
        ranges = time_element.find_all("bdi")
        assert len(ranges) == 1 and TIME_RANGE.fullmatch(ranges[0].get_text()), time_element
        assert "," not in time_element.get_text()
    front = BeautifulSoup((await client.get("/", cookies={"sprog": code})).text, "html.parser")
    for card_time in front.select(".card-list time"):
        assert card_time.find("bdi") is not None and "," not in card_time.get_text(), card_time
