"""The authorization matrix: every demo account (signed in through the real provider) and anonymous,
against every root field and every type with restricted data.

What each actor should see is worked out here from the rows in the database (who owns which plan,
which partner takes part in which activity, who wrote which input), not from backend/policy.py,
so a wrong rule shows up as a difference. Each check asserts what is visible AND what is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from backend.db import new_session
from backend.models import (
    Account,
    Activity,
    ActivityPartner,
    ActorKind,
    Agreement,
    AgreementKind,
    AuditEvent,
    Financing,
    FollowUpGroup,
    HousingEstate,
    HousingOrganisation,
    Municipality,
    Partner,
    Plan,
    PlanOrganisation,
    PlanStatus,
    ProgressNote,
    Residency,
    ResidentInput,
    UrbanArea,
    Visibility,
)
from schema.ids import decode, encode

PUBLIC_STATUSES = {PlanStatus.APPROVED_BY_CITY_COUNCIL, PlanStatus.APPROVED_BY_LBF, PlanStatus.ACTIVE, PlanStatus.ENDED}
ACCOUNTS = [
    None,
    "beboer-tingbjerg",
    "beboer-urbanplanen",
    "beboer-ny",
    "fsb-medarbejder",
    "3b-medarbejder",
    "kommune-tmf",
    "partner-bibliotek",
    "partner-ssp",
    "lbf-tilsyn",
]
PERSONAL_AUDIT_OBJECTS = {"Residency", "ResidencyCode", "Account", "WebSession"}


@dataclass
class World:
    """The facts of the demo data that decide who sees what."""

    plans: dict[int, dict] = field(default_factory=dict)
    activities: dict[int, dict] = field(default_factory=dict)
    inputs: dict[int, dict] = field(default_factory=dict)
    emergency: dict[int, set[int]] = field(default_factory=dict)  # plan -> emergency plan agreement ids
    financing: dict[int, set[int]] = field(default_factory=dict)  # plan -> financing ids
    accounts: dict[str, Account] = field(default_factory=dict)
    residencies: dict[int, set[str]] = field(default_factory=dict)  # account id -> estate names (current)
    org_names: dict[str, str] = field(default_factory=dict)  # subject -> organisation name


async def load_world() -> World:
    w = World()
    async with new_session() as s:
        orgs: dict[int, set[int]] = {}
        for of_plan, org_id in await s.execute(
            select(col(PlanOrganisation.plan_id), col(PlanOrganisation.organisation_id))
        ):
            orgs.setdefault(of_plan, set()).add(org_id)
        for plan_id, status, municipality_id in await s.execute(
            select(col(Plan.id), col(Plan.status), col(UrbanArea.municipality_id)).join(
                UrbanArea, col(UrbanArea.id) == col(Plan.urban_area_id)
            )
        ):
            assert plan_id is not None  # a stored row's id
            w.plans[plan_id] = {
                "status": PlanStatus(status),
                "orgs": orgs.get(plan_id, set()),
                "municipality": municipality_id,
            }
        partners: dict[int, set[int]] = {}
        for of_activity, partner_id in await s.execute(
            select(col(ActivityPartner.activity_id), col(ActivityPartner.partner_id))
        ):
            partners.setdefault(of_activity, set()).add(partner_id)
        for activity_id, plan_id, visibility in await s.execute(
            select(col(Activity.id), col(Activity.plan_id), col(Activity.visibility))
        ):
            assert activity_id is not None  # a stored row's id
            w.activities[activity_id] = {
                "plan": plan_id,
                "visibility": Visibility(visibility),
                "partners": partners.get(activity_id, set()),
            }
        for row in await s.execute(
            select(
                col(ResidentInput.id),
                col(FollowUpGroup.plan_id),
                col(ResidentInput.author_account_id),
                col(ResidentInput.published),
                col(ResidentInput.hidden),
                col(ResidentInput.withdrawn),
            ).join(FollowUpGroup, col(FollowUpGroup.id) == col(ResidentInput.group_id))
        ):
            assert row[0] is not None  # a stored row's id
            w.inputs[row[0]] = {"plan": row[1], "author": row[2], "public": row[3] and not row[4] and not row[5]}
        for agreement_id, plan_id in await s.execute(
            select(col(Agreement.id), col(Agreement.plan_id)).where(col(Agreement.kind) == AgreementKind.EMERGENCY_PLAN)
        ):
            assert agreement_id is not None  # a stored row's id
            w.emergency.setdefault(plan_id, set()).add(agreement_id)
        for financing_id, plan_id in await s.execute(select(col(Financing.id), col(Financing.plan_id))):
            assert financing_id is not None  # a stored row's id
            w.financing.setdefault(plan_id, set()).add(financing_id)
        for account in (
            await s.execute(select(Account).where(col(Account.subject).in_([a for a in ACCOUNTS if a])))
        ).scalars():
            w.accounts[account.subject] = account
            organisation: HousingOrganisation | Partner | Municipality | None = None
            if account.housing_organisation_id:
                organisation = await s.get(HousingOrganisation, account.housing_organisation_id)
            elif account.partner_id:
                organisation = await s.get(Partner, account.partner_id)
            elif account.municipality_id:
                organisation = await s.get(Municipality, account.municipality_id)
            if organisation is not None:  # staff accounts belong to a stored organisation
                w.org_names[account.subject] = organisation.name
        for account_id, name, _since, _until in await s.execute(
            select(col(Residency.account_id), col(HousingEstate.name), col(Residency.since), col(Residency.until)).join(
                HousingEstate, col(HousingEstate.id) == col(Residency.estate_id)
            )
        ):
            w.residencies.setdefault(account_id, set()).add(name)
    return w


@dataclass
class Who:
    subject: str | None
    kind: ActorKind | None = None
    account_id: int | None = None
    org: int | None = None
    partner: int | None = None
    municipality: int | None = None

    @classmethod
    def of(cls, world: World, subject: str | None) -> Who:
        if subject is None:
            return cls(None)
        a = world.accounts[subject]
        return cls(subject, a.kind, a.id, a.housing_organisation_id, a.partner_id, a.municipality_id)

    def staff_plans(self, w: World) -> set[int]:
        if self.kind == ActorKind.HOUSING_ORGANISATION:
            return {p for p, f in w.plans.items() if self.org in f["orgs"]}
        if self.kind == ActorKind.MUNICIPALITY:
            return {p for p, f in w.plans.items() if f["municipality"] == self.municipality}
        return set()

    def readable_plans(self, w: World) -> set[int]:
        if self.kind == ActorKind.FUND:
            return set(w.plans)
        return {p for p, f in w.plans.items() if f["status"] in PUBLIC_STATUSES} | self.staff_plans(w)

    def visible_activities(self, w: World) -> set[int]:
        if self.kind == ActorKind.FUND:
            return set(w.activities)
        staff = self.staff_plans(w)
        return {
            a
            for a, f in w.activities.items()
            if f["plan"] in staff
            or (self.kind == ActorKind.PARTNER and self.partner in f["partners"])
            or (f["visibility"] == Visibility.PUBLIC and w.plans[f["plan"]]["status"] in PUBLIC_STATUSES)
        }

    def visible_inputs(self, w: World) -> set[int]:
        staff = self.staff_plans(w)
        return {
            i
            for i, f in w.inputs.items()
            if f["plan"] in staff or f["public"] or (self.account_id is not None and f["author"] == self.account_id)
        }


async def collect(
    graphql, token, field_name: str, selection: str = "id", args: str = "", first: int = 100
) -> list[dict]:
    """Every node of a connection, page by page (smaller pages keep a deep selection within the cost limit)."""
    nodes, after = [], None
    while True:
        query = (
            f"query($after: String) {{ {field_name}(first: {first}, after: $after{args}) "
            f"{{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}"
        )
        body = await graphql(query, {"after": after}, token=token)
        assert "errors" not in body, body["errors"]
        connection = body["data"][field_name]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            assert len(nodes) == connection["totalCount"]
            return nodes
        after = connection["pageInfo"]["endCursor"]


def pks(nodes) -> set[int]:
    return {decode(n["id"])[1] for n in nodes}


@pytest.fixture(scope="module")
async def world(token_for):
    for account in ACCOUNTS:  # sign everyone in first, so their accounts are up to date
        if account:
            await token_for(account)
    return await load_world()


@pytest.fixture(scope="module")
async def progress_notes(world):
    """A note on an activity of each partner and on a public activity (the demo starts without notes)."""
    chosen = set()
    for subject in ("partner-bibliotek", "partner-ssp"):
        partner = world.accounts[subject].partner_id
        chosen.add(min(a for a, f in world.activities.items() if partner in f["partners"]))
    chosen.add(min(a for a, f in world.activities.items() if f["visibility"] == Visibility.PUBLIC))
    async with new_session() as s:
        for activity_id in chosen:
            s.add(ProgressNote(activity_id=activity_id, text="Statusnote fra matrix-testen."))
        await s.commit()


@pytest.fixture(scope="module")
async def audit_rows(world):
    """Audit events of every plan, and outside plans (one about a residency: personal)."""
    async with new_session() as s:
        for plan_id in world.plans:
            s.add(AuditEvent(action="matrix.test", object_type="Plan", object_id=plan_id, plan_id=plan_id))
        s.add(AuditEvent(action="matrix.test", object_type="Residency", object_id=1, plan_id=None))
        s.add(AuditEvent(action="matrix.test", object_type="FundingGeneration", object_id=1, plan_id=None))
        await s.commit()


def test_the_demo_data_exercises_the_matrix(world):
    assert {f["status"] for f in world.plans.values()} - PUBLIC_STATUSES, "a plan that is not public yet"
    assert any(f["visibility"] == Visibility.INTERNAL for f in world.activities.values())
    assert world.emergency and world.financing
    assert any(not f["public"] for f in world.inputs.values()) and any(f["public"] for f in world.inputs.values())
    fsb, b3 = Who.of(world, "fsb-medarbejder"), Who.of(world, "3b-medarbejder")
    assert fsb.staff_plans(world) - b3.staff_plans(world) and b3.staff_plans(world) - fsb.staff_plans(world)
    lib, ssp = Who.of(world, "partner-bibliotek"), Who.of(world, "partner-ssp")
    assert lib.visible_activities(world) ^ ssp.visible_activities(world)


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a or "anonymous" for a in ACCOUNTS])
async def test_plans_and_their_restricted_parts(graphql, token_for, world, account):
    token = await token_for(account) if account else None
    who = Who.of(world, account)
    readable, staff = who.readable_plans(world), who.staff_plans(world)
    nodes = await collect(
        graphql,
        token,
        "plans",
        """id emergencyPlan { id } financing { id }
        followUpGroups { inputs(first: 100) { totalCount nodes { id } } }""",
        first=2,  # two plans a page: within the anonymous cost limit
    )
    assert pks(nodes) == readable
    for node in nodes:
        plan_id = decode(node["id"])[1]
        emergency = {decode(node["emergencyPlan"]["id"])[1]} if node["emergencyPlan"] else set()
        expected_emergency = world.emergency.get(plan_id, set()) if plan_id in staff else set()
        assert emergency <= world.emergency.get(plan_id, set())
        assert bool(emergency) == bool(expected_emergency), plan_id
        financing = pks(node["financing"])
        may_see_financing = plan_id in staff or who.kind == ActorKind.FUND
        assert financing == (world.financing.get(plan_id, set()) if may_see_financing else set()), plan_id
        group_inputs = {decode(i["id"])[1] for g in node["followUpGroups"] for i in g["inputs"]["nodes"]}
        all_inputs = {i for i, f in world.inputs.items() if f["plan"] == plan_id}
        assert group_inputs == (all_inputs if plan_id in staff else set()), plan_id

    # By id: the plans it may not read, their emergency plans and financing look absent.
    for plan_id in set(world.plans) - readable:
        body = await graphql(
            "query($id: ID!) { plan(id: $id) { id } node(id: $id) { id } }",
            {"id": encode("Plan", plan_id)},
            token=token,
        )
        assert body["data"] == {"plan": None, "node": None}
    for plan_id, agreements in world.emergency.items():
        for agreement_id in agreements:
            body = await graphql(
                "query($id: ID!) { node(id: $id) { id } }", {"id": encode("Agreement", agreement_id)}, token=token
            )
            assert (body["data"]["node"] is not None) == (plan_id in staff), (plan_id, agreement_id)
    for plan_id, rows in world.financing.items():
        financing_id = min(rows)
        body = await graphql(
            "query($id: ID!) { node(id: $id) { id } }", {"id": encode("Financing", financing_id)}, token=token
        )
        may = plan_id in staff or who.kind == ActorKind.FUND
        assert (body["data"]["node"] is not None) == may, (plan_id, financing_id)


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a or "anonymous" for a in ACCOUNTS])
async def test_activities_internal_ones_only_for_their_partners_and_staff(
    graphql, token_for, world, progress_notes, account
):
    token = await token_for(account) if account else None
    who = Who.of(world, account)
    expected = who.visible_activities(world)
    nodes = await collect(graphql, token, "activities", "id visibility progressNotes { totalCount }")
    assert pks(nodes) == expected
    internal = {a for a, f in world.activities.items() if f["visibility"] == Visibility.INTERNAL}
    for activity_id in internal - expected:
        body = await graphql(
            "query($id: ID!) { node(id: $id) { id } }", {"id": encode("Activity", activity_id)}, token=token
        )
        assert body["data"]["node"] is None, activity_id
    if who.kind in (None, ActorKind.RESIDENT):
        assert all(n["visibility"] == "PUBLIC" for n in nodes)
    # Progress notes are internal details: the plan's staff, the fund and the activity's own partners.
    async with new_session() as s:
        notes = dict(
            (
                await s.execute(
                    select(col(ProgressNote.activity_id), func.count()).group_by(col(ProgressNote.activity_id))
                )
            ).all()
        )
    assert notes, "the demo has progress notes"
    staff = who.staff_plans(world)
    for node in nodes:
        activity_id = decode(node["id"])[1]
        f = world.activities[activity_id]
        internals = (
            f["plan"] in staff
            or who.kind == ActorKind.FUND
            or (who.kind == ActorKind.PARTNER and who.partner in f["partners"])
        )
        assert node["progressNotes"]["totalCount"] == (notes.get(activity_id, 0) if internals else 0), activity_id


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a or "anonymous" for a in ACCOUNTS])
async def test_resident_inputs_never_leak_to_another_resident(graphql, token_for, world, account):
    token = await token_for(account) if account else None
    who = Who.of(world, account)
    expected = who.visible_inputs(world)
    for input_id in world.inputs:
        body = await graphql(
            "query($id: ID!) { node(id: $id) { ... on ResidentInput { id mine } } }",
            {"id": encode("ResidentInput", input_id)},
            token=token,
        )
        node = body["data"]["node"]
        assert (node is not None) == (input_id in expected), (account, input_id)
        if node is not None:
            assert node["mine"] == (world.inputs[input_id]["author"] == who.account_id and who.account_id is not None)
    if who.kind == ActorKind.RESIDENT:
        own = {i for i, f in world.inputs.items() if f["author"] == who.account_id}
        body = await graphql("{ viewer { inputs(first: 100) { nodes { id mine } } } }", token=token)
        nodes = body["data"]["viewer"]["inputs"]["nodes"]
        assert pks(nodes) == own and all(n["mine"] for n in nodes)


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a or "anonymous" for a in ACCOUNTS])
async def test_audit_events(graphql, token_for, world, audit_rows, account):
    token = await token_for(account) if account else None
    who = Who.of(world, account)
    async with new_session() as s:
        events = {
            r[0]: (r[1], r[2])
            for r in await s.execute(select(col(AuditEvent.id), col(AuditEvent.plan_id), col(AuditEvent.object_type)))
        }
    staff = who.staff_plans(world)
    if who.kind == ActorKind.HOUSING_ORGANISATION:
        expected = {e for e, (plan, _) in events.items() if plan in staff}
    elif who.kind == ActorKind.MUNICIPALITY:
        expected = {
            e
            for e, (plan, kind) in events.items()
            if plan in staff or (plan is None and kind not in PERSONAL_AUDIT_OBJECTS)
        }
    else:
        expected = set()
    nodes = await collect(graphql, token, "auditEvents")
    assert pks(nodes) == expected
    if who.kind in (ActorKind.HOUSING_ORGANISATION, ActorKind.MUNICIPALITY):
        assert expected, "staff see the events of their own plans"


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a or "anonymous" for a in ACCOUNTS])
async def test_annual_reports(graphql, token_for, world, account):
    token = await token_for(account) if account else None
    who = Who.of(world, account)
    staff = who.staff_plans(world)
    for plan_id in world.plans:
        body = await graphql(
            "query($id: ID!) { annualReport(planId: $id, year: 2024) { year financing { id } } }",
            {"id": encode("Plan", plan_id)},
            token=token,
        )
        assert "errors" not in body, body
        may = plan_id in staff or who.kind == ActorKind.FUND
        assert (body["data"]["annualReport"] is not None) == may, (account, plan_id)


VIEWER = """{ viewer { kind displayName residentId
  organisation { __typename ... on HousingOrganisation { name } ... on Partner { name } ... on Municipality { name } }
  residencies { until estate { name } } } }"""


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a or "anonymous" for a in ACCOUNTS])
async def test_viewer(graphql, token_for, world, account):
    body = await graphql(VIEWER, token=await token_for(account) if account else None)
    viewer = body["data"]["viewer"]
    if account is None:
        assert viewer is None
        return
    a = world.accounts[account]
    assert viewer["kind"] == a.kind.value and viewer["displayName"] == a.display_name
    if a.kind in (ActorKind.RESIDENT, ActorKind.FUND):
        assert viewer["organisation"] is None
    else:
        assert viewer["organisation"]["name"] == world.org_names[account]
    assert {r["estate"]["name"] for r in viewer["residencies"]} == world.residencies.get(a.id, set())
    assert (viewer["residentId"] is not None) == (a.kind == ActorKind.RESIDENT)
    if account == "beboer-ny":
        assert viewer["residencies"] == []
    if account in ("beboer-tingbjerg", "beboer-urbanplanen"):
        assert len(viewer["residencies"]) == 1


PUBLIC_LISTS = """{
  partners(first: 100) { totalCount nodes { id name } }
  housingOrganisations(first: 100) { totalCount nodes { id name cvr } }
  urbanAreas(first: 100) { totalCount nodes { id name } }
  boards(first: 100) { totalCount nodes { id name } }
  fundingGenerations { id name focusAreas { id } }
  municipalities { id name }
}"""


async def test_public_lists_are_the_same_for_everyone(graphql, token_for):
    anonymous = await graphql(PUBLIC_LISTS)
    assert "errors" not in anonymous
    for key in ("partners", "housingOrganisations", "urbanAreas", "boards"):
        assert anonymous["data"][key]["totalCount"] > 0, key
    for account in ACCOUNTS[1:]:
        assert await graphql(PUBLIC_LISTS, token=await token_for(account)) == anonymous, account


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a or "anonymous" for a in ACCOUNTS])
async def test_follow_up_groups_of_readable_plans(graphql, token_for, world, account):
    token = await token_for(account) if account else None
    who = Who.of(world, account)
    nodes = await collect(graphql, token, "followUpGroups", "id plan { id }")
    plans = {decode(n["plan"]["id"])[1] for n in nodes}
    assert plans <= who.readable_plans(world)
    async with new_session() as s:
        groups = {r[0]: r[1] for r in await s.execute(select(col(FollowUpGroup.id), col(FollowUpGroup.plan_id)))}
    assert pks(nodes) == {g for g, p in groups.items() if p in who.readable_plans(world)}
