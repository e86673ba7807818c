"""Issue 11 §7: example operations for the common staff tasks, validated against the schema, within
the staff cost limit, one click from GraphiQL with the signed-in staff member's own rights."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
from graphql import OperationDefinitionNode, parse, validate

from frontend.pages.staff import EXAMPLE_TITLES
from schema import limits
from schema.api import schema
from schema.cost import query_cost
from schema.engine_internals import graphql_schema
from schema.examples import examples
from tests.frontend.html import soup_of


def test_there_are_examples_and_each_has_a_title():
    assert len(examples()) >= 5
    assert {e.key for e in examples()} == set(EXAMPLE_TITLES)


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.name)
def test_each_example_is_valid_and_fits_the_staff_cost_limit(example):
    document = parse(example.text)
    assert validate(graphql_schema(schema), document) == []
    assert example.description, "each file says what it does in its leading comments"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert operations and all(op.name for op in operations), "named operations"
    declared = {v.variable.name.value for op in operations for v in op.variable_definitions or ()}
    variables = json.loads(example.variables) if example.variables else {}
    assert set(variables) <= declared
    for op in operations:
        cost = query_cost(graphql_schema(schema), document, op.name.value, variables)
        assert cost <= limits.STAFF_COST_LIMIT, (op.name.value, cost)


async def test_the_examples_run_with_the_staff_members_rights():
    """The read examples answer for staff without errors (the writes are validated above)."""
    from schema.api import execute
    from tests.schema.conftest import demo_actor

    staff = await demo_actor("fsb-medarbejder")
    for example in examples():
        document = parse(example.text)
        for op in document.definitions:
            if op.operation.value == "query":
                result = await execute(example.text, None, actor=staff, operation_name=op.name.value)
                assert result.errors is None, (example.name, result.errors)


async def test_the_page_links_each_example_into_graphiql(client, sign_in_as):
    for who in ("fsb-medarbejder", "kommune-tmf", "partner-bibliotek", "lbf-tilsyn"):
        response = await client.get("/medarbejder/graphql-eksempler", cookies=await sign_in_as(who))
        assert response.status_code == 200, who
    soup = soup_of(response)
    links = [a["href"] for a in soup.select("main a[href^='/graphql#']")]
    assert len(links) == len(examples())
    for href, example in zip(links, examples(), strict=True):
        params = parse_qs(urlparse(href).fragment)
        assert params["query"] == [example.text]
        assert params.get("variables", [None]) == [example.variables]
    assert (
        await client.get("/medarbejder/graphql-eksempler", cookies=await sign_in_as("beboer-tingbjerg"))
    ).status_code == 404
    assert (await client.get("/medarbejder/graphql-eksempler")).status_code == 303


async def test_graphiql_uses_the_session_cookie(client, sign_in_as):
    """The GraphiQL page's requests carry the browser's cookie: a signed-in staff member's POST to
    /graphql without a token gets their rights (the inbox), a visitor's gets none."""
    query = {"query": "{ inputInbox(first: 1) { totalCount } viewer { kind } }"}
    staff = await sign_in_as("fsb-medarbejder")
    answer = (await client.post("/graphql", json=query, cookies=staff)).json()
    assert answer["data"]["viewer"]["kind"] == "HOUSING_ORGANISATION"
    assert answer["data"]["inputInbox"]["totalCount"] > 0
    anonymous = (await client.post("/graphql", json=query)).json()
    assert anonymous["data"] == {"inputInbox": {"totalCount": 0}, "viewer": None}
    page = await client.get("/graphql", headers={"Accept": "text/html"}, cookies=staff)
    assert page.status_code == 200 and "/static/graphiql-start.js" in page.text
