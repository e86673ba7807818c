"""Journeys of issue 11 in real Chromium through the development OpenID Provider, in Danish and English:
the municipality and Landsbyggefonden decide in the portal (section 2), the boards follow goals and
economy (section 3), Landsbyggefonden reads and downloads its report (section 4). axe-core finds no
WCAG 2.1 A/AA violations on any of their pages, nor on the 404 page others get; one language of each
journey runs without JavaScript."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from backend.db import new_session
from backend.models import AgreementKind, Board, Plan
from schema.ids import encode
from tests.frontend.conftest import run_axe
from tests.frontend.test_browser import new_context
from tests.frontend.test_decisions import new_version

TINGBJERG = "Boligsocial helhedsplan Tingbjerg & Utterslevhuse 2025-2028"
WORDS = {
    "da": {
        "sign_in": "Log ind",
        "menu": "Hovedmenu",
        "Kommune": "Kommune",
        "Landsbyggefonden": "Landsbyggefonden",
        "decisions": "Beslutninger",
        "approve": "Godkend",
        "send_back": "Send tilbage",
        "note": "Note",
        "approved": "Godkendelsen er registreret med dato og note.",
        "sent_back": "Det er sendt tilbage til boligorganisationen med din note.",
        "boards_link": "Bestyrelsernes overblik over mål og økonomi",
        "reports": "Årsrapporter",
        "not_found": "Siden findes ikke",
        "progress": "Fremdrift",
        "spent": "Forbrugt (kr.)",
        "xlsx": "Regneark (XLSX)",
        "csv": "CSV til Excel (semikolon og decimalkomma)",
        "goals": "Målopfyldelse",
        "report_title": "Årsrapport",
    },
    "en": {
        "sign_in": "Sign in",
        "menu": "Main menu",
        "Kommune": "Municipality",
        "Landsbyggefonden": "Landsbyggefonden",
        "decisions": "Decisions",
        "approve": "Approve",
        "send_back": "Send back",
        "note": "Note",
        "approved": "The approval is registered with its date and note.",
        "sent_back": "It has been sent back to the housing organisation with your note.",
        "boards_link": "The boards' overview of goals and economy",
        "reports": "Annual reports",
        "not_found": "Page not found",
        "progress": "Progress",
        "spent": "Spent (DKK)",
        "xlsx": "Spreadsheet (XLSX)",
        "csv": "CSV for Danish Excel (semicolons and decimal commas)",
        "goals": "Goal attainment",
        "report_title": "Annual report",
    },
}
# Both languages with JavaScript (axe-core needs it), and Danish again without: the forms work without it.
LANGS = [("da", True), ("en", True), ("da", False)]


async def sign_in(page, live_server: str, lang: str, choice: str, account: str) -> None:
    """From the front page: the header's sign-in link, the choice of who you are, the provider's form."""
    w = WORDS[lang]
    await page.goto(live_server + "/")
    await page.get_by_role("link", name=w["sign_in"], exact=True).first.click()
    await page.get_by_role("link", name=w[choice], exact=True).click()
    await page.locator("input[name=login]").fill(account)
    await page.locator("input[name=password]").fill("demo")
    await page.locator("button[type=submit], input[type=submit]").first.click()
    await page.wait_for_url(re.compile("^" + re.escape(live_server)))
    await page.locator(".portal-user .user").wait_for()


async def menu(page, lang: str, name: str) -> None:
    await page.get_by_role("navigation", name=WORDS[lang]["menu"]).get_by_role("link", name=name, exact=True).click()


async def decide(page, form_action: str, lang: str, *, action: str, when: date, note: str) -> None:
    form = page.locator(f"form[action='{form_action}']")
    await form.locator("input[type=date]").fill(when.isoformat())
    await form.get_by_role("textbox", name=WORDS[lang]["note"]).fill(note)
    await form.get_by_role("button", name=WORDS[lang][action], exact=True).click()
    await page.wait_for_load_state()


async def assert_no_axe_violations(page, axe_source: str, where: str, javascript: bool) -> None:
    if not javascript:
        return  # axe-core is a script: the runs with JavaScript check the same pages
    violations = await run_axe(page, axe_source)
    assert violations == [], f"{where}: {violations}"


# ---------------------------------------------------------------- section 2
@pytest.mark.parametrize("lang, javascript", LANGS)
async def test_municipality_approves_and_sends_back_in_the_portal(browser, live_server, axe_source, lang, javascript):
    marker = uuid.uuid4().hex[:6]
    context = await new_context(browser, live_server, lang=lang, javascript=javascript)
    try:
        page = await context.new_page()
        await sign_in(page, live_server, lang, "Kommune", "kommune-tmf")
        to_approve = await new_version(TINGBJERG, AgreementKind.SUB_AGREEMENT, f"Delaftale {marker}")
        await menu(page, lang, WORDS[lang]["decisions"])
        await assert_no_axe_violations(page, axe_source, "decisions", javascript)
        main = await page.locator("main").inner_text()
        assert f"Delaftale {marker}" in main and "Sydhavn 2027-2030" in main
        action = f"/medarbejder/beslutninger/aftaler/{encode('Agreement', to_approve.id)}"
        when = date.today() - timedelta(days=2)
        await decide(page, action, lang, action="approve", when=when, note=f"BR-møde {marker}")
        assert await page.get_by_role("status").inner_text() == WORDS[lang]["approved"]
        assert f"BR-møde {marker}" in await page.locator("main table").last.inner_text()
        assert await page.locator(f"form[action='{action}']").count() == 0  # decided: no longer awaiting

        to_send_back = await new_version(TINGBJERG, AgreementKind.SUB_AGREEMENT, f"Delaftale {marker} B")
        await page.reload()
        action = f"/medarbejder/beslutninger/aftaler/{encode('Agreement', to_send_back.id)}"
        await decide(page, action, lang, action="send_back", when=date.today(), note="")
        await assert_no_axe_violations(page, axe_source, "decisions with errors", javascript)
        assert await page.locator(".error-summary").count() == 1  # a note is needed to send back
        await decide(page, action, lang, action="send_back", when=date.today(), note=f"Uklart ansvar {marker}")
        assert await page.get_by_role("status").inner_text() == WORDS[lang]["sent_back"]
        assert f"Uklart ansvar {marker}" in await page.locator("main").inner_text()
    finally:
        await context.close()


@pytest.mark.parametrize("lang, javascript", LANGS)
async def test_landsbyggefonden_approves_the_strategic_agreement_others_find_no_page(
    browser, live_server, axe_source, sign_in_as, lang, javascript
):
    marker = uuid.uuid4().hex[:6]
    context = await new_context(browser, live_server, lang=lang, javascript=javascript)
    housing = await new_context(
        browser, live_server, lang=lang, javascript=javascript, cookies=await sign_in_as("fsb-medarbejder")
    )
    try:
        page = await context.new_page()
        await sign_in(page, live_server, lang, "Landsbyggefonden", "lbf-tilsyn")
        version = await new_version(TINGBJERG, AgreementKind.STRATEGIC, f"Strategisk aftale {marker}")
        await menu(page, lang, WORDS[lang]["decisions"])
        await assert_no_axe_violations(page, axe_source, "decisions (LBF)", javascript)
        action = f"/medarbejder/beslutninger/aftaler/{encode('Agreement', version.id)}"
        assert await page.locator(f"form[action='{action}']").count() == 1
        # Landsbyggefonden does not decide the municipality's moves
        assert await page.locator("form[action^='/medarbejder/beslutninger/planer/']").count() == 0
        await decide(page, action, lang, action="approve", when=date.today(), note=f"LBF {marker}")
        assert await page.get_by_role("status").inner_text() == WORDS[lang]["approved"]

        other = await housing.new_page()
        response = await other.goto(live_server + "/medarbejder/beslutninger")
        assert response.status == 404
        assert await other.locator("h1").inner_text() == WORDS[lang]["not_found"]
        await assert_no_axe_violations(other, axe_source, "404 for housing staff", javascript)
    finally:
        await context.close()
        await housing.close()


# ---------------------------------------------------------------- section 3
@pytest.mark.parametrize("lang, javascript", LANGS)
async def test_board_follows_goals_and_economy_and_opens_a_plan(
    browser, live_server, axe_source, sign_in_as, lang, javascript
):
    async with new_session() as db:
        plan = (await db.execute(select(Plan).where(Plan.name == TINGBJERG))).scalar_one()
        board = await db.get(Board, plan.board_id)
    context = await new_context(browser, live_server, lang=lang, javascript=javascript)
    resident = await new_context(
        browser, live_server, lang=lang, javascript=javascript, cookies=await sign_in_as("beboer-tingbjerg")
    )
    try:
        page = await context.new_page()
        await sign_in(page, live_server, lang, "Kommune", "kommune-tmf")
        await page.get_by_role("link", name=WORDS[lang]["boards_link"]).first.click()
        await assert_no_axe_violations(page, axe_source, "boards", javascript)
        await page.get_by_role("link", name=board.name, exact=True).click()
        await assert_no_axe_violations(page, axe_source, "board", javascript)
        section = page.locator("section", has=page.get_by_role("heading", name=TINGBJERG, exact=True))
        assert await section.locator("svg[role=img]").count() == 2
        headers = await section.locator("th").all_inner_texts()
        assert WORDS[lang]["progress"] in headers and WORDS[lang]["spent"] in headers
        await section.locator(f"a[href='/medarbejder/planer/{encode('Plan', plan.id)}']").click()
        assert await page.locator("h1").inner_text() == TINGBJERG
        # and back from the plan's overview to its board
        await page.locator(f"a[href='/medarbejder/bestyrelser/{encode('Board', board.id)}']").click()
        assert await page.locator("h1").inner_text() == board.name

        other = await resident.new_page()
        response = await other.goto(f"{live_server}/medarbejder/bestyrelser/{encode('Board', board.id)}")
        assert response.status == 404
        await assert_no_axe_violations(other, axe_source, "404 for a resident", javascript)
    finally:
        await context.close()
        await resident.close()


# ---------------------------------------------------------------- section 4
@pytest.mark.parametrize("lang, javascript", LANGS)
async def test_landsbyggefonden_reads_and_downloads_its_report(
    browser, live_server, axe_source, tmp_path, lang, javascript
):
    year = date.today().year
    context = await new_context(browser, live_server, lang=lang, javascript=javascript)
    try:
        page = await context.new_page()
        await sign_in(page, live_server, lang, "Landsbyggefonden", "lbf-tilsyn")
        await menu(page, lang, WORDS[lang]["reports"])
        await assert_no_axe_violations(page, axe_source, "reports", javascript)
        link = page.get_by_role("link", name=f"{WORDS[lang]['report_title']} {year}: {TINGBJERG}", exact=True)
        assert await link.inner_text() == str(year)
        await link.click()
        await assert_no_axe_violations(page, axe_source, "annual report", javascript)
        main = await page.locator("main").inner_text()
        assert WORDS[lang]["goals"] in main and "INCREASE" not in main and "ACTIVE" not in main

        for name in ("xlsx", "csv"):
            href = await page.get_by_role("link", name=WORDS[lang][name]).get_attribute("href")
            assert href.startswith(live_server + "/reports/"), href  # the portal's own address and port
        async with page.expect_download() as info:
            await page.get_by_role("link", name=WORDS[lang]["csv"]).click()
        raw = Path(await (await info.value).path()).read_bytes()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:2] == [f"{WORDS[lang]['report_title']} {year}", TINGBJERG]
        async with page.expect_download() as info:
            await page.get_by_role("link", name=WORDS[lang]["xlsx"]).click()
        target = tmp_path / f"report-{lang}.xlsx"
        await (await info.value).save_as(target)
        sheet = load_workbook(target).worksheets[0]
        assert sheet["B1"].value == TINGBJERG and sheet.freeze_panes == "A3"
    finally:
        await context.close()
