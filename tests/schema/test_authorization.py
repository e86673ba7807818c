"""Who sees what: forbidden objects look exactly like absent ones (null, left out, empty)."""

from __future__ import annotations

from sqlalchemy import select

from backend.db import session_scope
from backend.models import Activity, Plan, PlanStatus, Visibility
from schema.ids import encode

# Within the anonymous cost limit (schema/limits.py); the demo has fewer plans, activities and inputs.
# Within the anonymous cost limit (schema/limits.py): 2,541.
PLANS = """{ plans(first: 10) { totalCount nodes { id name status
    emergencyPlan { title } financing { year party sharePercent }
    strategicAgreement { title } subAgreements { title }
    activities(first: 20) { totalCount nodes { id visibility progressNotes { totalCount }
        occurrences(first: 3) { participantCount } } }
    followUpGroups { inputs(first: 10) { totalCount } publishedInputs(first: 10) { nodes { title mine } } } } } }"""

ACTIVITIES = "{ activities(first: 100) { totalCount nodes { id title visibility } } }"


async def _ids(model, *where):
    async with session_scope() as session:
        return [r[0] for r in (await session.execute(select(model.id).where(*where).order_by(model.id))).all()]


async def test_anonymous_sees_only_public_things(run):
    data = await run(PLANS)
    plans = data["plans"]["nodes"]
    assert plans and len(plans) == data["plans"]["totalCount"], "the demo has public plans, all on one page"
    assert all(p["status"] not in ("PREQUALIFIED", "IN_DIALOGUE") for p in plans)
    for p in plans:
        assert p["emergencyPlan"] is None
        assert p["financing"] == []
        assert p["strategicAgreement"] is not None
        for a in p["activities"]["nodes"]:
            assert a["visibility"] == "PUBLIC"
            assert a["progressNotes"]["totalCount"] == 0
            assert all(o["participantCount"] is None for o in a["occurrences"])
        for g in p["followUpGroups"]:
            assert g["inputs"]["totalCount"] == 0
            assert all(i["mine"] is False for i in g["publishedInputs"]["nodes"])
    published = [i for p in plans for g in p["followUpGroups"] for i in g["publishedInputs"]["nodes"]]
    assert published, "the demo has published inputs"
    activities = (await run(ACTIVITIES))["activities"]["nodes"]
    assert activities and all(a["visibility"] == "PUBLIC" for a in activities)
    assert (await run("{ viewer { kind } }"))["viewer"] is None
    assert (await run("{ auditEvents { totalCount nodes { action } } }"))["auditEvents"]["totalCount"] == 0


async def test_hidden_plan_is_null_by_id_and_node_like_an_absent_one(run):
    hidden = await _ids(Plan, Plan.status.in_([PlanStatus.PREQUALIFIED, PlanStatus.IN_DIALOGUE]))
    assert hidden, "the demo has a plan that is not public yet"
    gid = encode("Plan", hidden[0])
    absent = encode("Plan", 10_000_000)
    query = "query($id: ID!) { plan(id: $id) { name } node(id: $id) { id } }"
    assert await run(query, {"id": gid}) == {"plan": None, "node": None}
    assert await run(query, {"id": absent}) == {"plan": None, "node": None}


async def test_internal_activity_is_hidden_from_anonymous_and_unrelated_partners(run, actor):
    internal = await _ids(Activity, Activity.visibility == Visibility.INTERNAL)
    assert internal
    query = "query($id: ID!) { node(id: $id) { ... on Activity { title } } }"
    gid = encode("Activity", internal[0])
    assert (await run(query, {"id": gid}))["node"] is None
    assert (await run(query, {"id": gid}, await actor("partner-bibliotek")))["node"] is None
    # The SSP partner takes part in the internal activities.
    assert (await run(query, {"id": gid}, await actor("partner-ssp")))["node"]["title"]


async def test_housing_staff_see_their_plans_internals(run, actor):
    fsb = await actor("fsb-medarbejder")
    data = await run(PLANS, actor=fsb)
    own = [p for p in data["plans"]["nodes"] if int(_pk(p["id"])) in fsb.plan_ids]
    assert own
    assert any(p["emergencyPlan"] for p in own)
    assert any(p["financing"] for p in own)
    assert any(a["visibility"] == "INTERNAL" for p in own for a in p["activities"]["nodes"])
    assert any(
        o["participantCount"] is not None for p in own for a in p["activities"]["nodes"] for o in a["occurrences"]
    )
    others = [p for p in data["plans"]["nodes"] if int(_pk(p["id"])) not in fsb.plan_ids]
    assert others and all(p["emergencyPlan"] is None and p["financing"] == [] for p in others)
    # Staff see all inputs of their plans' groups, unpublished ones included.
    total_inputs = sum(g["inputs"]["totalCount"] for p in own for g in p["followUpGroups"])
    assert total_inputs > sum(len(g["publishedInputs"]["nodes"]) for p in own for g in p["followUpGroups"])


