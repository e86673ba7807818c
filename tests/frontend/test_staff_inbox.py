"""The staff inbox: filters (follow-up group, status, days received), cursor paging by links, a page
per input, and forbidden looking like absent; and the API's inputInbox it reads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from backend.db import session_scope
from backend.models import FollowUpGroup, InputStatus, ResidentInput
from schema.ids import decode, encode
from tests.frontend.html import soup_of

# 2001-03-10 23:30 UTC is already 11 March in Copenhagen (CET, +1): days are Copenhagen's.
LATE = datetime(2001, 3, 10, 23, 30, tzinfo=UTC)
NOON = datetime(2001, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def dated(demo_ids):
    """25 inputs to the Tingbjerg group received late on 10 March 2001 UTC (11 March in Copenhagen), every
    other one under consideration, and one at noon on the 10th; titles carry a tag."""
    tag = uuid.uuid4().hex[:6]
    group_pk = decode(demo_ids["group"], "FollowUpGroup")[1]
    async with session_scope() as session:
        for n in range(25):
            session.add(
                ResidentInput(
                    group_id=group_pk,
                    title=f"Dateret {tag} {n:02d}",
                    body="Tekst",
                    status=InputStatus.UNDER_CONSIDERATION if n % 2 else InputStatus.RECEIVED,
                    created_at=LATE,
                    updated_at=LATE,
                )
            )
        session.add(
            ResidentInput(group_id=group_pk, title=f"Middag {tag}", body="Tekst", created_at=NOON, updated_at=NOON)
        )
    return tag


def _titles(soup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select("tbody a")]


async def _walk(client, cookies, path: str | None) -> tuple[list[str], int]:
    """Every title, following the "next page" links from `path`; and how many pages."""
    titles, pages = [], 0
    while path:
        response = await client.get(path, cookies=cookies)
        assert response.status_code == 200, response.text[:500]
        soup = soup_of(response)
        titles += _titles(soup)
        pages += 1
        nxt = [str(a["href"]) for a in soup.select("nav a") if a.get_text(strip=True) == "Næste side"]
        path = nxt[0] if nxt else None
    return titles, pages


async def test_days_received_are_copenhagen_days_and_paging_visits_each_input_once(client, sign_in_as, dated):
    staff = await sign_in_as("fsb-medarbejder")
    titles, pages = await _walk(client, staff, "/medarbejder/indbakke?fra=2001-03-11&til=2001-03-11")
    assert pages == 2  # 20 a page
    assert sorted(titles) == [f"Dateret {dated} {n:02d}" for n in range(25)]
    assert len(set(titles)) == len(titles)
    assert titles == sorted(titles, reverse=True)  # newest first
    noon, _ = await _walk(client, staff, "/medarbejder/indbakke?fra=2001-03-10&til=2001-03-10")
    assert noon == [f"Middag {dated}"]
    # The filters are kept on the next page's link, and a first-page link comes back.
    soup = soup_of(await client.get("/medarbejder/indbakke?fra=2001-03-11&til=2001-03-11", cookies=staff))
    nxt = soup.find("a", string="Næste side")["href"]
    assert "fra=2001-03-11" in nxt and "til=2001-03-11" in nxt
    second = soup_of(await client.get(nxt, cookies=staff))
    assert second.find("a", string="Første side")["href"] == "/medarbejder/indbakke?fra=2001-03-11&til=2001-03-11"


async def test_status_and_group_filters(client, sign_in_as, demo_ids, dated):
    staff = await sign_in_as("fsb-medarbejder")
    titles, _ = await _walk(
        client, staff, "/medarbejder/indbakke?status=UNDER_CONSIDERATION&fra=2001-03-11&til=2001-03-11"
    )
    assert sorted(titles) == [f"Dateret {dated} {n:02d}" for n in range(1, 25, 2)]
    titles, _ = await _walk(
        client, staff, f"/medarbejder/indbakke?gruppe={demo_ids['group']}&fra=2001-03-10&til=2001-03-10"
    )
    assert titles == [f"Middag {dated}"]
    soup = soup_of(await client.get("/medarbejder/indbakke", cookies=staff))
    options = [o["value"] for o in soup.select("#gruppe option") if o["value"]]
    assert demo_ids["group"] in options
    # Another organisation's group is no option, and filtering by it shows nothing of it.
    async with session_scope() as session:
        groups = (await session.execute(select(FollowUpGroup.id))).scalars().all()
    other = [encode("FollowUpGroup", g) for g in groups if encode("FollowUpGroup", g) not in options]
    assert other
    three_b = await sign_in_as("3b-medarbejder")
    their = soup_of(await client.get("/medarbejder/indbakke", cookies=three_b))
    assert demo_ids["group"] not in [o["value"] for o in their.select("#gruppe option")]
    their = soup_of(await client.get(f"/medarbejder/indbakke?gruppe={demo_ids['group']}", cookies=three_b))
    assert _titles(their) == []


async def test_filters_a_page_cannot_use(client, sign_in_as):
    staff = await sign_in_as("fsb-medarbejder")
    response = await client.get("/medarbejder/indbakke?fra=2001-03-12&til=2001-03-11", cookies=staff)
    assert response.status_code == 400
    assert [a["href"] for a in soup_of(response).select(".error-summary a")] == ["#til"]
    for query in ("efter=ikke-en-markør", "gruppe=ikke-et-id", f"gruppe={encode('Plan', 1)}"):
        assert (await client.get(f"/medarbejder/indbakke?{query}", cookies=staff)).status_code == 400, query


async def test_a_page_per_input_and_forbidden_looks_like_absent(client, sign_in_as, demo_ids, dated):
    staff = await sign_in_as("fsb-medarbejder")
    soup = soup_of(await client.get("/medarbejder/indbakke?fra=2001-03-10&til=2001-03-10", cookies=staff))
    path = soup.find("a", string=f"Middag {dated}")["href"]
    page = soup_of(await client.get(path, cookies=staff))
    assert page.find("h1").get_text(strip=True) == f"Middag {dated}"
    assert page.find("h1")["dir"] == "auto"
    assert {f.find("input", attrs={"name": "handling"})["value"] for f in page.select("main form")} == {
        "svar",
        "status",
    }
    assert (await client.get(path, cookies=await sign_in_as("kommune-tmf"))).status_code == 200
    for who in ("3b-medarbejder", "beboer-tingbjerg", "partner-bibliotek", "lbf-tilsyn"):
        assert (await client.get(path, cookies=await sign_in_as(who))).status_code == 404, who
    # A published input is public, but its handling page is still only its staff's.
    async with session_scope() as session:
        published = (
            (
                await session.execute(
                    select(ResidentInput.id).where(
                        ResidentInput.published.is_(True),
                        ResidentInput.hidden.is_(False),
                        ResidentInput.group_id == decode(demo_ids["group"], "FollowUpGroup")[1],
                    )
                )
            )
            .scalars()
            .first()
        )
    assert published
    assert (
        await client.get(
            f"/medarbejder/indbakke/{encode('ResidentInput', published)}", cookies=await sign_in_as("3b-medarbejder")
        )
    ).status_code == 404
    assert (
        await client.get(f"/medarbejder/indbakke/{encode('ResidentInput', 2147483647)}", cookies=staff)
    ).status_code == 404
    assert (await client.get("/medarbejder/indbakke/ikke-et-id", cookies=staff)).status_code == 404


async def test_english_inbox(client, sign_in_as, dated):
    staff = await sign_in_as("fsb-medarbejder")
    soup = soup_of(
        await client.get("/medarbejder/indbakke?fra=2001-03-11&til=2001-03-11", cookies={**staff, "sprog": "en"})
    )
    assert soup.find("html")["lang"] == "en"
    assert soup.find("a", string="Next page")
    assert "Received" in [th.get_text(strip=True) for th in soup.select("thead th")]


# ---------------------------------------------------------------- the API
async def graphql_as(who: str | None, query: str, variables: dict) -> dict:
    from schema.api import execute
    from tests.schema.conftest import demo_actor

    result = await execute(query, variables, actor=await demo_actor(who) if who else None)
    return {
        "data": result.data,
        "errors": [{"message": e.message, "extensions": e.extensions} for e in result.errors or []],
    }


INBOX = """query($filter: InboxFilter, $after: String) { inputInbox(first: 100, filter: $filter, after: $after) {
  totalCount nodes { id title createdAt group { id } } } }"""


async def test_input_inbox_is_the_plans_staff_only(dated):
    nodes = await graphql_as(
        "fsb-medarbejder", INBOX, {"filter": {"receivedFrom": "2001-03-11", "receivedTo": "2001-03-11"}}
    )
    assert nodes["data"]["inputInbox"]["totalCount"] == 25
    for who in (None, "beboer-tingbjerg", "partner-bibliotek", "lbf-tilsyn", "3b-medarbejder"):
        body = await graphql_as(who, INBOX, {"filter": {"receivedFrom": "2001-03-11", "receivedTo": "2001-03-11"}})
        assert body["data"]["inputInbox"] == {"totalCount": 0, "nodes": []}, who


async def test_input_inbox_refuses_days_it_cannot_use():
    for bad in ({"receivedFrom": "2001-03-12", "receivedTo": "2001-03-11"}, {"receivedFrom": "1999-12-31"}):
        body = await graphql_as("fsb-medarbejder", INBOX, {"filter": bad})
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
