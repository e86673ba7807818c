"""The portal's languages: the switch, the choice remembered in the account, digits and direction."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from auth import sessions
from backend.db import new_session
from backend.models import Account, AuditEvent
from tests.auth.idp import browser_for, sign_in

OWN_NAMES = {"da": "Dansk", "en": "English", "ar": "العربية", "tr": "Türkçe", "so": "Soomaali", "ur": "اردو"}


async def account_language(subject: str) -> str | None:
    async with new_session() as db:
        return (await db.execute(select(Account.language).where(Account.subject == subject))).scalar_one()


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
            await db.execute(select(AuditEvent).where(AuditEvent.action == "viewer.setLanguage"))
        ).scalars().all()[-1]
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
        text = env.filters["number"](1234567) + env.filters["day"]("2026-11-30") + env.filters["dt"]("2026-11-30T13:05Z")
        assert not any("\u0660" <= ch <= "\u0669" or "\u06f0" <= ch <= "\u06f9" for ch in text), text
        assert "2026" in text
