"""A resident edits and withdraws their own input in the portal while it is unanswered; nobody else
can reach those pages (404), and answered inputs offer no such actions.

Each test builds its own world (tests/services/world.py): a plan with a follow-up group, a resident of
its estate, another resident and the plan's staff, so the demo data stays as the page tests expect it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.models import ResidentInput
from backend.services import inputs
from schema.ids import decode, encode
from tests.frontend.html import csrf_of, soup_of
from tests.services.world import build_world, call, drop_built_worlds, fetch


@pytest.fixture
async def world():
    yield await build_world()
    await drop_built_worlds()


async def cookies_of(account_id: int) -> dict[str, str]:
    from auth import sessions
    from backend.db import new_session

    async with new_session() as db:
        raw = await sessions.create(db, account_id=account_id, data={}, lifetime=timedelta(hours=1))
    return {sessions.SESSION_COOKIE: raw}


def pk_of(global_id: str) -> int:
    return decode(global_id, "ResidentInput")[1]


async def an_input(w, title="Bænke ved legepladsen", body="Der mangler bænke.") -> str:
    row = await call(inputs.submit, actor=w.actor("resident"), group_id=w.group_id, title=title, body=body)
    return encode("ResidentInput", row.id)


def own_item(page, title: str):
    """The list item of one's own input with this title (My page or the group's page)."""
    items = [li for li in soup_of(page).select(".card-list > li") if (h3 := li.find("h3")) and h3.get_text() == title]
    assert len(items) == 1, page.text[:1500]
    return items[0]


def action_links(item) -> list[str]:
    return [a["href"] for a in item.select(".input-actions a")]


async def test_open_input_offers_edit_and_withdraw_on_my_page_and_the_group_page(client, world):
    input_id = await an_input(world)
    cookies = await cookies_of(world.accounts["resident"])
    mine = own_item(await client.get("/min-side", cookies=cookies), "Bænke ved legepladsen")
    assert action_links(mine) == [f"/min-side/input/{input_id}/ret", f"/min-side/input/{input_id}/traek-tilbage"]
    # Each link names the input for screen readers, not just "Ret" / "Træk tilbage".
    assert [a.get_text(" ", strip=True) for a in mine.select(".input-actions a")] == [
        "Ret : Bænke ved legepladsen",
        "Træk tilbage : Bænke ved legepladsen",
    ]
    group = own_item(
        await client.get(f"/foelgegrupper/{encode('FollowUpGroup', world.group_id)}", cookies=cookies),
        "Bænke ved legepladsen",
    )
    assert action_links(group) == [
        f"/min-side/input/{input_id}/ret?fra=foelgegruppe",
        f"/min-side/input/{input_id}/traek-tilbage?fra=foelgegruppe",
    ]


async def test_answered_input_offers_no_actions_and_cannot_be_changed(client, world):
    input_id = await an_input(world, title="Lys på stien", body="Det er mørkt.")
    await call(inputs.answer, actor=world.actor("housing"), input_id=pk_of(input_id), body="Vi sætter lys op.")
    cookies = await cookies_of(world.accounts["resident"])
    item = own_item(await client.get("/min-side", cookies=cookies), "Lys på stien")
    assert "Vi sætter lys op." in item.get_text()
    assert action_links(item) == []
    group_page = await client.get(f"/foelgegrupper/{encode('FollowUpGroup', world.group_id)}", cookies=cookies)
    assert action_links(own_item(group_page, "Lys på stien")) == []
    # The pages themselves say it can no longer be changed, and a posted change is refused by the API.
    for path in (f"/min-side/input/{input_id}/ret", f"/min-side/input/{input_id}/traek-tilbage"):
        page = await client.get(path, cookies=cookies)
        assert page.status_code == 409 and "kan ikke længere ændres" in page.text, path
    token = await csrf_of(client, "/min-side", cookies)
    refused = await client.post(
        f"/min-side/input/{input_id}/ret",
        cookies=cookies,
        data={"csrf_token": token, "titel": "Ny titel", "tekst": "Ny tekst"},
    )
    assert refused.status_code == 400
    assert "besvaret eller lukket" in soup_of(refused).select_one(".error-summary").get_text()
    refused = await client.post(
        f"/min-side/input/{input_id}/traek-tilbage", cookies=cookies, data={"csrf_token": token}
    )
    assert refused.status_code == 409
    row = await fetch(ResidentInput, pk_of(input_id))
    assert (row.title, row.withdrawn) == ("Lys på stien", False)


async def test_edit_form_is_prefilled_and_saves(client, world):
    input_id = await an_input(world, title="Bænke", body="Der mangler bænke.")
    cookies = await cookies_of(world.accounts["resident"])
    path = f"/min-side/input/{input_id}/ret"
    page = await client.get(path, cookies=cookies)
    assert page.status_code == 200
    soup = soup_of(page)
    assert soup.find("input", id="titel")["value"] == "Bænke"
    assert soup.find("textarea", id="tekst").get_text() == "Der mangler bænke."
    form = soup.find("form", attrs={"action": path})
    assert form.find("fieldset").find("legend") is not None
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    response = await client.post(
        path,
        cookies=cookies,
        data={"csrf_token": token, "titel": "Bænke ved legepladsen", "tekst": "Der mangler to bænke."},
    )
    assert response.status_code == 303, response.text[:800]
    assert response.headers["location"] == "/min-side?besked=input-rettet"
    after = await client.get(response.headers["location"], cookies=cookies)
    assert "Dit input er rettet." in after.text
    assert "Der mangler to bænke." in own_item(after, "Bænke ved legepladsen").get_text()
    row = await fetch(ResidentInput, pk_of(input_id))
    assert (row.title, row.body) == ("Bænke ved legepladsen", "Der mangler to bænke.")


async def test_edit_from_the_group_page_leads_back_there(client, world):
    input_id = await an_input(world)
    cookies = await cookies_of(world.accounts["resident"])
    path = f"/min-side/input/{input_id}/ret?fra=foelgegruppe"
    soup = soup_of(await client.get(path, cookies=cookies))
    form = soup.find("form", attrs={"action": f"/min-side/input/{input_id}/ret"})
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    assert fields["fra"] == "foelgegruppe"
    response = await client.post(
        f"/min-side/input/{input_id}/ret", cookies=cookies, data={**fields, "tekst": "Der mangler to bænke."}
    )
    group = encode("FollowUpGroup", world.group_id)
    assert response.headers["location"] == f"/foelgegrupper/{group}?besked=input-rettet"
    page = await client.get(response.headers["location"], cookies={**cookies, "sprog": "en"})
    assert "Your input has been changed." in page.text


async def test_edit_validation_errors_link_to_fields_and_keep_values(client, world):
    input_id = await an_input(world, title="Bænke", body="Der mangler bænke.")
    cookies = await cookies_of(world.accounts["resident"])
    path = f"/min-side/input/{input_id}/ret"
    token = await csrf_of(client, path, cookies)
    response = await client.post(path, cookies=cookies, data={"csrf_token": token, "titel": "  ", "tekst": "y" * 5001})
    assert response.status_code == 400
    soup = soup_of(response)
    summary = soup.select_one(".error-summary")
    assert summary is not None and summary.find_next("h1") is soup.find("h1")
    assert [a["href"] for a in summary.find_all("a")] == ["#titel", "#tekst"]
    assert "højst være 5000 tegn" in summary.get_text()
    assert soup.find("input", id="titel")["aria-invalid"] == "true"
    assert soup.find("textarea", id="tekst").get_text() == "y" * 5001
    assert soup.find("title").get_text().startswith("Fejl:")
    row = await fetch(ResidentInput, pk_of(input_id))
    assert (row.title, row.body) == ("Bænke", "Der mangler bænke.")
    # Without a valid CSRF token nothing is changed either.
    assert (await client.post(path, cookies=cookies, data={"titel": "X", "tekst": "Y"})).status_code == 403


async def test_withdraw_after_confirmation(client, world):
    input_id = await an_input(world, title="Fodbold", body="Kan banen få lys?")
    cookies = await cookies_of(world.accounts["resident"])
    path = f"/min-side/input/{input_id}/traek-tilbage"
    page = await client.get(path, cookies=cookies)
    assert page.status_code == 200
    soup = soup_of(page)
    assert "Kan banen få lys?" in soup.get_text()
    form = soup.find("form", attrs={"action": path, "method": "post"})
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    assert (await client.post(path, cookies=cookies, data={})).status_code == 403
    assert not (await fetch(ResidentInput, pk_of(input_id))).withdrawn
    response = await client.post(path, cookies=cookies, data={"csrf_token": token})
    assert response.status_code == 303, response.text[:800]
    assert response.headers["location"] == "/min-side?besked=input-trukket-tilbage"
    after = await client.get(response.headers["location"], cookies=cookies)
    assert "Dit input er trukket tilbage." in after.text
    item = own_item(after, "Fodbold")
    assert "Status: Trukket tilbage" in item.get_text()
    assert action_links(item) == []
    assert (await fetch(ResidentInput, pk_of(input_id))).withdrawn
    # Withdrawn for good: the pages now say so.
    assert (await client.get(f"/min-side/input/{input_id}/ret", cookies=cookies)).status_code == 409


async def test_another_residents_input_looks_absent(client, world, sign_in_as):
    input_id = await an_input(world, title="Mit eget", body="Kun mit.")
    owner = await cookies_of(world.accounts["resident"])
    token_of = {}
    visitors = {
        "other_resident": await cookies_of(world.accounts["other_resident"]),
        "staff": await cookies_of(world.accounts["housing"]),
        "demo_resident": await sign_in_as("beboer-tingbjerg"),
    }
    for who, cookies in visitors.items():
        token_of[who] = await csrf_of(client, "/min-side", cookies)
        for path in (f"/min-side/input/{input_id}/ret", f"/min-side/input/{input_id}/traek-tilbage"):
            page = await client.get(path, cookies=cookies)
            assert page.status_code == 404 and "Siden findes ikke" in page.text, (who, path)
            assert "Kun mit." not in page.text
        edit = await client.post(
            f"/min-side/input/{input_id}/ret",
            cookies=cookies,
            data={"csrf_token": token_of[who], "titel": "Overtaget", "tekst": "Overtaget"},
        )
        assert edit.status_code == 404, who
        withdraw = await client.post(
            f"/min-side/input/{input_id}/traek-tilbage", cookies=cookies, data={"csrf_token": token_of[who]}
        )
        assert withdraw.status_code == 404, who
    row = await fetch(ResidentInput, pk_of(input_id))
    assert (row.title, row.body, row.withdrawn) == ("Mit eget", "Kun mit.", False)
    # A published input of someone else is visible, but still not theirs to change.
    await call(inputs.answer, actor=world.actor("housing"), input_id=row.id, body="Svar")
    await call(inputs.publish, actor=world.actor("housing"), input_id=row.id)
    other = visitors["other_resident"]
    assert (await client.get(f"/min-side/input/{input_id}/ret", cookies=other)).status_code == 404
    # Not signed in: sign in first; malformed ids and ids of other things: not found.
    anonymous = await client.get(f"/min-side/input/{input_id}/ret")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/log-ind")
    for bad in ("ikke-et-id", encode("FollowUpGroup", world.group_id), encode("ResidentInput", 10**9)):
        assert (await client.get(f"/min-side/input/{bad}/ret", cookies=owner)).status_code == 404, bad
