"""The `id` of every Node, resolved by graphql-core directly rather than through strawberry's wrapper.

`Node.id` is the most frequent field of all (every object in every answer) and the cheapest to
compute, yet as a strawberry resolver each one pays for an Info object, argument parsing and the
extension chain: about a tenth of a deep query's CPU. It has no arguments, no extensions and no
access rule (an object that may be seen may show its id), so the same value is computed here from
the parent type's name and the row's primary key.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo

from schema.context import Context
from schema.engine_internals import graphql_schema
from schema.ids import encode
from schema.node import Node


def _node_id(source: Node, info: GraphQLResolveInfo[Context]) -> str:
    return encode(info.parent_type.name, source.pk)


def install(strawberry_schema: strawberry.Schema) -> int:
    """Give every object type that implements Node the direct `id` resolver; returns how many."""
    count = 0
    for graphql_type in graphql_schema(strawberry_schema).type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or "id" not in graphql_type.fields:
            continue
        if any(interface.name == "Node" for interface in graphql_type.interfaces):
            field = graphql_type.fields["id"]
            if field.args:
                continue
            field.resolve = _node_id
            count += 1
    return count
