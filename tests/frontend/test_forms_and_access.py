"""Forms (CSRF, errors, kept values, escaping), calendar files, and the forbidden cases of the API
seen through the portal: it shows no more than the API allows the signed-in actor."""

from __future__ import annotations

import uuid
from datetime import timedelta

from icalendar import Calendar
from sqlmodel import col

from tests.frontend.html import csrf_of, form_fields, form_with, soup_of, staff_input_path


# ---------------------------------------------------------------- CSRF
async def test_posts_without_a_valid_csrf_token_are_refused(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("beboer-tingbjerg")
    path = f"/foelgegrupper/{demo_ids['group']}"
    for token in (None, "", "0" * 64):
        data = {"titel": "Hej", "tekst": "Tekst"}
        if token is not None:
            data["csrf_token"] = token
        response = await client.post(path, data=data, cookies=cookies)
        assert response.status_code == 403
        assert "Formularen er udløbet" in response.text
    # A token from another session does not work either.
    other = await csrf_of(client, "/min-side", await sign_in_as("beboer-tingbjerg"))
    response = await client.post(path, data={"titel": "Hej", "tekst": "Tekst", "csrf_token": other}, cookies=cookies)
    assert response.status_code == 403


# ---------------------------------------------------------------- resident input
async def test_input_form_errors_link_to_fields_and_keep_values(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("beboer-tingbjerg")
    path = f"/foelgegrupper/{demo_ids['group']}"
    token = await csrf_of(client, path, cookies)
    response = await client.post(
        path, data={"csrf_token": token, "titel": "  ", "tekst": "Min tekst æøå"}, cookies=cookies
    )
    assert response.status_code == 400
    soup = soup_of(response)
    summary = soup.select_one(".error-summary")
    assert summary is not None and summary.find_next("h1") is soup.find("h1")
    assert [a["href"] for a in summary.find_all("a")] == ["#titel"]
    assert soup.find("input", id="titel")["aria-invalid"] == "true"
    assert "titel-error" in soup.find("input", id="titel")["aria-describedby"]
    assert soup.find("textarea", id="tekst").get_text() == "Min tekst æøå"
    assert soup.find("title").get_text().startswith("Fejl:")


async def test_too_long_input_is_refused_with_a_clear_message(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("beboer-tingbjerg")
    path = f"/foelgegrupper/{demo_ids['group']}"
    token = await csrf_of(client, path, cookies)
    response = await client.post(path, data={"csrf_token": token, "titel": "x" * 201, "tekst": "y"}, cookies=cookies)
    assert response.status_code == 400
    assert "højst være 200 tegn" in soup_of(response).select_one(".error-summary").get_text()


async def test_what_a_resident_wrote_is_escaped(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("beboer-tingbjerg")
    path = f"/foelgegrupper/{demo_ids['group']}"
    token = await csrf_of(client, path, cookies)
    marker = uuid.uuid4().hex[:8]
    title = f"<script>alert('{marker}')</script>"
    body = f'<img src=x onerror="alert(1)"> {marker} & "citat"'
    response = await client.post(path, data={"csrf_token": token, "titel": title, "tekst": body}, cookies=cookies)
    assert response.status_code == 303, response.text[:800]
    assert response.headers["location"].startswith(path)
    page = await client.get(response.headers["location"], cookies=cookies)
    assert "Tak for dit input" in page.text
    assert f"&lt;script&gt;alert(&#39;{marker}&#39;)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text and "<img src=x" not in page.text
    own = soup_of(page).find(string=lambda s: s and marker in s and "script" in s)
    assert own is not None  # shown to its author as text
    mine = await client.get("/min-side", cookies=cookies)
    assert f"&lt;script&gt;alert(&#39;{marker}&#39;)" in mine.text


async def test_resident_of_another_estate_gets_no_form_and_cannot_post(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("beboer-urbanplanen")
    path = f"/foelgegrupper/{demo_ids['group']}"
    page = await client.get(path, cookies=cookies)
    assert page.status_code == 200
    assert soup_of(page).find("form", attrs={"action": path}) is None
    token = soup_of(page).find("input", attrs={"name": "csrf_token"})["value"]
    response = await client.post(path, data={"csrf_token": token, "titel": "Hej", "tekst": "Hej"}, cookies=cookies)
    assert response.status_code == 404


async def test_a_resident_cannot_see_another_residents_inputs(client, demo_ids, sign_in_as):
    author = await sign_in_as("beboer-tingbjerg")
    path = f"/foelgegrupper/{demo_ids['group']}"
    token = await csrf_of(client, path, author)
    secret = f"Privat input {uuid.uuid4().hex[:8]}"
    response = await client.post(
        path, data={"csrf_token": token, "titel": secret, "tekst": "Kun til gruppen"}, cookies=author
    )
    assert response.status_code == 303
    assert secret in (await client.get(path, cookies=author)).text
    for other in (await sign_in_as("beboer-urbanplanen"), await sign_in_as("beboer-ny"), {}):
        assert secret not in (await client.get(path, cookies=other)).text
        if other:
            assert secret not in (await client.get("/min-side", cookies=other)).text


async def test_anonymous_is_sent_to_sign_in_from_my_page(client):
    response = await client.get("/min-side")
    assert response.status_code == 303
    assert response.headers["location"] == "/log-ind?naeste=/min-side"


# ---------------------------------------------------------------- activities
async def test_anonymous_cannot_see_internal_activities(client, demo_ids, sign_in_as):
    if not demo_ids["internal_activity"]:
        return
    path = f"/aktiviteter/{demo_ids['internal_activity']}"
    assert (await client.get(path)).status_code == 404
    assert (await client.get(f"{path}/kalender.ics")).status_code == 404
    title = demo_ids["internal_activity_title"]
    search = soup_of(await client.get("/aktiviteter", params={"q": title}))
    assert title not in search.select_one("#results-heading").find_parent("section").get_text()
    feed = await client.get(f"/planer/{demo_ids['plan']}/kalender.ics")
    assert title not in feed.text
    staff = await sign_in_as("fsb-medarbejder")
    # The plan's staff do see it (when it is in one of their plans).
    staff_page = await client.get(path, cookies=staff)
    assert staff_page.status_code in (200, 404)


async def test_activity_calendar_file(client, demo_ids):
    response = await client.get(f"/aktiviteter/{demo_ids['library_activity']}/kalender.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert events, "the demo activity has occurrences"
    assert {str(e["SUMMARY"]) for e in events} == {demo_ids["library_activity_title"]}
    assert all(e["DTEND"].dt > e["DTSTART"].dt for e in events)
    assert all(str(e["URL"]).endswith(f"/aktiviteter/{demo_ids['library_activity']}") for e in events)


async def test_area_and_plan_feeds(client, demo_ids):
    page = soup_of(await client.get(f"/omraader/{demo_ids['area']}"))
    assert page.find("a", href=f"webcal://testserver/omraader/{demo_ids['area']}/kalender.ics")
    for path in (f"/omraader/{demo_ids['area']}/kalender.ics", f"/planer/{demo_ids['plan']}/kalender.ics"):
        response = await client.get(path)
        assert response.status_code == 200, path
        calendar = Calendar.from_ical(response.content)
        events = list(calendar.walk("VEVENT"))
        assert len({str(e["SUMMARY"]) for e in events}) > 1, path
        assert len({str(e["UID"]) for e in events}) == len(events)


async def test_search_filters_and_date_errors(client, demo_ids):
    response = await client.get("/aktiviteter", params={"fra": "2026-13-40", "til": "2026-01-01"})
    assert response.status_code == 400
    soup = soup_of(response)
    assert [a["href"] for a in soup.select(".error-summary a")] == ["#fra"]
    assert soup.find("input", id="fra")["value"] == "2026-13-40"
    response = await client.get("/aktiviteter", params={"fra": "2026-02-01", "til": "2026-01-01"})
    assert [a["href"] for a in soup_of(response).select(".error-summary a")] == ["#til"]
    response = await client.get("/aktiviteter", params={"omraade": demo_ids["area"]})
    assert response.status_code == 200
    assert soup_of(response).find("option", selected=True)["value"] == demo_ids["area"]


async def test_week_view_moves_by_week(client):
    response = await client.get("/aktiviteter/uge", params={"uge": "2026-12-02"})
    soup = soup_of(response)
    assert "uge 49" in soup.find("h1").get_text()
    links = [a["href"] for a in soup.select("nav a")]
    assert any("uge=2026-11-23" in h for h in links) and any("uge=2026-12-07" in h for h in links)
    assert len(soup.select("section.week-day")) == 7


# ---------------------------------------------------------------- partners
async def test_partner_cannot_edit_another_partners_activity(client, demo_ids, sign_in_as):
    if not demo_ids["ssp_only_activity"]:
        return
    cookies = await sign_in_as("partner-bibliotek")
    path = f"/partner/aktiviteter/{demo_ids['ssp_only_activity']}"
    assert (await client.get(path, cookies=cookies)).status_code == 404
    token = await csrf_of(client, "/partner", cookies)
    response = await client.post(
        path,
        data={"csrf_token": token, "handling": "opdater", "status": "ENDED", "beskrivelse": "Overtaget"},
        cookies=cookies,
    )
    assert response.status_code == 404
    assert "Overtaget" not in (await client.get(f"/aktiviteter/{demo_ids['ssp_only_activity']}")).text


async def test_resident_and_anonymous_have_no_partner_or_staff_pages(client, demo_ids, sign_in_as):
    resident = await sign_in_as("beboer-tingbjerg")
    for path in (
        "/partner",
        f"/partner/aktiviteter/{demo_ids['library_activity']}",
        "/medarbejder/indbakke",
        "/medarbejder/planer",
        f"/medarbejder/planer/{demo_ids['plan']}",
    ):
        assert (await client.get(path, cookies=resident)).status_code == 404, path
        anonymous = await client.get(path)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/log-ind"), path


async def test_partner_sees_no_plan_economy(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("partner-bibliotek")
    assert (await client.get(f"/medarbejder/planer/{demo_ids['plan']}", cookies=cookies)).status_code == 404


async def test_staff_of_another_organisation_sees_no_plan_economy(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("3b-medarbejder")
    assert (await client.get(f"/medarbejder/planer/{demo_ids['plan']}", cookies=cookies)).status_code == 404
    inbox = await client.get("/medarbejder/indbakke", cookies=cookies)
    assert inbox.status_code == 200
    assert demo_ids["group"] not in inbox.text


async def test_partner_update_shows_on_the_public_page(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("partner-bibliotek")
    path = f"/partner/aktiviteter/{demo_ids['library_activity']}"
    token = await csrf_of(client, path, cookies)
    text = f"Nu også om lørdagen ({uuid.uuid4().hex[:6]}) <b>fed</b>"
    response = await client.post(
        path,
        data={"csrf_token": token, "handling": "opdater", "status": "ACTIVE", "beskrivelse": text},
        cookies=cookies,
    )
    assert response.status_code == 303, response.text[:1000]
    public = await client.get(f"/aktiviteter/{demo_ids['library_activity']}")
    assert text.replace("<", "&lt;").replace(">", "&gt;") in public.text


async def test_partner_form_errors_keep_values(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("partner-bibliotek")
    path = f"/partner/aktiviteter/{demo_ids['library_activity']}"
    token = await csrf_of(client, path, cookies)
    response = await client.post(
        path,
        data={
            "csrf_token": token,
            "handling": "tilfoej-dato",
            "start": "2026-12-03T18:00",
            "slut": "2026-12-03T16:00",
            "sted": "Biblioteket",
        },
        cookies=cookies,
    )
    assert response.status_code == 400
    soup = soup_of(response)
    assert [a["href"] for a in soup.select(".error-summary a")] == ["#ny-slut"]
    assert soup.find("input", id="ny-start")["value"] == "2026-12-03T18:00"
    assert soup.find("input", id="ny-sted")["value"] == "Biblioteket"


async def test_partner_adds_moves_and_cancels_an_occurrence(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("partner-bibliotek")
    path = f"/partner/aktiviteter/{demo_ids['library_activity']}"
    token = await csrf_of(client, path, cookies)
    place = f"Lokale {uuid.uuid4().hex[:6]}"
    response = await client.post(
        path,
        data={
            "csrf_token": token,
            "handling": "tilfoej-dato",
            "start": "2027-03-03T16:00",
            "slut": "2027-03-03T18:00",
            "sted": place,
        },
        cookies=cookies,
    )
    assert response.status_code == 303, response.text[:1500]
    soup = soup_of(await client.get(path, cookies=cookies))
    added = [li for li in soup.select(".card-list > li") if place in li.get_text()]
    assert added, "the new date is listed"
    row = added[0]
    occurrence_id = row.find("input", attrs={"name": "dato"})["value"]
    raekke = row.find("input", attrs={"name": "raekke"})["value"]
    response = await client.post(
        path,
        data={
            "csrf_token": token,
            "handling": "flyt-dato",
            "dato": occurrence_id,
            "raekke": raekke,
            "start": "2027-03-04T16:00",
            "slut": "2027-03-04T18:30",
        },
        cookies=cookies,
    )
    assert response.status_code == 303, response.text[:1500]
    response = await client.post(
        path,
        data={"csrf_token": token, "handling": "aflys-dato", "dato": occurrence_id, "raekke": raekke},
        cookies=cookies,
    )
    assert response.status_code == 303, response.text[:1500]
    soup = soup_of(await client.get(path, cookies=cookies))
    moved = [li for li in soup.select(".card-list > li") if place in li.get_text()][0]
    text = moved.get_text(" ", strip=True)
    assert "4. marts 2027" in text and "18.30" in text and "aflyst" in text
    # A cancelled date can be neither moved nor counted; only removed, if it was entered wrongly.
    assert [f.find("input", attrs={"name": "handling"})["value"] for f in moved.find_all("form")] == ["fjern-dato"]
    public = soup_of(await client.get(f"/aktiviteter/{demo_ids['library_activity']}"))
    assert any(place in li.get_text() and "aflyst" in li.get_text() for li in public.select("li"))


async def test_partner_removes_a_date_entered_wrongly(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("partner-bibliotek")
    path = f"/partner/aktiviteter/{demo_ids['library_activity']}"
    token = await csrf_of(client, path, cookies)
    place = f"Forkert lokale {uuid.uuid4().hex[:6]}"
    response = await client.post(
        path,
        data={
            "csrf_token": token,
            "handling": "tilfoej-dato",
            "start": "2027-03-05T16:00",
            "slut": "2027-03-05T18:00",
            "sted": place,
        },
        cookies=cookies,
    )
    assert response.status_code == 303, response.text[:1500]
    row = [
        li
        for li in soup_of(await client.get(path, cookies=cookies)).select(".card-list > li")
        if place in li.get_text()
    ][0]
    form = [f for f in row.find_all("form") if f.find("input", attrs={"name": "handling", "value": "fjern-dato"})][0]
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    assert fields["csrf_token"]
    assert (await client.post(path, data={**fields, "csrf_token": "forkert"}, cookies=cookies)).status_code == 403
    response = await client.post(path, data=fields, cookies=cookies)
    assert response.status_code == 303 and "besked=dato-fjernet" in response.headers["location"]
    page = await client.get(response.headers["location"], cookies=cookies)
    assert place not in page.text and "Datoen er fjernet." in page.text
    assert place not in (await client.get(f"/aktiviteter/{demo_ids['library_activity']}")).text


async def test_partner_registers_participants_of_a_past_date(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("partner-bibliotek")
    path = f"/partner/aktiviteter/{demo_ids['library_activity']}"
    soup = soup_of(await client.get(path, cookies=cookies))
    forms = [f for f in soup.find_all("form") if f.find("input", attrs={"name": "handling", "value": "deltagere"})]
    assert forms, "the demo activity has dates in the last month"
    form = forms[0]
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    bad = await client.post(path, data={**fields, "deltagere": "mange"}, cookies=cookies)
    assert bad.status_code == 400
    field_id = form.find("input", attrs={"name": "deltagere"})["id"]
    assert [a["href"] for a in soup_of(bad).select(".error-summary a")] == [f"#{field_id}"]
    assert soup_of(bad).find("input", id=field_id)["value"] == "mange"
    response = await client.post(path, data={**fields, "deltagere": "17"}, cookies=cookies)
    assert response.status_code == 303, response.text[:1500]
    after = soup_of(await client.get(path, cookies=cookies))
    assert after.find("input", id=field_id)["value"] == "17"
    # Counts are internal: the public page does not show them.
    public = await client.get(f"/aktiviteter/{demo_ids['library_activity']}")
    assert "Deltagere:" not in public.text


async def test_partner_adds_a_progress_note(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("partner-bibliotek")
    path = f"/partner/aktiviteter/{demo_ids['library_activity']}"
    token = await csrf_of(client, path, cookies)
    note = f"God stemning, flere piger end sidst ({uuid.uuid4().hex[:6]})"
    response = await client.post(path, data={"csrf_token": token, "handling": "note", "note": note}, cookies=cookies)
    assert response.status_code == 303, response.text[:1000]
    assert note in (await client.get(path, cookies=cookies)).text
    assert note not in (await client.get(f"/aktiviteter/{demo_ids['library_activity']}")).text


# ---------------------------------------------------------------- staff
async def test_staff_answers_input_and_the_resident_sees_it(client, demo_ids, sign_in_as):
    resident = await sign_in_as("beboer-tingbjerg")
    group_path = f"/foelgegrupper/{demo_ids['group']}"
    token = await csrf_of(client, group_path, resident)
    title = f"Lys på stien {uuid.uuid4().hex[:6]}"
    response = await client.post(
        group_path, data={"csrf_token": token, "titel": title, "tekst": "Det er mørkt."}, cookies=resident
    )
    assert response.status_code == 303
    staff = await sign_in_as("fsb-medarbejder")
    path = await staff_input_path(client, staff, title)  # the new input is in the staff inbox
    form = form_with(soup_of(await client.get(path, cookies=staff)), "svar")
    empty = await client.post(form["action"], data={**form_fields(form), "svar": ""}, cookies=staff)
    assert empty.status_code == 400 and "error-summary" in empty.text
    assert [a["href"] for a in soup_of(empty).select(".error-summary a")] == ["#svar"]
    answer = f"Vi sætter lys op i marts ({uuid.uuid4().hex[:6]})."
    response = await client.post(form["action"], data={**form_fields(form), "svar": answer}, cookies=staff)
    assert response.status_code == 303, response.text[:1000]
    assert response.headers["location"].startswith(path)
    page = await client.get(group_path, cookies=resident)
    assert answer in page.text
    assert "Besvaret" in page.text
    assert answer in (await client.get("/min-side", cookies=resident)).text


async def test_plan_overview_has_charts_and_tables(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("fsb-medarbejder")
    response = await client.get(f"/medarbejder/planer/{demo_ids['plan']}", cookies=cookies)
    assert response.status_code == 200
    soup = soup_of(response)
    charts = soup.find_all("svg", attrs={"role": "img"})
    assert len(charts) == 2
    for chart in charts:
        assert chart.find("title") and chart.find("desc")
    tables = soup.find_all("table")
    assert len(tables) == 2
    assert len(tables[1].select("tbody tr")) >= 3  # the three financing parties


# ---------------------------------------------------------------- my data
async def test_download_my_data(client, sign_in_as):
    cookies = await sign_in_as("beboer-tingbjerg")
    token = await csrf_of(client, "/min-side", cookies)
    response = await client.post("/min-side/data", data={"csrf_token": token}, cookies=cookies)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    assert "Amira (demo)" in response.text
    assert (await client.post("/min-side/data", data={}, cookies=cookies)).status_code == 403


async def test_delete_my_account_needs_confirmation(client, sign_in_as):
    from sqlalchemy import select

    from backend.db import new_session
    from backend.models import Account, ActorKind

    subject = f"slet-{uuid.uuid4().hex[:8]}"
    async with new_session() as db:
        db.add(Account(issuer="dev-borger", subject=subject, kind=ActorKind.RESIDENT, display_name="Til sletning"))
        await db.commit()
    cookies = await sign_in_as(subject)
    token = await csrf_of(client, "/min-side/slet", cookies)
    response = await client.post("/min-side/slet", data={"csrf_token": token}, cookies=cookies)
    assert response.status_code == 400
    assert [a["href"] for a in soup_of(response).select(".error-summary a")] == ["#bekraeft"]
    response = await client.post("/min-side/slet", data={"csrf_token": token, "bekraeft": "ja"}, cookies=cookies)
    assert response.status_code == 303, response.text[:1000]
    assert response.headers["location"] == "/?besked=konto-slettet"
    async with new_session() as db:
        row = (await db.execute(select(Account).where(col(Account.subject) == subject))).scalar_one_or_none()
    assert row is None or row.display_name != "Til sletning"
    after = await client.get("/min-side", cookies=cookies)
    assert after.status_code == 303  # the session went with the account


# ---------------------------------------------------------------- more of the API's forbidden cases
async def test_draft_plans_are_only_for_their_staff(client, demo_ids, sign_in_as):
    if not demo_ids["draft_plan"]:
        return
    path = f"/planer/{demo_ids['draft_plan']}"
    assert (await client.get(path)).status_code == 404
    assert (await client.get(path, cookies=await sign_in_as("beboer-tingbjerg"))).status_code == 404
    assert demo_ids["draft_plan_name"] not in (await client.get("/")).text
    municipality = await client.get(path, cookies=await sign_in_as("kommune-tmf"))
    assert municipality.status_code == 200 and demo_ids["draft_plan_name"] in municipality.text


async def test_landsbyggefonden_sees_economy_but_no_inputs(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("lbf-tilsyn")
    assert (await client.get("/medarbejder/indbakke", cookies=cookies)).status_code == 404
    overview = await client.get(f"/medarbejder/planer/{demo_ids['plan']}", cookies=cookies)
    assert overview.status_code == 200 and "Landsbyggefonden" in overview.text


async def test_only_staff_can_post_answers(client, demo_ids, sign_in_as):
    from schema.ids import encode

    target = f"/medarbejder/indbakke/{encode('ResidentInput', 1)}"
    for subject in ("beboer-tingbjerg", "partner-bibliotek", "lbf-tilsyn"):
        cookies = await sign_in_as(subject)
        token = await csrf_of(client, "/min-side", cookies)
        response = await client.post(
            target, data={"csrf_token": token, "raekke": "1-1", "svar": "Nej"}, cookies=cookies
        )
        assert response.status_code == 404, subject


async def test_staff_cannot_answer_inputs_of_another_plan(client, demo_ids, sign_in_as):
    resident = await sign_in_as("beboer-tingbjerg")
    group_path = f"/foelgegrupper/{demo_ids['group']}"
    token = await csrf_of(client, group_path, resident)
    title = f"Til fsb ({uuid.uuid4().hex[:6]})"
    await client.post(group_path, data={"csrf_token": token, "titel": title, "tekst": "Tekst"}, cookies=resident)
    action = await staff_input_path(client, await sign_in_as("fsb-medarbejder"), title)
    other = await sign_in_as("3b-medarbejder")
    assert (await client.get(action, cookies=other)).status_code == 404  # forbidden looks like absent
    other_token = await csrf_of(client, "/medarbejder/indbakke", other)
    response = await client.post(
        action, data={"csrf_token": other_token, "raekke": "1-1", "svar": "Fra 3B"}, cookies=other
    )
    assert response.status_code == 404
    assert "Fra 3B" not in (await client.get(group_path, cookies=resident)).text


async def test_edit_link_only_for_those_who_may_edit(client, demo_ids, sign_in_as):
    path = f"/aktiviteter/{demo_ids['library_activity']}"
    edit = f'href="/partner/aktiviteter/{demo_ids["library_activity"]}"'
    assert edit in (await client.get(path, cookies=await sign_in_as("partner-bibliotek"))).text
    assert edit in (await client.get(path, cookies=await sign_in_as("fsb-medarbejder"))).text
    for who in ("beboer-tingbjerg", "partner-ssp", "kommune-tmf"):
        assert edit not in (await client.get(path, cookies=await sign_in_as(who))).text, who
    assert edit not in (await client.get(path)).text


async def test_staff_publishes_an_answered_input_without_its_author(client, demo_ids, sign_in_as):
    resident = await sign_in_as("beboer-tingbjerg")
    group_path = f"/foelgegrupper/{demo_ids['group']}"
    token = await csrf_of(client, group_path, resident)
    title = f"Cykelparkering {uuid.uuid4().hex[:6]}"
    await client.post(
        group_path, data={"csrf_token": token, "titel": title, "tekst": "Flere stativer."}, cookies=resident
    )
    staff = await sign_in_as("fsb-medarbejder")

    path = await staff_input_path(client, staff, title)

    async def item():
        return soup_of(await client.get(path, cookies=staff))

    li = await item()
    answer_form = form_with(li, "svar")
    assert li.find("button", string=lambda s: s and "Offentliggør" in s) is None  # not before an answer
    assert (
        await client.post(
            answer_form["action"], data={**form_fields(answer_form), "svar": "Vi bestiller stativer."}, cookies=staff
        )
    ).status_code == 303
    li = await item()
    publish = form_with(li, "offentliggoer")
    assert (await client.post(publish["action"], data=form_fields(publish), cookies=staff)).status_code == 303
    public = await client.get(group_path)
    assert title in public.text and "Vi bestiller stativer." in public.text
    assert "Amira" not in soup_of(public).select_one("#published-heading").find_parent("section").get_text()
    # Taking it off again.
    li = await item()
    hide = form_with(li, "skjul")
    assert (await client.post(hide["action"], data=form_fields(hide), cookies=staff)).status_code == 303
    assert title not in (await client.get(group_path)).text


async def test_staff_changes_status_and_registers_input_given_on_paper(client, demo_ids, sign_in_as):
    staff = await sign_in_as("fsb-medarbejder")
    soup = soup_of(await client.get("/medarbejder/indbakke", cookies=staff))
    register = soup.find("form", action=f"/medarbejder/foelgegrupper/{demo_ids['group']}/input")
    assert register is not None
    fields = {i["name"]: i.get("value", "") for i in register.find_all("input")}
    row = fields["gruppe"]
    bad = await client.post(
        register["action"], data={**fields, "titel": "Fra papir", "tekst": "", "kanal": ""}, cookies=staff
    )
    assert bad.status_code == 400
    assert [a["href"] for a in soup_of(bad).select(".error-summary a")] == [f"#tekst-{row}", f"#kanal-{row}"]
    assert soup_of(bad).find("form", action=register["action"]).find_parent("details").has_attr("open")
    title = f"Afleveret på kontoret {uuid.uuid4().hex[:6]}"
    response = await client.post(
        register["action"],
        data={**fields, "titel": title, "tekst": "Håndskrevet brev.", "kanal": "PAPER"},
        cookies=staff,
    )
    assert response.status_code == 303, response.text[:1000]
    path = await staff_input_path(client, staff, title)
    soup = soup_of(await client.get("/medarbejder/indbakke", cookies=staff))
    row = soup.find("a", href=path).find_parent("tr")
    assert "Papir" in [td.get_text(strip=True) for td in row.find_all("td")]
    status_form = form_with(soup_of(await client.get(path, cookies=staff)), "status")
    response = await client.post(
        status_form["action"], data={**form_fields(status_form), "status": "UNDER_CONSIDERATION"}, cookies=staff
    )
    assert response.status_code == 303, response.text[:1000]
    soup = soup_of(await client.get("/medarbejder/indbakke?status=UNDER_CONSIDERATION", cookies=staff))
    assert title in soup.get_text()
    assert title not in soup_of(await client.get("/medarbejder/indbakke?status=RECEIVED", cookies=staff)).get_text()


async def test_tampered_form_values_get_a_clear_error_not_a_500(client, demo_ids, sign_in_as):
    cookies = await sign_in_as("beboer-tingbjerg")
    path = f"/foelgegrupper/{demo_ids['group']}"
    token = await csrf_of(client, path, cookies)
    for emne in ("ikke-et-id", demo_ids["plan"]):
        response = await client.post(
            path, data={"csrf_token": token, "titel": "Hej", "tekst": "Tekst", "emne": emne}, cookies=cookies
        )
        assert response.status_code == 400, (emne, response.text[:500])
    partner = await sign_in_as("partner-bibliotek")
    edit = f"/partner/aktiviteter/{demo_ids['library_activity']}"
    token = await csrf_of(client, edit, partner)
    for data in (
        {"handling": "flyt-dato", "dato": "ikke-et-id", "start": "2027-01-01T10:00", "slut": "2027-01-01T11:00"},
        {"handling": "noget-andet"},
        {"handling": "opdater", "status": "FORSVUNDET"},
    ):
        response = await client.post(edit, data={"csrf_token": token, **data}, cookies=partner)
        assert response.status_code == 400, data
    staff = await sign_in_as("fsb-medarbejder")
    token = await csrf_of(client, "/medarbejder/indbakke", staff)
    response = await client.get("/medarbejder/indbakke", params={"status": "FORKERT"}, cookies=staff)
    assert response.status_code == 200
    response = await client.get("/aktiviteter", params={"omraade": "ikke-et-id"})
    assert response.status_code in (400, 404)
    response = await client.get("/aktiviteter", params={"efter": "ikke-en-markør"})
    assert response.status_code in (400, 404)


# ---------------------------------------------------------------- household code
async def _new_resident_cookies(sign_in_as) -> dict:
    from backend.db import new_session
    from backend.models import Account, ActorKind

    subject = f"kode-{uuid.uuid4().hex[:8]}"
    async with new_session() as db:
        db.add(Account(issuer="dev-borger", subject=subject, kind=ActorKind.RESIDENT, display_name="Ny beboer"))
        await db.commit()
    return await sign_in_as(subject)


async def _household_code(cvr: str = "10000001") -> tuple[str, str]:
    from sqlalchemy import select

    from backend.db import new_session
    from backend.models import HousingEstate, HousingOrganisation, ResidencyCode, pk, utcnow
    from backend.services.residency import code_hash, new_code

    code = new_code()
    async with new_session() as db:
        estate = (
            (
                await db.execute(
                    select(HousingEstate)
                    .join(HousingOrganisation)
                    .where(col(HousingOrganisation.cvr) == cvr)
                    .order_by(col(HousingEstate.id))
                )
            )
            .scalars()
            .first()
        )
        assert estate is not None, f"the demo has an estate of {cvr}"
        db.add(
            ResidencyCode(
                estate_id=pk(estate), code_hash=code_hash(code), household="x", expires_at=utcnow() + timedelta(days=1)
            )
        )
        await db.commit()
        return code, estate.name


async def test_household_code_form_links_the_resident(client, sign_in_as):
    cookies = await _new_resident_cookies(sign_in_as)
    page = soup_of(await client.get("/min-side", cookies=cookies))
    form = page.find("form", action="/min-side/husstandskode")
    assert form.find("legend") and page.find("label", attrs={"for": "husstandskode"})
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    code, estate_name = await _household_code()
    response = await client.post(
        "/min-side/husstandskode", data={"csrf_token": token, "husstandskode": code.lower()}, cookies=cookies
    )
    assert response.status_code == 303 and response.headers["location"] == "/min-side?besked=kode-indloest"
    after = await client.get(response.headers["location"], cookies=cookies)
    assert "Du er nu tilknyttet din boligafdeling" in after.text and estate_name in after.text
    empty = await client.post(
        "/min-side/husstandskode", data={"csrf_token": token, "husstandskode": " "}, cookies=cookies
    )
    assert empty.status_code == 400
    assert [a["href"] for a in soup_of(empty).select(".error-summary a")] == ["#husstandskode"]


async def test_household_code_form_shows_wrong_codes_and_the_attempt_limit(client, sign_in_as):
    from backend.services.residency import MAX_FAILED_ATTEMPTS

    cookies = await _new_resident_cookies(sign_in_as)
    token = await csrf_of(client, "/min-side", cookies)
    for _ in range(MAX_FAILED_ATTEMPTS):
        response = await client.post(
            "/min-side/husstandskode", data={"csrf_token": token, "husstandskode": "ZZZZ-ZZZZ-ZZZZ"}, cookies=cookies
        )
        assert response.status_code == 400
        assert "Koden er ugyldig" in soup_of(response).select_one(".error-summary").get_text()
    code, _ = await _household_code()
    response = await client.post(
        "/min-side/husstandskode", data={"csrf_token": token, "husstandskode": code}, cookies=cookies
    )
    assert response.status_code == 400
    soup = soup_of(response)
    summary = soup.select_one(".error-summary")
    assert summary is not None and summary.find_next("h1") is soup.find("h1")
    assert [a["href"] for a in summary.find_all("a")] == ["#husstandskode"]
    assert "For mange forkerte forsøg. Prøv igen om en time." in summary.get_text()
    field = soup.find("input", id="husstandskode")
    assert field["value"] == code and field["aria-invalid"] == "true"
    assert "husstandskode-error" in field["aria-describedby"]
    assert soup.find("title").get_text().startswith("Fejl:")
    english = await client.post(
        "/min-side/husstandskode", data={"csrf_token": token, "husstandskode": code}, cookies={**cookies, "sprog": "en"}
    )
    assert "Too many wrong attempts. Try again in an hour." in soup_of(english).select_one(".error-summary").get_text()


async def test_my_data_as_a_page_to_read_beside_the_json(client, sign_in_as):
    """The same export, as a page with labels (Danish and English): names, not ids or codes; the
    resident's own words with dir="auto"; the JSON file keeps the ids."""
    cookies = await sign_in_as("beboer-tingbjerg")
    token = await csrf_of(client, "/min-side", cookies)
    my_page = soup_of(await client.get("/min-side", cookies=cookies))
    assert {
        f.find("input", attrs={"name": "visning"}) is not None
        for f in my_page.find_all("form", action="/min-side/data")
    } == {True, False}
    as_json = (await client.post("/min-side/data", data={"csrf_token": token}, cookies=cookies)).json()
    assert as_json["residencies"][0]["estate_id"] and as_json["residencies"][0]["estate_name"]
    assert as_json["inputs"] and all("id" in i and "group_id" in i for i in as_json["inputs"])
    for lang, labels in (
        ("da", ("Din konto", "Hvor du bor", "Følgegruppe", "Kanal")),
        ("en", ("Your account", "Where you live", "Follow-up group", "Channel")),
    ):
        response = await client.post(
            "/min-side/data", data={"csrf_token": token, "visning": "side"}, cookies={**cookies, "sprog": lang}
        )
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "private, no-store"
        soup = soup_of(response)
        assert soup.find("html")["lang"] == lang and soup.find("h1")
        text = soup.get_text(" ", strip=True)
        for label in labels:
            assert label in text, (lang, label)
        assert as_json["residencies"][0]["estate_name"] in text
        assert "RECEIVED" not in text and "estate_id" not in text and "WEB" not in text.split()
        first = as_json["inputs"][0]
        title = soup.find(string=first["title"]).find_parent()
        assert title["dir"] == "auto" and title.get("lang") == first["language"]
        assert soup.find("dd", string=as_json["account"]["display_name"])["dir"] == "auto"
    assert (await client.post("/min-side/data", data={"visning": "side"}, cookies=cookies)).status_code == 403
