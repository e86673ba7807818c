"""Bad input to the API gets a clear GraphQL error over HTTP, never a server error."""

from __future__ import annotations

import pytest

from schema import limits
from schema.ids import encode


def _messages(body: dict) -> str:
    assert body.get("errors"), body
    return " | ".join(e["message"] for e in body["errors"])


async def test_unknown_id_is_null(graphql):
    gid = encode("Plan", 987654321)
    body = await graphql("query($id: ID!) { plan(id: $id) { name } node(id: $id) { id } }", {"id": gid})
    assert body == {"data": {"plan": None, "node": None}}


@pytest.mark.parametrize("bad", ["not-an-id", "UGxhbjo=", "%%%", "", "UGxhbjphYmM="])  # "Plan:" and "Plan:abc"
async def test_malformed_global_id_is_a_clear_error(graphql, bad):
    body = await graphql("query($id: ID!) { node(id: $id) { id } }", {"id": bad})
    assert "not a global id" in _messages(body)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"
    assert body["data"] == {"node": None}


async def test_id_of_the_wrong_type_is_a_clear_error(graphql):
    body = await graphql("query($id: ID!) { plan(id: $id) { name } }", {"id": encode("Activity", 1)})
    assert "expected an id of Plan, got Activity" in _messages(body)
    body = await graphql("query($id: ID!) { node(id: $id) { id } }", {"id": encode("Nonsense", 1)})
    assert "expected an id of" in _messages(body)


async def test_bad_id_in_a_filter_is_a_clear_error(graphql):
    body = await graphql('{ activities(filter: {urbanAreaId: "nope"}) { totalCount } }')
    assert "not a global id" in _messages(body)


async def test_too_deep_query_is_refused(graphql):
    inner = "id"
    for _ in range(limits.MAX_DEPTH):
        inner = f"plan {{ activities(first: 1) {{ nodes {{ {inner} }} }} }}"
    body = await graphql(f"{{ activities(first: 1) {{ nodes {{ {inner} }} }} }}")
    assert f"too deep: fields may be nested at most {limits.MAX_DEPTH} levels" in _messages(body)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert body.get("data") is None


async def test_too_many_aliases_are_refused(graphql):
    fields = " ".join(f"a{i}: __typename" for i in range(limits.MAX_ALIASES + 1))
    body = await graphql(f"{{ {fields} }}")
    assert f"uses {limits.MAX_ALIASES + 1} aliases; at most {limits.MAX_ALIASES} are allowed" in _messages(body)
    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"


async def test_too_many_tokens_are_refused(graphql):
    fields = " ".join("__typename" for _ in range(limits.MAX_TOKENS + 1))
    body = await graphql(f"{{ {fields} }}")
    assert f"too large: at most {limits.MAX_TOKENS} tokens are allowed" in _messages(body)
    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY_TOKENS"


async def test_a_deep_enough_query_still_runs(graphql):
    inner = "id"
    for _ in range(2):
        inner = f"plan {{ activities(first: 1) {{ nodes {{ {inner} }} }} }}"
    body = await graphql(f"{{ activities(first: 1) {{ nodes {{ {inner} }} }} }}")
    assert "errors" not in body, body


@pytest.mark.parametrize("field", ["plans", "activities", "partners", "urbanAreas", "followUpGroups"])
async def test_page_size_over_the_cap_is_a_clear_error(graphql, field):
    body = await graphql(f"{{ {field}(first: {limits.MAX_PAGE_SIZE + 1}) {{ totalCount }} }}")
    assert f"at most {limits.MAX_PAGE_SIZE}" in _messages(body)
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_TOO_LARGE"


async def test_page_size_over_the_cap_on_a_nested_connection(graphql):
    body = await graphql(
        f"{{ plans(first: 1) {{ nodes {{ activities(first: {limits.MAX_PAGE_SIZE + 1}) {{ totalCount }} }} }} }}"
    )
    assert f"at most {limits.MAX_PAGE_SIZE}" in _messages(body)


async def test_negative_page_size_is_a_clear_error(graphql):
    body = await graphql("{ plans(first: -1) { totalCount } }")
    assert "must not be negative" in _messages(body)


async def test_bad_cursor_is_a_clear_error(graphql):
    body = await graphql('{ plans(after: "garbage") { totalCount } }')
    assert "Invalid cursor" in _messages(body)


async def test_wrong_argument_type_is_a_validation_error(graphql):
    body = await graphql('{ plans(first: "ten") { totalCount } }')
    assert _messages(body)
    assert body.get("data") is None


async def test_first_zero_gives_an_empty_page_with_the_total(graphql):
    body = await graphql("{ plans(first: 0) { totalCount nodes { id } pageInfo { hasNextPage } } }")
    assert body["data"]["plans"]["nodes"] == []
    assert body["data"]["plans"]["totalCount"] > 0
    assert body["data"]["plans"]["pageInfo"]["hasNextPage"] is True


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@pytest.mark.parametrize(
    "raw",
    [
        "Plan:1000000000000000000000000000000",  # beyond the database's integer range
        "Plan:2147483648",
        "Plan:\u0661",  # Arabic-Indic digit one
        "Plan:\u00b9",  # superscript one
        "Plan:01",
        "Plan:+1",
        "Plan:-1",
        "Plan: 1",
        "Plan:1 ",
        "Plan:1_0",
    ],
)
async def test_non_canonical_ids_are_invalid_id_everywhere(graphql, raw):
    gid = _b64(raw)
    body = await graphql("query($id: ID!) { node(id: $id) { id } }", {"id": gid})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID", body
    assert "not a global id" in _messages(body) and body["data"] == {"node": None}
    body = await graphql("query($id: ID!) { plan(id: $id) { name } }", {"id": gid})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID", body
    cursor = _b64(raw.replace("Plan", "cursor"))
    body = await graphql("query($after: String) { plans(after: $after) { totalCount } }", {"after": cursor})
    assert body["errors"][0]["extensions"]["code"] == "BAD_CURSOR", body


async def test_the_largest_id_is_valid_and_absent(graphql):
    body = await graphql("query($id: ID!) { node(id: $id) { id } }", {"id": _b64("Plan:2147483647")})
    assert body == {"data": {"node": None}}
