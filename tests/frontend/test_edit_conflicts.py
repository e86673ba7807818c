"""No edit lost silently (issue 16) in the portal's forms: each form that edits sends the version it was
shown; when someone else saved in between, the page says so (who as a role, when) in the error summary,
shows what is stored now beside what the visitor sent, keeps the visitor's text in the field, stores
nothing, and carries the new version, so that saving again stores the visitor's text on top.

Each test builds its own world (tests/services/world.py), so the demo data stays as the page tests expect.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from backend.db import new_session
from backend.models import Activity, Occurrence, ResidentInput
from backend.services import inputs
from schema.ids import encode
from tests.frontend.html import form_fields, form_with, soup_of
from tests.frontend.test_own_inputs import cookies_of
from tests.services.world import build_world, call, drop_built_worlds


@pytest.fixture
async def world():
    yield await build_world()
    await drop_built_worlds()


async def _stored(model, key: int):
    async with new_session() as db:
        row = await db.get(model, key)
        assert row is not None
        return row


def _conflict_page(response, *, field: str, role: str, stored: str, sent: str) -> BeautifulSoup:
    """The checks every conflict page passes: 409, the summary above the h1 linking to the field and naming
    the role, the stored text beside the sent one."""
    assert response.status_code == 409, response.text[:1500]
    soup = soup_of(response)
    summary = soup.select_one(".error-summary")
    assert summary is not None and summary.find_next("h1") is soup.find("h1")
    assert [a["href"] for a in summary.find_all("a")] == [f"#{field}"]
    assert role in summary.get_text() and "gemte en ændring" in summary.get_text()
    columns = [c.get_text(" ", strip=True) for c in soup.select(".conflict-comparison .conflict-column")]
    assert len(columns) == 2 and stored in columns[0] and sent in columns[1], columns
    marked = soup.find(id=field)
    assert marked is not None and marked["aria-invalid"] == "true"
    return soup


# ---------------------------------------------------------------- the activity form (partner, plan staff)
async def test_an_activity_saved_meanwhile_is_shown_beside_the_partners_text_and_saving_again_wins(client, world):
    path = f"/partner/aktiviteter/{encode('Activity', world.activity_id)}"
    partner, staff = await cookies_of(world.accounts["partner"]), await cookies_of(world.accounts["housing"])
    partner_form = form_fields(form_with(soup_of(await client.get(path, cookies=partner)), "opdater"))
    staff_form = form_fields(form_with(soup_of(await client.get(path, cookies=staff)), "opdater"))
    shown = int(partner_form["version"])
    assert int(staff_form["version"]) == shown

    saved = await client.post(
        path, data={**staff_form, "status": "ACTIVE", "beskrivelse": "Staff: tirsdage"}, cookies=staff
    )
    assert saved.status_code == 303, saved.text[:800]
    stale = {**partner_form, "status": "PAUSED", "beskrivelse": "Partner: onsdage"}
    response = await client.post(path, data=stale, cookies=partner)
    soup = _conflict_page(
        response, field="beskrivelse", role="Boligorganisation", stored="Staff: tirsdage", sent="Partner: onsdage"
    )
    assert soup.find("textarea", id="beskrivelse").get_text() == "Partner: onsdage"  # nothing typed is lost
    assert soup.find("select", id="status").find("option", selected=True)["value"] == "PAUSED"
    again = form_fields(form_with(soup, "opdater"))
    activity = await _stored(Activity, world.activity_id)
    assert activity.description == "Staff: tirsdage" and activity.status.value == "ACTIVE"  # nothing stored
    assert int(again["version"]) == activity.version > shown

    resubmit = {**again, "status": "PAUSED", "beskrivelse": "Partner: onsdage"}
    assert (await client.post(path, data=resubmit, cookies=partner)).status_code == 303
    activity = await _stored(Activity, world.activity_id)
    assert activity.description == "Partner: onsdage" and activity.status.value == "PAUSED"


async def test_an_activity_conflict_in_english_names_the_role_in_english(client, world):
    path = f"/partner/aktiviteter/{encode('Activity', world.activity_id)}"
    partner = {**await cookies_of(world.accounts["partner"]), "sprog": "en"}
    staff = await cookies_of(world.accounts["housing"])
    partner_form = form_fields(form_with(soup_of(await client.get(path, cookies=partner)), "opdater"))
    staff_form = form_fields(form_with(soup_of(await client.get(path, cookies=staff)), "opdater"))
    saved = await client.post(path, data={**staff_form, "status": "ACTIVE", "beskrivelse": "Staff text"}, cookies=staff)
    assert saved.status_code == 303
    sent = {**partner_form, "status": "ACTIVE", "beskrivelse": "Partner text"}
    response = await client.post(path, data=sent, cookies=partner)
    assert response.status_code == 409
    summary = soup_of(response).select_one(".error-summary").get_text(" ")
    assert "Housing organisation" in summary and "Boligorganisation" not in summary, summary


async def test_a_form_without_a_version_still_saves_and_a_tampered_one_is_a_400(client, world):
    path = f"/partner/aktiviteter/{encode('Activity', world.activity_id)}"
    partner = await cookies_of(world.accounts["partner"])
    fields = {
        **form_fields(form_with(soup_of(await client.get(path, cookies=partner)), "opdater")),
        "status": "ACTIVE",
    }
    for bad in ("-1", "x", "1e3", "9" * 20):
        response = await client.post(path, data={**fields, "version": bad, "beskrivelse": "Nej"}, cookies=partner)
        assert response.status_code == 400, bad
    assert (await _stored(Activity, world.activity_id)).description != "Nej"
    old_form = {k: v for k, v in fields.items() if k != "version"}
    assert (
        await client.post(path, data={**old_form, "beskrivelse": "Uden version"}, cookies=partner)
    ).status_code == 303


# ---------------------------------------------------------------- the resident's own input
async def test_a_residents_edit_after_staff_changed_the_input_shows_both_and_saves_on_top(client, world):
    row = await call(inputs.submit, actor=world.actor("resident"), group_id=world.group_id, title="Bænke", body="Før")
    input_id = encode("ResidentInput", row.id)
    path = f"/min-side/input/{input_id}/ret"
    resident = await cookies_of(world.accounts["resident"])
    shown = form_fields(soup_of(await client.get(path, cookies=resident)).select_one(f"form[action='{path}']"))
    # Staff take the input up meanwhile (a new version, the text as it was).
    staff = await cookies_of(world.accounts["housing"])
    staff_page = f"/medarbejder/indbakke/{input_id}"
    status_form = form_fields(form_with(soup_of(await client.get(staff_page, cookies=staff)), "status"))
    taken_up = await client.post(staff_page, data={**status_form, "status": "UNDER_CONSIDERATION"}, cookies=staff)
    assert taken_up.status_code == 303, taken_up.text[:800]

    sent = {**shown, "titel": "Bænke og borde", "tekst": "Efter"}
    response = await client.post(path, data=sent, cookies=resident)
    soup = _conflict_page(response, field="tekst", role="Boligorganisation", stored="Før", sent="Efter")
    assert soup.find("input", id="titel")["value"] == "Bænke og borde" and soup.find(id="tekst").get_text() == "Efter"
    stored = await _stored(ResidentInput, row.id)
    assert (stored.title, stored.body) == ("Bænke", "Før")
    again = form_fields(soup.select_one(f"form[action='{path}']"))
    assert int(again["version"]) == stored.version > int(shown["version"])

    assert (
        await client.post(path, data={**again, "titel": "Bænke og borde", "tekst": "Efter"}, cookies=resident)
    ).status_code == 303
    stored = await _stored(ResidentInput, row.id)
    assert (stored.title, stored.body) == ("Bænke og borde", "Efter")


# ---------------------------------------------------------------- the staff's status and answer forms
async def _two_colleagues_on_one_input(client, world, action: str):
    """A new input's page opened by the plan's housing staff and by the municipality, at the same version:
    (path, input pk, housing's cookies and form for `action`, the municipality's cookies and form)."""
    row = await call(inputs.submit, actor=world.actor("resident"), group_id=world.group_id, title="Lys", body="Mørkt")
    path = f"/medarbejder/indbakke/{encode('ResidentInput', row.id)}"
    sessions = [await cookies_of(world.accounts[who]) for who in ("housing", "municipality")]
    forms = [form_fields(form_with(soup_of(await client.get(path, cookies=c)), action)) for c in sessions]
    assert forms[0]["version"] == forms[1]["version"]
    return path, row.id, sessions[0], forms[0], sessions[1], forms[1]


async def test_a_status_changed_by_a_colleague_meanwhile_is_a_conflict_then_saved_on_top(client, world):
    path, input_pk, housing, mine, municipality, theirs = await _two_colleagues_on_one_input(client, world, "status")
    assert (await client.post(path, data={**theirs, "status": "CLOSED"}, cookies=municipality)).status_code == 303

    response = await client.post(path, data={**mine, "status": "UNDER_CONSIDERATION"}, cookies=housing)
    soup = _conflict_page(response, field="status", role="Kommune", stored="Lukket", sent="Under behandling")
    assert soup.find("select", id="status").find("option", selected=True)["value"] == "UNDER_CONSIDERATION"
    assert (await _stored(ResidentInput, input_pk)).status.value == "CLOSED"
    again = form_fields(form_with(soup, "status"))
    resubmit = {**again, "status": "UNDER_CONSIDERATION"}
    assert (await client.post(path, data=resubmit, cookies=housing)).status_code == 303
    assert (await _stored(ResidentInput, input_pk)).status.value == "UNDER_CONSIDERATION"


async def test_an_answer_after_a_colleagues_answer_shows_theirs_beside_mine_then_sends_on_top(client, world):
    path, _input_pk, housing, mine, municipality, theirs = await _two_colleagues_on_one_input(client, world, "svar")
    theirs_text, mine_text = "Kommunen: vi kigger på det", "Fsb: en VVS'er kommer"
    assert (await client.post(path, data={**theirs, "svar": theirs_text}, cookies=municipality)).status_code == 303

    response = await client.post(path, data={**mine, "svar": mine_text}, cookies=housing)
    soup = _conflict_page(response, field="svar", role="Kommune", stored=theirs_text, sent=mine_text)
    assert soup.find("textarea", id="svar").get_text() == mine_text
    answers = [a.get_text(" ", strip=True) for a in soup.select(".answer")]
    assert len(answers) == 1 and theirs_text in answers[0]  # mine is not stored
    again = form_fields(form_with(soup, "svar"))
    assert (await client.post(path, data={**again, "svar": mine_text}, cookies=housing)).status_code == 303
    answers = [a.get_text(" ", strip=True) for a in soup_of(await client.get(path, cookies=housing)).select(".answer")]
    assert len(answers) == 2 and answers[0].endswith(theirs_text) and answers[1].endswith(mine_text), answers


async def test_publishing_after_a_colleague_published_is_a_conflict_not_a_silent_repeat(client, world):
    path, input_pk, housing, answer, municipality, _form = await _two_colleagues_on_one_input(client, world, "svar")
    assert (await client.post(path, data={**answer, "svar": "Svar"}, cookies=housing)).status_code == 303
    forms = [
        form_fields(form_with(soup_of(await client.get(path, cookies=c)), "offentliggoer"))
        for c in (housing, municipality)
    ]
    assert (await client.post(path, data=forms[1], cookies=municipality)).status_code == 303
    response = await client.post(path, data=forms[0], cookies=housing)
    assert response.status_code == 409
    summary = soup_of(response).select_one(".error-summary")
    assert "Kommune" in summary.get_text() and [a["href"] for a in summary.find_all("a")] == ["#offentlig"]
    # The page now offers what fits the input as stored (take it off the public page), at its version.
    again = form_fields(form_with(soup_of(response), "skjul"))
    assert int(again["version"]) == (await _stored(ResidentInput, input_pk)).version
    assert (await client.post(path, data=again, cookies=housing)).status_code == 303
    assert (await _stored(ResidentInput, input_pk)).published is False


# ---------------------------------------------------------------- the partner's dates and the resident's withdrawal
async def test_a_participant_count_saved_meanwhile_is_a_conflict_and_the_typed_count_is_kept(client, world):
    path = f"/partner/aktiviteter/{encode('Activity', world.activity_id)}"
    partner, staff = await cookies_of(world.accounts["partner"]), await cookies_of(world.accounts["housing"])
    mine = form_fields(form_with(soup_of(await client.get(path, cookies=partner)), "deltagere"))
    theirs = form_fields(form_with(soup_of(await client.get(path, cookies=staff)), "deltagere"))
    assert (await client.post(path, data={**theirs, "deltagere": "10"}, cookies=staff)).status_code == 303
    response = await client.post(path, data={**mine, "deltagere": "12"}, cookies=partner)
    assert response.status_code == 409
    soup = soup_of(response)
    field = f"deltagere-{mine['raekke']}"
    assert [a["href"] for a in soup.select(".error-summary a")] == [f"#{field}"]
    assert "Boligorganisation" in soup.select_one(".error-summary").get_text()
    assert soup.find("input", id=field)["value"] == "12"  # what the partner typed
    assert "10" in soup.find("input", id=field).find_parent("li").get_text()  # beside what is stored now
    again = form_fields(form_with(soup, "deltagere"))
    assert (await client.post(path, data={**again, "deltagere": "12"}, cookies=partner)).status_code == 303
    assert (await _stored(Occurrence, world.past_occurrence_id)).participant_count == 12


async def test_a_withdrawal_after_staff_took_the_input_up_asks_again(client, world):
    row = await call(inputs.submit, actor=world.actor("resident"), group_id=world.group_id, title="Hegn", body="Hul")
    input_id = encode("ResidentInput", row.id)
    path = f"/min-side/input/{input_id}/traek-tilbage"
    resident = await cookies_of(world.accounts["resident"])
    shown = form_fields(soup_of(await client.get(path, cookies=resident)).select_one(f"form[action='{path}']"))
    staff = await cookies_of(world.accounts["housing"])
    staff_page = f"/medarbejder/indbakke/{input_id}"
    status_form = form_fields(form_with(soup_of(await client.get(staff_page, cookies=staff)), "status"))
    assert (
        await client.post(staff_page, data={**status_form, "status": "UNDER_CONSIDERATION"}, cookies=staff)
    ).status_code == 303

    response = await client.post(path, data=shown, cookies=resident)
    assert response.status_code == 409
    soup = soup_of(response)
    summary = soup.select_one(".error-summary")
    assert summary.find_next("h1") is soup.find("h1") and "Boligorganisation" in summary.get_text()
    assert (await _stored(ResidentInput, row.id)).withdrawn is False
    again = form_fields(soup.select_one(f"form[action='{path}']"))
    assert (await client.post(path, data=again, cookies=resident)).status_code == 303
    assert (await _stored(ResidentInput, row.id)).withdrawn is True
