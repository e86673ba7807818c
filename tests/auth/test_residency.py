"""Residency through the API: household codes, staff confirmation, ending; and what it unlocks."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from backend import clock
from backend.actor import load_actor
from backend.db import new_session
from backend.models import Account, AuditEvent, HousingEstate, HousingOrganisation, ResidencyCode
from schema.ids import encode

CODE_CREATE = """mutation($estate: ID!, $household: String!, $days: Int!) {
  residencyCodeCreate(input: {estateId: $estate, household: $household, validDays: $days}) {
    created { code expiresAt } errors { field code message } } }"""
REDEEM = """mutation($code: String!) { residencyRedeemCode(input: {code: $code}) {
  residency { id since until estate { name } } errors { field code message } } }"""
CONFIRM = """mutation($resident: ID!, $estate: ID!, $since: Date) {
  residencyConfirm(input: {residentId: $resident, estateId: $estate, since: $since}) {
    residency { id since until } errors { field code } } }"""
END = """mutation($id: ID!, $until: Date) { residencyEnd(input: {residencyId: $id, until: $until}) {
  residency { id since until } errors { field code } } }"""
VIEWER = "{ viewer { kind residentId residencies { id since until estate { name } } } }"


async def estate_of(cvr: str, name_part: str = "") -> tuple[int, str]:
    async with new_session() as session:
        row = (
            await session.execute(
                select(col(HousingEstate.id), col(HousingEstate.name))
                .join(HousingOrganisation)
                .where(col(HousingOrganisation.cvr) == cvr, col(HousingEstate.name).contains(name_part))
                .order_by(col(HousingEstate.id))
            )
        ).first()
    assert row is not None and row[0] is not None, f"no estate of {cvr} named like {name_part!r}"
    return row[0], row[1]


@pytest.fixture
def new_resident(idp):
    """A fresh resident (real key of the residents' provider), so demo residents stay as they are."""

    def make():
        sub = f"beboer-test-{uuid.uuid4().hex[:10]}"
        return sub, idp.sign("dev-borger", idp.claims("dev-borger", sub, name="Testbeboer"))

    return make


async def actor_of(sub: str):
    async with new_session() as session:
        account = (await session.execute(select(Account).where(col(Account.subject) == sub))).scalar_one()
        return await load_actor(session, account)


async def test_household_code_links_a_resident_once(graphql, token_for, new_resident):
    estate_id, estate_name = await estate_of("10000001", "Tingbjerg")
    fsb = await token_for("fsb-medarbejder")
    created = await graphql(
        CODE_CREATE, {"estate": encode("HousingEstate", estate_id), "household": "Lejemål 42", "days": 30}, token=fsb
    )
    code = created["data"]["residencyCodeCreate"]["created"]["code"]
    assert len(code) == 14 and code.count("-") == 2

    sub, token = new_resident()
    assert (await graphql(VIEWER, token=token))["data"]["viewer"]["residencies"] == []
    assert (await actor_of(sub)).group_ids == frozenset()
    # Case and dashes do not matter.
    redeemed = await graphql(REDEEM, {"code": code.lower().replace("-", " ")}, token=token)
    payload = redeemed["data"]["residencyRedeemCode"]
    assert payload["errors"] == [] and payload["residency"]["estate"]["name"] == estate_name
    residencies = (await graphql(VIEWER, token=token))["data"]["viewer"]["residencies"]
    assert [r["estate"]["name"] for r in residencies] == [estate_name]
    actor = await actor_of(sub)
    assert actor.estate_ids == frozenset({estate_id}) and actor.group_ids

    # The code is used up: another resident cannot use it.
    _, other = new_resident()
    again = await graphql(REDEEM, {"code": code}, token=other)
    assert again["data"]["residencyRedeemCode"]["residency"] is None
    assert again["data"]["residencyRedeemCode"]["errors"][0]["code"] == "INVALID"

    # The audit log knows that it happened, but holds neither the code nor the household.
    async with new_session() as session:
        events = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        col(AuditEvent.action).in_(["residencyCode.create", "residency.redeemCode"])
                    )
                )
            )
            .scalars()
            .all()
        )
    text = repr([(e.before, e.after) for e in events])
    assert {e.action for e in events} == {"residencyCode.create", "residency.redeemCode"}
    assert code not in text and code.replace("-", "") not in text and "Lejemål 42" not in text


