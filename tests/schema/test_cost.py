"""The cost limit: every operation's cost is computed before it runs, and a costly one is refused
before any SQL (issue 10, section 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import get_introspection_query, parse

from frontend.operations import documents
from schema import limits
from schema.api import execute, schema
from schema.cost import query_cost
from schema.engine_internals import graphql_schema
from tests.schema.test_n_plus_one import recorded_statements

ROOT = Path(__file__).resolve().parents[2]
# Who runs each file of portal operations: staff and partner pages run as staff, all others as visitors
# or residents (the anonymous limit).
STAFF_FILES = {"staff.graphql", "partner.graphql", "decisions.graphql"}

X = (
    "activities(first:100){nodes{plan{activities(first:100){nodes{plan{activities(first:100){nodes{"
    "occurrences(first:100){id startsAt}}}}}}}}}"
)
REPRODUCTION = "{ " + " ".join(f"a{i}:{X}" for i in range(30)) + " }"


def cost(document: str, variables: dict | None = None, operation_name: str | None = None) -> int:
    return query_cost(graphql_schema(schema), parse(document), operation_name, variables)


def _portal_operations():
    for path in sorted((ROOT / "frontend" / "operations").glob("*.graphql")):
        names = [
            d.name.value
            for d in parse(path.read_text(encoding="utf-8")).definitions
            if getattr(d, "operation", None) is not None
        ]
        for name in names:
            yield path.name, name


@pytest.mark.parametrize(("file", "name"), list(_portal_operations()))
def test_every_portal_operation_fits_under_the_limit_of_who_runs_it(file, name):
    limit = limits.STAFF_COST_LIMIT if file in STAFF_FILES else limits.ANONYMOUS_COST_LIMIT
    # A page size given as a variable is counted at its largest.
    assert cost(documents()[name], {"first": limits.MAX_PAGE_SIZE}, name) <= limit


@pytest.mark.parametrize(
    ("query_file", "limit"),
    [
        ("s1.portal.graphql", limits.ANONYMOUS_COST_LIMIT),  # S1 is anonymous
        ("s2.portal.graphql", limits.STAFF_COST_LIMIT),  # S2 runs as municipality staff
    ],
)
def test_the_benchmark_queries_fit_under_their_limit(query_file, limit):
    assert cost((ROOT / "bench" / "queries" / query_file).read_text(encoding="utf-8")) <= limit


def test_cost_counts_objects_and_multiplies_by_page_size():
    # A connection costs 1; its 7 nodes 1 each, and each node's plan 1; scalars are free.
    assert cost("{ activities(first: 7) { totalCount nodes { id title plan { name } } } }") == 1 + 7 * (1 + 1)
    # edges { node } counts the edge and the node.
    assert cost("{ activities(first: 3) { edges { cursor node { id } } } }") == 1 + 3 * (1 + 1)
    # Without `first`, the default page size; Activity.occurrences defaults to its own maximum.
    assert cost("{ activities { nodes { id } } }") == 1 + limits.DEFAULT_PAGE_SIZE
    assert cost("{ activities(first: 1) { nodes { occurrences { id } } } }") == 1 + 1 * (1 + limits.MAX_OCCURRENCES)
    # A list the API does not page counts as UNPAGED_LIST_SIZE items.
    assert cost("{ activities(first: 2) { nodes { partners { role } } } }") == 1 + 2 * (1 + limits.UNPAGED_LIST_SIZE)
    # A variable for `first` is read from the variables (and its default when not given).
    query = "query($n: Int = 4) { activities(first: $n) { nodes { id } } }"
    assert cost(query, {"n": 9}) == 1 + 9
    assert cost(query, {}) == 1 + 4
    # Fragments count like the fields they hold; a fragment spread twice counts once; introspection is free.
    assert cost(
        "query { activities(first: 5) { nodes { ...A ...A } } } fragment A on Activity { plan { id } }"
    ) == 1 + 5 * (1 + 1)
    assert cost(get_introspection_query()) == 0


def test_the_reproduction_is_far_over_every_limit():
    assert cost(REPRODUCTION) > 1000 * limits.STAFF_COST_LIMIT


async def test_the_reproduction_is_refused_before_any_sql(client):
    with recorded_statements() as statements:
        response = await client.post("/graphql", json={"query": REPRODUCTION})
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["limit"] == limits.ANONYMOUS_COST_LIMIT
    assert error["extensions"]["cost"] == cost(REPRODUCTION)
    assert f"{cost(REPRODUCTION):,}" in error["message"] and f"{limits.ANONYMOUS_COST_LIMIT:,}" in error["message"]
    assert statements == []


async def test_a_costly_query_over_graphql_response_json_is_a_request_error(client):
    response = await client.post(
        "/graphql", json={"query": REPRODUCTION}, headers={"Accept": "application/graphql-response+json"}
    )
    assert response.status_code == 400
    assert "data" not in response.json()


# 1 + 20 * (1 + 1 + 100 * (1 + 10)) = 22,041: over the anonymous limit, within the staff limit.
STAFF_SIZED = "{ plans(first: 20) { nodes { activities(first: 100) { nodes { id partners { role } } } } } }"


async def test_staff_may_ask_for_more_than_visitors(actor):
    assert limits.ANONYMOUS_COST_LIMIT < cost(STAFF_SIZED) <= limits.STAFF_COST_LIMIT
    anonymous = await execute(STAFF_SIZED)
    assert anonymous.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
    resident = await execute(STAFF_SIZED, actor=await actor("beboer-tingbjerg"))
    assert resident.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
    staff = await execute(STAFF_SIZED, actor=await actor("kommune-tmf"))
    assert staff.errors is None


async def test_a_page_size_given_as_a_variable_counts():
    query = (
        "query($n: Int) { plans(first: $n) { nodes { activities(first: $n) { nodes { "
        "occurrences(first: $n) { id } } } } } }"
    )
    small = await execute(query, {"n": 5})
    assert small.errors is None
    large = await execute(query, {"n": 100})
    assert large.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"


async def test_introspection_still_works_without_signing_in(client):
    response = await client.post("/graphql", json={"query": get_introspection_query()})
    body = response.json()
    assert "errors" not in body, body.get("errors")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_the_cost_is_computed_once_per_document_and_page_sizes(monkeypatch):
    from schema import extensions

    calls = []
    original = extensions.query_cost
    monkeypatch.setattr(extensions, "query_cost", lambda *args: calls.append(args) or original(*args))
    query = "query Once($n: Int, $q: String) { activities(first: $n, filter: {search: $q}) { nodes { id } } }"
    for search in ("a", "b", "c"):
        assert (await execute(query, {"n": 3, "q": search})).errors is None
    assert len(calls) == 1  # the search text does not change the cost: computed once
    assert (await execute(query, {"n": 4, "q": "a"})).errors is None
    assert len(calls) == 2


def test_the_hostile_benchmark_query_is_close_to_the_anonymous_limit():
    hostile = cost((ROOT / "bench" / "queries" / "s5.hostile.graphql").read_text(encoding="utf-8"))
    assert 0.9 * limits.ANONYMOUS_COST_LIMIT <= hostile <= limits.ANONYMOUS_COST_LIMIT
