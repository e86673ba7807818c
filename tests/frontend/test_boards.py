"""Board overviews (/medarbejder/bestyrelser): every plan in the board's areas with goals (SVG chart and
table) and economy per party and year, linked to each plan's overview; for municipality staff,
Landsbyggefonden and housing staff (their own plans only); others find no page (404)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.db import new_session
from backend.models import Board, BoardLevel, Plan
from schema.ids import encode
from tests.frontend.html import soup_of

PATH = "/medarbejder/bestyrelser"
TINGBJERG = "Boligsocial helhedsplan Tingbjerg & Utterslevhuse 2025-2028"
HOTHERS = "Hothers Plads Helhedsplanen"  # Bo-Vita's, not fsb's


async def _ids():
    async with new_session() as db:
        city = (await db.execute(select(Board.id).where(Board.level == BoardLevel.CITY))).scalar_one()
        plan = (await db.execute(select(Plan).where(Plan.name == TINGBJERG))).scalar_one()
        plans = (await db.execute(select(Plan.name))).scalars().all()
    return encode("Board", city), encode("Board", plan.board_id), encode("Plan", plan.id), plans


def _plan_headings(response) -> list[str]:
    return [h.get_text(strip=True) for h in soup_of(response).select("main section > h2")]


async def test_city_board_shows_every_plan_of_the_city_to_the_municipality_and_the_fund(client, sign_in_as):
    city, _district, _plan, names = await _ids()
    for who in ("kommune-tmf", "lbf-tilsyn"):
        response = await client.get(f"{PATH}/{city}", cookies=await sign_in_as(who))
        assert response.status_code == 200
        shown = set(_plan_headings(response))
        assert {TINGBJERG, HOTHERS} <= shown, (who, shown)
    listing = await client.get(PATH, cookies=await sign_in_as("kommune-tmf"))
    assert len(soup_of(listing).select("main li h2 a")) == 6  # the city board and the five district boards


async def test_district_board_has_goals_and_economy_as_charts_and_tables_and_links(client, sign_in_as):
    _city, district, plan, _names = await _ids()
    response = await client.get(f"{PATH}/{district}", cookies=await sign_in_as("kommune-tmf"))
    assert response.status_code == 200
    soup = soup_of(response)
    assert TINGBJERG in _plan_headings(response) and HOTHERS not in _plan_headings(response)
    section = next(s for s in soup.select("main section") if s.h2.get_text(strip=True) == TINGBJERG)
    assert len(section.select("svg[role=img]")) == 2
    headers = [th.get_text(strip=True) for th in section.select("table th")]
    assert {"Udgangspunkt", "Seneste", "Fremdrift", "År", "Part", "Budget (kr.)", "Forbrugt (kr.)"} <= set(headers)
    assert section.find("a", href=f"/medarbejder/planer/{plan}") is not None
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "chart ids are unique on a page with several plans"


async def test_housing_staff_see_only_their_own_plans(client, sign_in_as):
    city, _district, _plan, _names = await _ids()
    response = await client.get(f"{PATH}/{city}", cookies=await sign_in_as("fsb-medarbejder"))
    assert response.status_code == 200
    shown = _plan_headings(response)
    assert TINGBJERG in shown and HOTHERS not in shown


@pytest.mark.parametrize("who", ["beboer-tingbjerg", "partner-bibliotek"])
async def test_others_find_no_board_pages(client, sign_in_as, who):
    city, district, _plan, _names = await _ids()
    cookies = await sign_in_as(who)
    for path in (PATH, f"{PATH}/{city}", f"{PATH}/{district}"):
        assert (await client.get(path, cookies=cookies)).status_code == 404
    assert (await client.get(PATH)).status_code == 303  # anonymous: to sign-in


async def test_unknown_board_is_404(client, sign_in_as):
    cookies = await sign_in_as("kommune-tmf")
    for path in (f"{PATH}/{encode('Board', 10**9)}", f"{PATH}/ikke-et-id", f"{PATH}/{encode('Plan', 1)}"):
        assert (await client.get(path, cookies=cookies)).status_code == 404, path


async def test_plan_overview_and_front_page_link_to_the_boards(client, sign_in_as):
    _city, district, plan, _names = await _ids()
    cookies = await sign_in_as("kommune-tmf")
    overview = soup_of(await client.get(f"/medarbejder/planer/{plan}", cookies=cookies))
    assert overview.find("a", href=f"{PATH}/{district}") is not None
    front = soup_of(await client.get("/", cookies=cookies))
    assert front.select_one("main").find("a", href=PATH) is not None
    assert soup_of(await client.get("/")).select_one("main").find("a", href=PATH) is None
