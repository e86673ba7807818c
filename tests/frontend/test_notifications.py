"""Notifications in the portal, without JavaScript: the header's count, the list with mark read and mark all
read, the follow button on the activity page, and the preferences on Min side.

Each test builds its own world (tests/services/world.py), so the demo data stays as the page tests expect it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import col

from backend.models import ActivityFollow, NotificationPreference
from backend.services import inputs
from schema.ids import encode
from tests.frontend.html import csrf_of, soup_of
from tests.frontend.test_own_inputs import cookies_of
from tests.services.world import build_world, call, drop_built_worlds, scalar


@pytest.fixture
async def world():
    yield await build_world()
    await drop_built_worlds()


async def answered_inputs(w, *titles: str) -> None:
    for title in titles:
        row = await call(inputs.submit, actor=w.actor("resident"), group_id=w.group_id, title=title, body=title)
        await call(inputs.answer, actor=w.actor("housing"), input_id=row.id, body="Svar")


def header_count(page) -> str | None:
    link = soup_of(page).select_one(".portal-user a.notifications-link")
    assert link is not None, page.text[:800]
    badge = link.select_one(".badge")
    return badge.get_text(" ", strip=True) if badge else None


async def test_the_header_counts_unread_notifications_for_everyone_signed_in_and_nobody_else(client, world):
    await answered_inputs(world, "Bænke", "Lys")
    resident = await cookies_of(world.accounts["resident"])
    assert header_count(await client.get("/", cookies=resident)) == "2 ulæste"
    staff = await cookies_of(world.accounts["municipality"])  # heard of two new inputs
    assert header_count(await client.get("/aktiviteter", cookies=staff)) == "2 ulæste"
    fund = await cookies_of(world.accounts["fund"])
    assert header_count(await client.get("/", cookies=fund)) is None  # a link without a count
    anonymous = await client.get("/")
    assert soup_of(anonymous).select_one("a.notifications-link") is None
    assert anonymous.headers["Cache-Control"] == "no-cache"  # the public page stays as it was


async def test_the_list_marks_one_and_then_all_read_without_javascript(client, world):
    await answered_inputs(world, "Bænke", "Lys", "Affald")
    cookies = await cookies_of(world.accounts["resident"])
    page = await client.get("/min-side/notifikationer", cookies=cookies)
    items = soup_of(page).select(".notification-list > li")
    assert len(items) == 3 and all("unread" in li["class"] for li in items)
    assert items[0].find("a").get_text() == f"Dit input til Følgegruppe {world.tag} er besvaret."
    assert items[0].find("a")["href"] == "/min-side"
    first_id = items[0].find("input", attrs={"name": "id"})["value"]
    csrf = await csrf_of(client, "/min-side/notifikationer", cookies)
    done = await client.post("/min-side/notifikationer", data={"csrf_token": csrf, "id": first_id}, cookies=cookies)
    assert done.status_code == 303
    assert done.headers["location"] == "/min-side/notifikationer?besked=notifikationer-laest"
    page = await client.get(done.headers["location"], cookies=cookies)
    assert header_count(page) == "2 ulæste" and "Notifikationerne er markeret som læst." in page.text
    unread = await client.get("/min-side/notifikationer?vis=ulaeste", cookies=cookies)
    assert len(soup_of(unread).select(".notification-list > li")) == 2
    # Without the CSRF token nothing happens; another resident's request for the same id is a 404.
    refused = await client.post("/min-side/notifikationer", data={"alle": "ja"}, cookies=cookies)
    assert refused.status_code == 403
    other = await cookies_of(world.accounts["other_resident"])
    other_csrf = await csrf_of(client, "/min-side/notifikationer", other)
    second_id = soup_of(unread).select(".notification-list > li")[0].find("input", attrs={"name": "id"})["value"]
    stolen = await client.post(
        "/min-side/notifikationer", data={"csrf_token": other_csrf, "id": second_id}, cookies=other
    )
    assert stolen.status_code == 404
    tampered = await client.post("/min-side/notifikationer", data={"csrf_token": csrf, "id": "x"}, cookies=cookies)
    assert tampered.status_code == 400
    everything = await client.post("/min-side/notifikationer", data={"csrf_token": csrf, "alle": "ja"}, cookies=cookies)
    assert everything.status_code == 303
    page = await client.get("/min-side/notifikationer", cookies=cookies)
    assert header_count(page) is None and "Du har ingen ulæste notifikationer." in page.text
    assert not soup_of(page).select(".notification-list li.unread")


async def test_a_resident_follows_and_unfollows_an_activity_with_the_button(client, world):
    path = f"/aktiviteter/{encode('Activity', world.activity_id)}"
    cookies = await cookies_of(world.accounts["resident"])
    form = soup_of(await client.get(path, cookies=cookies)).select_one("form.follow-form")
    assert form is not None and form.find("button").get_text(strip=True) == "Følg aktiviteten"
    csrf = await csrf_of(client, path, cookies)
    followed = await client.post(f"{path}/foelg", data={"csrf_token": csrf, "foelg": "ja"}, cookies=cookies)
    assert followed.status_code == 303 and followed.headers["location"] == f"{path}?besked=aktivitet-fulgt"
    page = await client.get(followed.headers["location"], cookies=cookies)
    assert soup_of(page).select_one("form.follow-form button").get_text(strip=True) == "Følg ikke længere"
    mine = col(ActivityFollow.account_id) == world.accounts["resident"]
    follows = select(col(ActivityFollow.activity_id)).where(mine)
    assert await scalar(follows) == world.activity_id
    await client.post(f"{path}/foelg", data={"csrf_token": csrf, "foelg": "nej"}, cookies=cookies)
    assert await scalar(follows) is None
    # Staff and partners get no button, and their POST is a 404; anonymous visitors are sent to sign in.
    staff = await cookies_of(world.accounts["housing"])
    assert soup_of(await client.get(path, cookies=staff)).select_one("form.follow-form") is None
    staff_csrf = await csrf_of(client, path, staff)
    assert (await client.post(f"{path}/foelg", data={"csrf_token": staff_csrf}, cookies=staff)).status_code == 404
    assert soup_of(await client.get(path)).select_one("form.follow-form") is None
    assert (await client.post(f"{path}/foelg", data={})).status_code == 303


async def test_preferences_on_min_side_per_kind_and_channel(client, world):
    cookies = await cookies_of(world.accounts["resident"])
    page = soup_of(await client.get("/min-side", cookies=cookies))
    section = page.select_one('section[aria-labelledby="notification-preferences-heading"]')
    assert section is not None
    legends = [legend.get_text(strip=True) for legend in section.select("legend")]
    assert "Dit input er besvaret" in legends and "Nyt input til jeres følgegrupper" not in legends
    options = [o["value"] for o in section.select("select#email-INPUT_ANSWERED option")]
    assert options == ["NEVER", "EACH"]  # no daily digest for residents
    csrf = await csrf_of(client, "/min-side", cookies)
    form = {"csrf_token": csrf, "email-INPUT_ANSWERED": "NEVER", "portal-MEETING_CREATED": "ja"}
    saved = await client.post("/min-side/notifikationer/indstillinger", data=form, cookies=cookies)
    assert saved.status_code == 303 and saved.headers["location"] == "/min-side?besked=indstillinger-gemt"
    stored = await scalar(
        select(col(NotificationPreference.email)).where(
            col(NotificationPreference.account_id) == world.accounts["resident"],
            col(NotificationPreference.kind) == "INPUT_ANSWERED",
        )
    )
    assert stored == "NEVER"
    page = soup_of(await client.get("/min-side", cookies=cookies))
    assert page.select_one("#portal-INPUT_ANSWERED").get("checked") is None  # left unticked: off
    assert page.select_one("#portal-MEETING_CREATED").get("checked") is not None
    assert page.select_one("#email-INPUT_ANSWERED option[selected]")["value"] == "NEVER"
    digest = {"csrf_token": csrf, "email-INPUT_ANSWERED": "DAILY"}
    refused = await client.post("/min-side/notifikationer/indstillinger", data=digest, cookies=cookies)
    assert refused.status_code == 400
    staff = await cookies_of(world.accounts["housing"])
    staff_page = soup_of(await client.get("/min-side", cookies=staff))
    assert [o["value"] for o in staff_page.select("select#email-INPUT_RECEIVED option")] == ["NEVER", "EACH", "DAILY"]
