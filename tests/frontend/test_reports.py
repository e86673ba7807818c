"""The annual report pages (/medarbejder/rapporter): Landsbyggefonden lists plans and years, reads a
year's goal attainment and use of funds, and downloads the files from links on the portal's own
address; others find no page (404)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col

from backend.db import new_session
from backend.models import Plan
from schema.ids import encode
from tests.frontend.html import soup_of

PATH = "/medarbejder/rapporter"
TINGBJERG = "Boligsocial helhedsplan Tingbjerg & Utterslevhuse 2025-2028"


async def _plan_id(name: str) -> str:
    async with new_session() as db:
        return encode("Plan", (await db.execute(select(col(Plan.id)).where(col(Plan.name) == name))).scalar_one())


async def test_landsbyggefonden_lists_plans_and_years(client, sign_in_as):
    response = await client.get(PATH, cookies=await sign_in_as("lbf-tilsyn"))
    assert response.status_code == 200
    soup = soup_of(response)
    names = [h.get_text(strip=True) for h in soup.select("main h2")]
    assert TINGBJERG in names and "Boligsocial helhedsplan Sydhavn 2027-2030" not in names  # no report before approval
    plan = await _plan_id(TINGBJERG)
    assert soup.find("a", href=f"{PATH}/{plan}/{date.today().year}") is not None


@pytest.mark.parametrize(
    "lang, words",
    [("da", ("Målopfyldelse", "Brug af midlerne", "skal ")), ("en", ("Goal attainment", "Use of funds", "should "))],
)
async def test_a_years_report_shows_goals_money_and_links_on_the_portals_address(client, sign_in_as, lang, words):
    plan = await _plan_id(TINGBJERG)
    year = date.today().year
    cookies = {**await sign_in_as("lbf-tilsyn"), "sprog": lang}
    response = await client.get(f"{PATH}/{plan}/{year}", cookies=cookies)
    assert response.status_code == 200, response.text[:400]
    text = soup_of(response).select_one("main").get_text(" ")
    for word in words:
        assert word in text
    assert "INCREASE" not in text and "ACTIVE" not in text
    links = [a["href"] for a in soup_of(response).select("#downloads-heading ~ ul a")]
    assert len(links) == 3
    assert all(link.startswith("http://testserver/reports/") for link in links), links  # not BASE_URL
    for link in links:
        download = await client.get(link.removeprefix("http://testserver"), cookies=cookies)
        assert download.status_code == 200
    danish = await client.get(links[1].removeprefix("http://testserver"), cookies=cookies)
    assert danish.content.startswith("\ufeff".encode()) and b";" in danish.content.splitlines()[0]
    rows = list(csv.reader(io.StringIO(danish.content.decode("utf-8-sig")), delimiter=";"))
    title = {"da": "Årsrapport", "en": "Annual report"}[lang]
    assert rows[0][0] == f"{title} {year}"


@pytest.mark.parametrize("who", ["beboer-tingbjerg", "partner-bibliotek"])
async def test_others_find_no_report_pages(client, sign_in_as, who):
    plan = await _plan_id(TINGBJERG)
    cookies = await sign_in_as(who)
    for path in (PATH, f"{PATH}/{plan}/{date.today().year}"):
        assert (await client.get(path, cookies=cookies)).status_code == 404


async def test_housing_staff_see_only_their_plans_reports(client, sign_in_as):
    cookies = await sign_in_as("3b-medarbejder")
    tingbjerg = await _plan_id(TINGBJERG)  # fsb's plan, not 3B's
    assert (await client.get(f"{PATH}/{tingbjerg}/{date.today().year}", cookies=cookies)).status_code == 404
    listing = await client.get(PATH, cookies=cookies)
    assert listing.status_code == 200 and TINGBJERG not in listing.text


async def test_unknown_plan_or_year_is_404(client, sign_in_as):
    cookies = await sign_in_as("lbf-tilsyn")
    plan = await _plan_id(TINGBJERG)
    for path in (
        f"{PATH}/{encode('Plan', 10**9)}/2025",
        f"{PATH}/{plan}/1999",
        f"{PATH}/{plan}/2090",
        f"{PATH}/ikke-et-id/2025",
    ):
        assert (await client.get(path, cookies=cookies)).status_code == 404, path
