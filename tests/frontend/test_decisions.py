"""The decisions page (/medarbejder/beslutninger): what awaits the municipality's and Landsbyggefonden's
decision, with documents and versions; approve or send back with the date and a note, in the audit
trail; each actor sees only its own moves, and everyone else finds no page (404)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from backend.db import new_session
from backend.models import (
    Account,
    Agreement,
    AgreementKind,
    AuditEvent,
    Decision,
    DecisionOutcome,
    FocusArea,
    Plan,
    PlanStatus,
)
from schema.ids import encode
from tests.frontend.html import csrf_of, soup_of

PATH = "/medarbejder/beslutninger"
SYDHAVN = "Boligsocial helhedsplan Sydhavn 2027-2030"


async def _plan(name: str) -> Plan:
    async with new_session() as db:
        return (await db.execute(select(Plan).where(col(Plan.name) == name))).scalar_one()


async def new_version(plan_name: str, kind: AgreementKind, title: str) -> Agreement:
    """A new document version written by the plan's housing staff (as agreementVersionCreate does)."""
    from backend.actor import load_actor
    from backend.services import plans
    from tests.services.world import call

    plan = await _plan(plan_name)
    async with new_session() as db:
        staff = (await db.execute(select(Account).where(col(Account.subject) == "fsb-medarbejder"))).scalar_one()
        area = None
        if kind == AgreementKind.SUB_AGREEMENT:
            area = (
                (
                    await db.execute(
                        select(col(FocusArea.id))
                        .where(col(FocusArea.generation_id) == plan.generation_id)
                        .order_by(col(FocusArea.position))
                    )
                )
                .scalars()
                .first()
            )
        actor = await load_actor(db, staff)
    return await call(
        plans.create_agreement_version, actor=actor, plan_id=plan.id, kind=kind, title=title, focus_area_id=area
    )


def _items(response) -> list[str]:
    return [h.get_text(" ", strip=True) for h in soup_of(response).select("li h3")]


@pytest.mark.parametrize("who", [None, "beboer-tingbjerg", "partner-bibliotek", "fsb-medarbejder"])
async def test_only_the_deciding_parties_find_the_page(client, sign_in_as, who):
    cookies = await sign_in_as(who) if who else {}
    response = await client.get(PATH, cookies=cookies)
    if who is None:
        assert response.status_code == 303 and response.headers["location"].startswith("/log-ind")
    else:
        assert response.status_code == 404
        assert "Beslutninger" not in soup_of(response).select_one("nav").get_text()


async def test_the_municipality_sees_its_moves_and_landsbyggefonden_its_own(client, sign_in_as):
    municipality = await client.get(PATH, cookies=await sign_in_as("kommune-tmf"))
    assert municipality.status_code == 200
    items = _items(municipality)
    # The draft awaits the municipality (prequalified -> in dialogue); its strategic agreement is LBF's.
    assert any(SYDHAVN in i and "I dialog med Landsbyggefonden" in i for i in items), items
    assert not any(i.startswith("Strategisk samarbejdsaftale") for i in items), items
    # Documents and versions of the plan are on the page.
    assert "Udkast til strategisk samarbejdsaftale" in municipality.text

    fund = await client.get(PATH, cookies=await sign_in_as("lbf-tilsyn"))
    assert fund.status_code == 200
    items = _items(fund)
    assert any(i.startswith("Strategisk samarbejdsaftale") for i in items), items
    assert not any(SYDHAVN in i and "→" in i for i in items), items  # the prequalification is not LBF's
    assert not any(i.startswith(("Delaftale", "Beredskabsplan")) for i in items), items