async def test_fund_sees_financing_but_no_emergency_plans_or_inputs(run, actor):
    data = await run(PLANS, actor=await actor("lbf-tilsyn"))
    plans = data["plans"]["nodes"]
    assert all(p["financing"] for p in plans if p["status"] == "ACTIVE")
    assert all(p["emergencyPlan"] is None for p in plans)
    assert all(g["inputs"]["totalCount"] == 0 for p in plans for g in p["followUpGroups"])


async def test_municipality_staff_see_plans_before_they_are_public(run, actor):
    anonymous = (await run("{ plans { totalCount } }"))["plans"]["totalCount"]
    municipality = (await run("{ plans { totalCount } }", actor=await actor("kommune-tmf")))["plans"]["totalCount"]
    assert municipality > anonymous


async def test_viewer_of_a_resident_shows_their_residencies_and_own_inputs(run, actor):
    data = await run(
        "{ viewer { kind displayName organisation { __typename } residencies { since estate { name } }"
        " inputs { totalCount nodes { title mine } } } }",
        actor=await actor("beboer-tingbjerg"),
    )
    viewer = data["viewer"]
    assert viewer["kind"] == "RESIDENT" and viewer["organisation"] is None
    assert viewer["residencies"] and viewer["residencies"][0]["estate"]["name"]
    assert viewer["inputs"]["totalCount"] >= 1 and all(i["mine"] for i in viewer["inputs"]["nodes"])


async def test_viewer_of_staff_names_their_organisation(run, actor):
    data = await run(
        "{ viewer { kind organisation { __typename ... on HousingOrganisation { name } } residencies { since } } }",
        actor=await actor("fsb-medarbejder"),
    )
    assert data["viewer"]["kind"] == "HOUSING_ORGANISATION"
    assert data["viewer"]["organisation"] == {"__typename": "HousingOrganisation", "name": "fsb"}
    assert data["viewer"]["residencies"] == []


async def test_residency_node_is_personal(run, actor):
    from backend.models import Account, Residency

    async with session_scope() as session:
        ids = [
            r[0]
            for r in (
                await session.execute(
                    select(Residency.id)
                    .join(Account, Account.id == Residency.account_id)
                    .where(Account.subject == "beboer-tingbjerg")
                )
            ).all()
        ]
    query = "query($id: ID!) { node(id: $id) { ... on Residency { since } } }"
    gid = encode("Residency", ids[0])
    assert (await run(query, {"id": gid}))["node"] is None
    assert (await run(query, {"id": gid}, await actor("beboer-urbanplanen")))["node"] is None
    assert (await run(query, {"id": gid}, await actor("beboer-tingbjerg")))["node"] is not None


def _pk(global_id: str) -> int:
    from schema.ids import decode

    return decode(global_id)[1]


async def test_node_of_restricted_objects_is_null_unless_allowed(run, actor):
    from backend.models import Agreement, AgreementKind, Financing, ResidentInput

    fsb = await actor("fsb-medarbejder")
    own_plans = sorted(fsb.plan_ids)
    cases = [
        (
            "Agreement",
            await _ids(Agreement, Agreement.kind == AgreementKind.EMERGENCY_PLAN, Agreement.plan_id.in_(own_plans)),
        ),
        ("Financing", await _ids(Financing, Financing.plan_id.in_(own_plans))),
        (
            "ResidentInput",
            await _ids(
                ResidentInput,
                ResidentInput.published.is_(False),
                ResidentInput.group_id.in_(await _group_ids(own_plans)),
            ),
        ),
    ]
    query = "query($id: ID!) { node(id: $id) { id __typename } }"
    for type_name, ids in cases:
        assert ids, type_name
        gid = encode(type_name, ids[0])
        assert (await run(query, {"id": gid}))["node"] is None, type_name
        assert (await run(query, {"id": gid}, await actor("partner-bibliotek")))["node"] is None, type_name
        assert (await run(query, {"id": gid}, fsb))["node"] == {"id": gid, "__typename": type_name}


async def _group_ids(plan_ids):
    from backend.models import FollowUpGroup

    return await _ids(FollowUpGroup, FollowUpGroup.plan_id.in_(plan_ids))
