"""Connections page in a stable order with opaque cursors; the activity filter narrows as documented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from backend.db import session_scope
from backend.models import Activity, ActivityPartner, Occurrence, Plan, Visibility
from schema.ids import decode, encode

PAGE = """query($first: Int, $after: String) { activities(first: $first, after: $after) {
  totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


async def test_paging_walks_the_whole_list_once_in_primary_key_order(run):
    seen, after, pages = [], None, 0
    while True:
        conn = (await run(PAGE, {"first": 7, "after": after}))["activities"]
        assert [e["node"]["id"] for e in conn["edges"]] == [n["id"] for n in conn["nodes"]]
        assert len(conn["nodes"]) <= 7
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [n["id"] for n in conn["nodes"]]
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]
        after = conn["pageInfo"]["endCursor"]
    assert pages > 1
    assert len(seen) == len(set(seen)) == conn["totalCount"]
    pks = [decode(i, "Activity")[1] for i in seen]
    assert pks == sorted(pks)


async def test_default_page_size_is_20(run):
    conn = (await run("{ activities { nodes { id } pageInfo { hasNextPage } } }"))["activities"]
    assert len(conn["nodes"]) == 20 and conn["pageInfo"]["hasNextPage"]


async def test_nested_connection_pages_per_parent(run):
    data = await run(
        "{ plans(first: 3) { nodes { activities(first: 2) { totalCount nodes { id plan { id } } "
        "pageInfo { hasNextPage endCursor } } id } } }"
    )
    for plan in data["plans"]["nodes"]:
        conn = plan["activities"]
        assert len(conn["nodes"]) <= 2
        assert all(a["plan"]["id"] == plan["id"] for a in conn["nodes"])
        assert conn["pageInfo"]["hasNextPage"] == (conn["totalCount"] > 2)
        if conn["pageInfo"]["hasNextPage"]:
            q = "query($id: ID!, $after: String) { plan(id: $id) { activities(first: 100, after: $after) { totalCount nodes { id } } } }"
            rest = (await run(q, {"id": plan["id"], "after": conn["pageInfo"]["endCursor"]}))["plan"]["activities"]
            assert rest["totalCount"] == conn["totalCount"]
            assert len(rest["nodes"]) == conn["totalCount"] - 2


async def _first_public_activity():
    async with session_scope() as session:
        row = (
            await session.execute(
                select(
                    Activity.id,
                    Activity.plan_id,
                    Activity.focus_area_id,
                    Activity.title,
                    Activity.target_group,
                    Plan.urban_area_id,
                )
                .join(Plan, Plan.id == Activity.plan_id)
                .where(
                    Activity.visibility == Visibility.PUBLIC,
                    Plan.status == "ACTIVE",
                    Activity.target_group.is_not(None),
                )
                .order_by(Activity.id)
            )
        ).first()
        partner = (
            await session.execute(select(ActivityPartner.partner_id).where(ActivityPartner.activity_id == row.id))
        ).scalar()
        return row, partner


FILTERED = (
    "query($f: ActivityFilter) { activities(first: 100, filter: $f) { totalCount nodes { id title "
    "targetGroup status plan { id urbanArea { id } } focusArea { id } partners { partner { id } } } } }"
)


async def test_each_filter_narrows_to_matching_activities(run):
    row, partner = await _first_public_activity()
    everything = (await run(FILTERED, {"f": None}))["activities"]
    gid = encode("Activity", row.id)
    tg = row.target_group.split()[0]
    cases = {
        "urbanAreaId": (
            encode("UrbanArea", row.urban_area_id),
            lambda a: a["plan"]["urbanArea"]["id"] == encode("UrbanArea", row.urban_area_id),
        ),
        "planId": (encode("Plan", row.plan_id), lambda a: a["plan"]["id"] == encode("Plan", row.plan_id)),
        "focusAreaId": (
            encode("FocusArea", row.focus_area_id),
            lambda a: a["focusArea"]["id"] == encode("FocusArea", row.focus_area_id),
        ),
        "partnerId": (
            encode("Partner", partner),
            lambda a: encode("Partner", partner) in [p["partner"]["id"] for p in a["partners"]],
        ),
        "targetGroup": (tg, lambda a: tg.lower() in (a["targetGroup"] or "").lower()),
        "search": (row.title[:6].lower(), lambda a: True),
        "status": ("ACTIVE", lambda a: a["status"] == "ACTIVE"),
    }
    for name, (value, matches) in cases.items():
        conn = (await run(FILTERED, {"f": {name: value}}))["activities"]
        assert 0 < conn["totalCount"] <= everything["totalCount"], name
        assert all(matches(a) for a in conn["nodes"]), name
        if name != "status":
            assert gid in [a["id"] for a in conn["nodes"]], name
    narrow = (await run(FILTERED, {"f": {"planId": encode("Plan", row.plan_id), "search": row.title}}))["activities"]
    assert gid in [a["id"] for a in narrow["nodes"]] and narrow["totalCount"] < everything["totalCount"]


async def test_search_ignores_case_of_danish_letters_too(run):
    async with session_scope() as session:
        titles = (
            await session.execute(
                select(Activity.id, Activity.title)
                .join(Plan, Plan.id == Activity.plan_id)
                .where(Activity.visibility == Visibility.PUBLIC, Plan.status == "ACTIVE")
                .order_by(Activity.id)
            )
        ).all()
    found = next((row for row in titles if any(c in row.title for c in "æøåÆØÅ")), None)
    assert found is not None, "the demo data has titles with æ, ø or å"
    for text in (found.title.upper(), found.title.lower()):
        conn = (await run(FILTERED, {"f": {"search": text}}))["activities"]
        assert encode("Activity", found.id) in [a["id"] for a in conn["nodes"]], text


async def test_search_treats_wildcards_literally(run):
    conn = (await run(FILTERED, {"f": {"search": "%"}}))["activities"]
    assert all("%" in (a["title"] + "") for a in conn["nodes"])


async def test_occurrence_range_filter_uses_non_cancelled_occurrences(run):
    async with session_scope() as session:
        occ = (
            await session.execute(
                select(Occurrence.activity_id, Occurrence.starts_at, Occurrence.ends_at)
                .join(Activity, Activity.id == Occurrence.activity_id)
                .join(Plan, Plan.id == Activity.plan_id)
                .where(
                    Occurrence.cancelled.is_(False), Activity.visibility == Visibility.PUBLIC, Plan.status == "ACTIVE"
                )
                .order_by(Occurrence.starts_at.desc())
            )
        ).first()
    starts = occ.starts_at if occ.starts_at.tzinfo else occ.starts_at.replace(tzinfo=UTC)
    window = {
        "occursFrom": (starts - timedelta(minutes=1)).isoformat(),
        "occursTo": (starts + timedelta(minutes=1)).isoformat(),
    }
    conn = (await run(FILTERED, {"f": window}))["activities"]
    assert encode("Activity", occ.activity_id) in [a["id"] for a in conn["nodes"]]
    far = {"occursFrom": "2100-01-01T00:00:00Z", "occursTo": "2100-02-01T00:00:00Z"}
    assert (await run(FILTERED, {"f": far}))["activities"]["totalCount"] == 0


async def test_next_occurrences_are_soonest_first_and_limited(run):
    now = datetime.now(UTC).isoformat()
    data = await run(
        "query($from: DateTime) { activities(first: 20) { nodes { occurrences(from: $from, first: 3) { startsAt endsAt } } } }",
        {"from": now},
    )
    lists = [a["occurrences"] for a in data["activities"]["nodes"]]
    assert any(lists)
    for occurrences in lists:
        assert len(occurrences) <= 3
        starts = [o["startsAt"] for o in occurrences]
        assert starts == sorted(starts)
        assert all(datetime.fromisoformat(o["endsAt"]) > datetime.fromisoformat(now) for o in occurrences)
        assert all(o["startsAt"].endswith("+00:00") for o in occurrences)


async def all_plans(run, fields: str, plan_filter: dict | None = None) -> list[dict]:
    """Every plan the filter lets through, page by page (other tests add plans of their own)."""
    query = f"""query($f: PlanFilter, $after: String) {{ plans(first: 100, after: $after, filter: $f) {{
      totalCount nodes {{ {fields} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
    nodes, after = [], None
    while True:
        conn = (await run(query, {"f": plan_filter, "after": after}))["plans"]
        nodes += conn["nodes"]
        if not conn["pageInfo"]["hasNextPage"]:
            assert conn["totalCount"] == len(nodes)
            return nodes
        after = conn["pageInfo"]["endCursor"]


async def test_plan_filter(run):
    plans = await all_plans(run, "id status urbanArea { id } organisations { id } board { id }")
    sample = next(p for p in plans if p["board"])
    for f, expected in (
        (
            {"urbanAreaId": sample["urbanArea"]["id"]},
            [p["id"] for p in plans if p["urbanArea"]["id"] == sample["urbanArea"]["id"]],
        ),
        ({"status": "ACTIVE"}, [p["id"] for p in plans if p["status"] == "ACTIVE"]),
        (
            {"organisationId": sample["organisations"][0]["id"]},
            [p["id"] for p in plans if sample["organisations"][0]["id"] in [o["id"] for o in p["organisations"]]],
        ),
        (
            {"boardId": sample["board"]["id"]},
            [p["id"] for p in plans if p["board"] and p["board"]["id"] == sample["board"]["id"]],
        ),
    ):
        got = [n["id"] for n in await all_plans(run, "id", f)]
        assert got == expected, f
        assert 0 < len(expected) <= len(plans)