async def test_municipality_approves_a_sub_agreement_with_date_and_note(client, sign_in_as):
    cookies = await sign_in_as("kommune-tmf")
    marker = uuid.uuid4().hex[:6]
    row = await new_version(
        "Boligsocial helhedsplan Tingbjerg & Utterslevhuse 2025-2028",
        AgreementKind.SUB_AGREEMENT,
        f"Delaftale {marker}",
    )
    page = await client.get(PATH, cookies=cookies)
    form = soup_of(page).find("form", action=f"{PATH}/aftaler/{encode('Agreement', row.id)}")
    assert form is not None, "the new version awaits the municipality"
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    raekke = form.find("input", attrs={"name": "raekke"})["value"]
    decided = date.today() - timedelta(days=3)
    response = await client.post(
        f"{PATH}/aftaler/{encode('Agreement', row.id)}",
        cookies=cookies,
        data={
            "csrf_token": token,
            "raekke": raekke,
            "handling": "godkend",
            "dato": decided.isoformat(),
            "note": f"Godkendt {marker}",
        },
    )
    assert response.status_code == 303, response.text[:500]
    done = await client.get(response.headers["location"], cookies=cookies)
    assert "Godkendelsen er registreret" in done.text
    assert f"Godkendt {marker}" in done.text  # in the latest decisions
    async with new_session() as db:
        assert (await db.get(Agreement, row.id)).approved_at is not None
        decision = (await db.execute(select(Decision).where(col(Decision.agreement_id) == row.id))).scalar_one()
        event = (
            await db.execute(
                select(AuditEvent).where(
                    col(AuditEvent.object_id) == row.id, col(AuditEvent.action) == "agreement.approve"
                )
            )
        ).scalar_one()
    assert (decision.outcome, decision.decided_on) == (DecisionOutcome.APPROVED, decided)
    assert event.after["decision"]["note"] == f"Godkendt {marker}"


async def test_sending_back_needs_a_note_and_a_valid_date(client, sign_in_as):
    cookies = await sign_in_as("kommune-tmf")
    plan = await _plan(SYDHAVN)
    path = f"{PATH}/planer/{encode('Plan', plan.id)}"
    token = await csrf_of(client, PATH, cookies)
    base = {"csrf_token": token, "raekke": "1", "til": "IN_DIALOGUE", "handling": "send-tilbage"}
    response = await client.post(path, cookies=cookies, data={**base, "dato": "31.2.2026", "note": " "})
    assert response.status_code == 400
    summary = soup_of(response).select_one(".error-summary")
    assert [a["href"] for a in summary.find_all("a")] == ["#dato-1", "#note-1"]
    future = (date.today() + timedelta(days=5)).isoformat()
    response = await client.post(path, cookies=cookies, data={**base, "dato": future, "note": "Mangler budget"})
    assert response.status_code == 400 and "i dag" in soup_of(response).select_one(".error-summary").get_text()
    response = await client.post(path, cookies=cookies, data={**base, "dato": "15.1.2026", "note": "Mangler budget"})
    assert response.status_code == 303
    assert (await _plan(SYDHAVN)).status == PlanStatus.PREQUALIFIED  # sent back: the status stays
    page = await client.get(PATH, cookies=cookies)
    assert "Sendt tilbage" in page.text and "Mangler budget" in page.text


async def test_a_move_that_is_not_yours_looks_absent(client, sign_in_as):
    """Landsbyggefonden posting the municipality's decision, or a plan it may not decide on: 404 / an error."""
    plan = await _plan(SYDHAVN)
    cookies = await sign_in_as("lbf-tilsyn")
    token = await csrf_of(client, PATH, cookies)
    response = await client.post(
        f"{PATH}/planer/{encode('Plan', plan.id)}",
        cookies=cookies,
        data={"csrf_token": token, "raekke": "1", "til": "IN_DIALOGUE", "handling": "godkend", "dato": "2026-01-15"},
    )
    assert response.status_code == 400  # the API refuses the move (another party registers it); nothing changes
    assert (await _plan(SYDHAVN)).status == PlanStatus.PREQUALIFIED
    response = await client.post(f"{PATH}/planer/bogus", cookies=cookies, data={"csrf_token": token, "raekke": "1"})
    assert response.status_code == 404
    # a sub-agreement is the municipality's: for Landsbyggefonden it is not there
    row = await new_version(
        "Boligsocial helhedsplan Tingbjerg & Utterslevhuse 2025-2028",
        AgreementKind.SUB_AGREEMENT,
        "Delaftale, ikke LBF's",
    )
    response = await client.post(
        f"{PATH}/aftaler/{encode('Agreement', row.id)}",
        cookies=cookies,
        data={"csrf_token": token, "raekke": "1", "handling": "godkend", "dato": "2026-01-15"},
    )
    assert response.status_code == 404