async def test_wrong_and_expired_codes_are_refused(graphql, token_for, new_resident):
    from backend.models import utcnow
    from backend.services.residency import code_hash

    estate_id, _ = await estate_of("10000001")
    async with new_session() as session:
        session.add(
            ResidencyCode(
                estate_id=estate_id,
                code_hash=code_hash("AAAA-BBBB-CCCC"),
                household="x",
                expires_at=utcnow() - timedelta(minutes=1),
            )
        )
        await session.commit()
    _, token = new_resident()
    for code in ("AAAA-BBBB-CCCC", "ZZZZ-ZZZZ-ZZZZ"):
        result = (await graphql(REDEEM, {"code": code}, token=token))["data"]["residencyRedeemCode"]
        assert result["residency"] is None and result["errors"][0]["code"] == "INVALID"
    result = (await graphql(REDEEM, {"code": "  "}, token=token))["data"]["residencyRedeemCode"]
    assert result["errors"][0]["code"] == "REQUIRED"


async def test_only_residents_redeem_and_only_the_estates_organisation_hands_out_codes(graphql, token_for):
    estate_id, _ = await estate_of("10000001")
    variables = {"estate": encode("HousingEstate", estate_id), "household": "x", "days": 30}
    for account in ("3b-medarbejder", "kommune-tmf", "partner-bibliotek", "lbf-tilsyn", "beboer-tingbjerg"):
        result = (await graphql(CODE_CREATE, variables, token=await token_for(account)))["data"]["residencyCodeCreate"]
        assert result["created"] is None and result["errors"][0]["code"] == "NOT_FOUND", account
    anonymous = (await graphql(CODE_CREATE, variables))["data"]["residencyCodeCreate"]
    assert anonymous["created"] is None and anonymous["errors"][0]["code"] == "NOT_FOUND"
    staff = await graphql(REDEEM, {"code": "AAAA-BBBB-CCCC"}, token=await token_for("fsb-medarbejder"))
    assert staff["data"]["residencyRedeemCode"]["errors"][0]["code"] == "NOT_ALLOWED"


async def test_staff_confirm_and_end_a_residency(graphql, token_for, new_resident):
    estate_id, estate_name = await estate_of("10000003")  # a 3B estate
    sub, token = new_resident()
    resident_id = (await graphql(VIEWER, token=token))["data"]["viewer"]["residentId"]
    assert resident_id
    variables = {"resident": resident_id, "estate": encode("HousingEstate", estate_id), "since": "2024-01-01"}

    # fsb may not confirm residents of 3B's estates.
    refused = (await graphql(CONFIRM, variables, token=await token_for("fsb-medarbejder")))["data"]["residencyConfirm"]
    assert refused["residency"] is None and refused["errors"][0]["code"] == "NOT_FOUND"
    staff = await token_for("3b-medarbejder")
    confirmed = (await graphql(CONFIRM, variables, token=staff))["data"]["residencyConfirm"]
    assert confirmed["errors"] == [] and confirmed["residency"]["since"] == "2024-01-01"
    residency_id = confirmed["residency"]["id"]
    assert (await actor_of(sub)).estate_ids == frozenset({estate_id})
    duplicate = (await graphql(CONFIRM, variables, token=staff))["data"]["residencyConfirm"]
    assert duplicate["errors"][0]["code"] == "DUPLICATE"

    # Other residents cannot end it, nor see it.
    other = await token_for("beboer-urbanplanen")
    assert (await graphql(END, {"id": residency_id}, token=other))["data"]["residencyEnd"]["errors"][0][
        "code"
    ] == "NOT_FOUND"
    node = await graphql("query($id: ID!) { node(id: $id) { id } }", {"id": residency_id}, token=other)
    assert node["data"]["node"] is None
    # Ending before it began is refused; then the organisation ends it (moving out yesterday).
    bad = (await graphql(END, {"id": residency_id, "until": "2023-12-31"}, token=staff))["data"]["residencyEnd"]
    assert bad["errors"][0]["code"] == "PERIOD_INVALID"
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    ended = (await graphql(END, {"id": residency_id, "until": yesterday}, token=staff))["data"]["residencyEnd"]
    assert ended["errors"] == [] and ended["residency"]["until"] == yesterday
    actor = await actor_of(sub)
    assert actor.estate_ids == frozenset() and actor.group_ids == frozenset()
    again = (await graphql(END, {"id": residency_id}, token=staff))["data"]["residencyEnd"]
    assert again["errors"][0]["code"] == "INVALID_TRANSITION"


