"""Node ids resolved directly: the same global ids as the strawberry resolver, round-tripping through node()."""

from __future__ import annotations

from graphql import GraphQLObjectType

from schema import ids
from schema.api import execute, schema
from schema.engine_internals import graphql_schema
from schema.fast_fields import _node_id


def test_every_node_type_resolves_its_id_directly():
    nodes = [
        t
        for t in graphql_schema(schema).type_map.values()
        if isinstance(t, GraphQLObjectType) and any(i.name == "Node" for i in t.interfaces)
    ]
    assert len(nodes) > 15
    assert all(t.fields["id"].resolve is _node_id for t in nodes)


async def test_ids_are_the_global_ids_and_find_their_objects():
    data = (await execute("{ partners(first: 3) { nodes { id name } } plans(first: 2) { nodes { id name } } }")).data
    for kind, items in (("Partner", data["partners"]["nodes"]), ("Plan", data["plans"]["nodes"])):
        assert items
        for item in items:
            type_name, pk = ids.decode(item["id"], kind)
            assert type_name == kind and ids.encode(kind, pk) == item["id"]
            found = (
                await execute(
                    "query($id: ID!) { node(id: $id) { id ... on Partner { name } ... on Plan { name } } }",
                    {"id": item["id"]},
                )
            ).data["node"]
            assert found == {"id": item["id"], "name": item["name"]}
