"""`orderBy: {field: NAME, direction: ASC|DESC}`: Danish order (Æ, Ø, Å after Z) on both databases,
keyset cursors on (name, id) that stay stable, cursors of one order refused in another, and the
statement count of ordered nested lists independent of the rows."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col

from backend.collation import danish_sort_key
from backend.db import session_scope
from backend.models import Activity, FocusArea, Partner, PartnerKind, Plan, PlanStatus, UrbanArea, Visibility, pk
from schema.api import execute
from tests.schema.test_n_plus_one import recorded_statements

# Names a byte or case-folding order puts in other places: Æ, Ø, Å after Z; case and accents ignored.
NAMES = ["Åbo", "Zebra", "abe", "Østerbro", "Ærø", "Émile", "Aarhus", "Bøgen", "Abe"]
DANISH = ["Abe", "abe", "Bøgen", "Émile", "Zebra", "Ærø", "Østerbro", "Åbo", "Aarhus"]

PARTNERS = """query($first: Int, $after: String, $order: NameOrder) {
  partners(first: $first, after: $after, orderBy: $order) {
    totalCount nodes { id name } edges { cursor } pageInfo { hasNextPage endCursor } } }"""


async def _errors(query: str, variables: dict | None = None):
    result = await execute(query, variables)
    return result.errors or []


@pytest.fixture(scope="module")
async def tag():
    """Partners named NAMES (with a tag, so other tests' rows do not interleave)."""
    tag = uuid.uuid4().hex[:6]
    async with session_scope() as session:
        for name in NAMES:
            session.add(Partner(name=f"{name} {tag}", kind=PartnerKind.ASSOCIATION))
    return tag


async def _walk(run, query: str, path, variables: dict, first: int) -> list[dict]:
    """Every node of a connection, page by page with `after`."""
    seen, after = [], None
    while True:
        data = await run(query, {**variables, "first": first, "after": after})
        for key in path:
            data = data[key]
        seen += data["nodes"]
        assert data["pageInfo"]["endCursor"] == (data["edges"][-1]["cursor"] if data["edges"] else None)
        if not data["pageInfo"]["hasNextPage"]:
            return seen
        after = data["pageInfo"]["endCursor"]


def test_the_python_key_puts_ae_oe_aa_after_z():
    assert sorted(NAMES, key=danish_sort_key) == DANISH


async def test_name_order_is_danish_on_the_database(run, tag):
    for direction, expected in (("ASC", DANISH), ("DESC", DANISH[::-1])):
        nodes = (await run(PARTNERS, {"first": 100, "order": {"field": "NAME", "direction": direction}}))["partners"][
            "nodes"
        ]
        ours = [n["name"].removesuffix(f" {tag}") for n in nodes if n["name"].endswith(f" {tag}")]
        assert ours == expected
        names = [n["name"] for n in nodes]
        keys = [danish_sort_key(n).partition("\x00")[0] for n in names]
        assert keys == sorted(keys, reverse=direction == "DESC")


async def test_paging_by_name_visits_every_row_once_in_the_same_order(run, tag):
    for direction in ("ASC", "DESC"):
        order = {"field": "NAME", "direction": direction}
        whole = (await run(PARTNERS, {"first": 100, "order": order}))["partners"]
        paged = await _walk(run, PARTNERS, ["partners"], {"order": order}, first=2)
        assert [n["id"] for n in paged] == [n["id"] for n in whole["nodes"]]
        assert len({n["id"] for n in paged}) == len(paged) == whole["totalCount"]


async def test_a_row_added_behind_the_cursor_is_not_seen_and_none_twice(run, tag):
    order = {"field": "NAME", "direction": "ASC"}
    first = (await run(PARTNERS, {"first": 3, "order": order}))["partners"]
    async with session_scope() as session:
        session.add(Partner(name="  Aaa first of all", kind=PartnerKind.ASSOCIATION))  # sorts before the cursor
    rest = (await run(PARTNERS, {"first": 100, "after": first["pageInfo"]["endCursor"], "order": order}))["partners"][
        "nodes"
    ]
    ids = [n["id"] for n in first["nodes"]] + [n["id"] for n in rest]
    assert len(ids) == len(set(ids))
    assert "  Aaa first of all" not in [n["name"] for n in rest]


async def test_a_cursor_of_one_order_is_refused_in_another(run, tag):
    by_id = (await run(PARTNERS, {"first": 2}))["partners"]["pageInfo"]["endCursor"]
    asc = (await run(PARTNERS, {"first": 2, "order": {"field": "NAME"}}))["partners"]["pageInfo"]["endCursor"]
    cases = [
        (by_id, {"field": "NAME", "direction": "ASC"}),
        (asc, None),
        (asc, {"field": "NAME", "direction": "DESC"}),
    ]
    for cursor, order in cases:
        errors = await _errors(PARTNERS, {"first": 2, "after": cursor, "order": order})
        assert [e.extensions["code"] for e in errors] == ["BAD_CURSOR"], (cursor, order)
        assert "orderBy" in errors[0].message
    # A nested list refuses it the same way.
    errors = await _errors(
        "query($a: String) { urbanAreas(first: 1) { nodes { plans(after: $a, orderBy: {field: NAME}) "
        "{ nodes { id } } } } }",
        {"a": by_id},
    )
    assert [e.extensions["code"] for e in errors] == ["BAD_CURSOR"]


async def test_primary_key_order_stays_the_default(run, tag):
    nodes = (await run(PARTNERS, {"first": 100}))["partners"]["nodes"]
    from schema.ids import decode

    pks = [decode(n["id"], "Partner")[1] for n in nodes]
    assert pks == sorted(pks)


ROOTS = ["urbanAreas", "housingOrganisations", "boards", "plans"]


async def test_every_named_root_list_orders_by_name(run):
    for field in ROOTS:
        nodes = (await run(f"{{ {field}(first: 100, orderBy: {{field: NAME}}) {{ nodes {{ name }} }} }}"))[field][
            "nodes"
        ]
        names = [n["name"] for n in nodes]
        assert [danish_sort_key(n).partition("\x00")[0] for n in names] == sorted(
            danish_sort_key(n).partition("\x00")[0] for n in names
        ), field
    titles = [
        n["title"]
        for n in (await run("{ activities(first: 100, orderBy: {field: NAME, direction: DESC}) { nodes { title } } }"))[
            "activities"
        ]["nodes"]
    ]
    keys = [danish_sort_key(t).partition("\x00")[0] for t in titles]
    assert keys == sorted(keys, reverse=True)


NESTED = """query($first: Int, $after: String, $plan: ID!) { plan(id: $plan) {
  activities(first: $first, after: $after, orderBy: {field: NAME, direction: DESC}) {
    nodes { id title } edges { cursor } pageInfo { hasNextPage endCursor } } } }"""

DEEP_ORDERED = """{ urbanAreas(first: 50, orderBy: {field: NAME}) { nodes { name
    plans(first: 20, orderBy: {field: NAME, direction: DESC}) { totalCount nodes { name
      activities(first: 20, orderBy: {field: NAME}) { totalCount nodes { title
        partners { partner { name
          activities(first: 3, orderBy: {field: NAME}) { totalCount nodes { title } } } } } } } } } }
  plans(first: 50, orderBy: {field: NAME}) { nodes { name activities(first: 5) { nodes { title } } } } }"""


async def test_nested_paging_by_name_visits_every_row_once(run):
    async with session_scope() as session:
        plan_id = (
            (
                await session.execute(
                    select(Activity.plan_id)
                    .where(Activity.visibility == Visibility.PUBLIC)
                    .group_by(Activity.plan_id)
                    .order_by(Activity.plan_id)
                )
            )
            .scalars()
            .first()
        )
    from schema.ids import encode

    plan = encode("Plan", plan_id)
    whole = (await run(NESTED, {"plan": plan, "first": 100}))["plan"]["activities"]["nodes"]
    paged = await _walk(run, NESTED, ["plan", "activities"], {"plan": plan}, first=2)
    assert len(whole) > 2
    assert [n["id"] for n in paged] == [n["id"] for n in whole]
    keys = [danish_sort_key(n["title"]).partition("\x00")[0] for n in whole]
    assert keys == sorted(keys, reverse=True)


async def _add_plan_with_activities() -> None:
    tag = uuid.uuid4().hex[:6]
    async with session_scope() as session:
        template = (
            (await session.execute(select(Plan).where(col(Plan.status) == PlanStatus.ACTIVE).order_by(col(Plan.id))))
            .scalars()
            .first()
        )
        assert template is not None
        focus = (
            (await session.execute(select(FocusArea).where(col(FocusArea.generation_id) == template.generation_id)))
            .scalars()
            .first()
        )
        area = (await session.execute(select(UrbanArea).order_by(col(UrbanArea.id)))).scalars().first()
        assert focus is not None and area is not None
        plan = Plan(
            name=f"Ørestad {tag}",
            status=PlanStatus.ACTIVE,
            start_date=date(2025, 1, 1),
            end_date=date(2028, 12, 31),
            generation_id=template.generation_id,
            urban_area_id=pk(area),
            board_id=template.board_id,
            lead_organisation_id=template.lead_organisation_id,
        )
        session.add(plan)
        await session.flush()
        for title in ("Åben café", "Zumba", "Ældrekaffe", "Lektiecafé"):
            session.add(
                Activity(
                    plan_id=pk(plan), focus_area_id=pk(focus), title=f"{title} {tag}", visibility=Visibility.PUBLIC
                )
            )


@pytest.mark.usefixtures("without_cost_limit")
async def test_ordered_nested_lists_take_a_statement_count_independent_of_the_rows(actor):
    staff = await actor("kommune-tmf")

    async def count():
        with recorded_statements() as statements:
            result = await execute(DEEP_ORDERED, actor=staff)
        assert result.errors is None, [e.message for e in result.errors]
        return len(statements), result.data

    before, data_before = await count()
    await _add_plan_with_activities()
    after, data_after = await count()
    assert len(data_after["plans"]["nodes"]) > len(data_before["plans"]["nodes"])
    assert after <= before, (before, after)
    for area in data_after["urbanAreas"]["nodes"]:
        names = [p["name"] for p in area["plans"]["nodes"]]
        assert [danish_sort_key(n) for n in names] == sorted((danish_sort_key(n) for n in names), reverse=True)
        for plan in area["plans"]["nodes"]:
            titles = [a["title"] for a in plan["activities"]["nodes"]]
            keys = [danish_sort_key(t).partition("\x00")[0] for t in titles]
            assert keys == sorted(keys), titles


async def test_a_nested_page_fetches_only_its_rows(run, monkeypatch):
    """The window numbers rows per parent, so a page of 1 builds at most 2 rows per parent (it built
    every row of every parent while the window's PARTITION BY named all columns)."""
    import schema.connections as connections

    built = []
    real_build = connections.build
    monkeypatch.setattr(connections, "build", lambda type_cls, row: built.append(row) or real_build(type_cls, row))
    data = await run("{ plans(first: 100) { nodes { activities(first: 1) { totalCount nodes { id } } } } }")
    totals = [p["activities"]["totalCount"] for p in data["plans"]["nodes"]]
    assert sum(totals) > 2 * len(totals)  # more rows than pages of one hold
    assert len(built) <= len(data["plans"]["nodes"]) * 2 + len(data["plans"]["nodes"]), len(built)