async def test_a_resident_ends_their_own_residency(graphql, token_for, new_resident):
    estate_id, _ = await estate_of("10000003")
    sub, token = new_resident()
    resident_id = (await graphql(VIEWER, token=token))["data"]["viewer"]["residentId"]
    confirmed = await graphql(
        CONFIRM,
        {"resident": resident_id, "estate": encode("HousingEstate", estate_id), "since": "2022-05-01"},
        token=await token_for("3b-medarbejder"),
    )
    residency_id = confirmed["data"]["residencyConfirm"]["residency"]["id"]
    ended = (await graphql(END, {"id": residency_id}, token=token))["data"]["residencyEnd"]
    assert ended["errors"] == [] and ended["residency"]["until"] == clock.today().isoformat()
    # Ended today is ended now: the next request's actor has no residency left.
    assert (await actor_of(sub)).estate_ids == frozenset()


async def test_staff_cannot_confirm_staff_or_unknown_accounts(graphql, token_for):
    estate_id, _ = await estate_of("10000001")
    staff = await token_for("fsb-medarbejder")
    async with new_session() as session:
        staff_account = (
            await session.execute(select(col(Account.id)).where(col(Account.subject) == "kommune-tmf"))
        ).scalar_one()
    for resident in (encode("Resident", staff_account), encode("Resident", 10**9), "not-an-id"):
        result = (
            await graphql(CONFIRM, {"resident": resident, "estate": encode("HousingEstate", estate_id)}, token=staff)
        )["data"]["residencyConfirm"]
        assert result["residency"] is None and result["errors"][0]["code"] == "NOT_FOUND"


async def test_viewer_resident_id_is_for_residents_only(graphql, token_for):
    staff = await graphql(VIEWER, token=await token_for("fsb-medarbejder"))
    assert staff["data"]["viewer"]["residentId"] is None and staff["data"]["viewer"]["residencies"] == []


async def test_too_many_wrong_codes_are_refused_before_the_code_is_looked_up(graphql, token_for, new_resident):
    from backend.services.residency import MAX_FAILED_ATTEMPTS

    estate_id, _ = await estate_of("10000001", "Tingbjerg")
    created = await graphql(
        CODE_CREATE,
        {"estate": encode("HousingEstate", estate_id), "household": "Lejemål 7", "days": 30},
        token=await token_for("fsb-medarbejder"),
    )
    good_code = created["data"]["residencyCodeCreate"]["created"]["code"]
    sub, token = new_resident()
    for _ in range(MAX_FAILED_ATTEMPTS):
        wrong = (await graphql(REDEEM, {"code": "ZZZZ-ZZZZ-ZZZZ"}, token=token))["data"]["residencyRedeemCode"]
        assert wrong["errors"][0]["code"] == "INVALID"
    refused = await graphql(
        """mutation($code: String!) { residencyRedeemCode(input: {code: $code}) {
        residency { id } errors { field code message messageEn } } }""",
        {"code": good_code},
        token=token,
    )
    payload = refused["data"]["residencyRedeemCode"]
    assert payload["residency"] is None
    assert payload["errors"] == [
        {
            "field": "code",
            "code": "TOO_MANY_ATTEMPTS",
            "message": "For mange forkerte forsøg. Prøv igen om en time.",
            "messageEn": "Too many wrong attempts. Try again in an hour.",
        }
    ]
    assert (await actor_of(sub)).estate_ids == frozenset()
    # The good code was not used up: another resident can still redeem it.
    _, other = new_resident()
    redeemed = (await graphql(REDEEM, {"code": good_code}, token=other))["data"]["residencyRedeemCode"]
    assert redeemed["errors"] == [] and redeemed["residency"] is not None
