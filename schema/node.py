"""The Relay Node interface and the lookup behind `node(id)`.

Each domain registers, per type name, how to fetch one object as the actor may see it
(`@node_resolver("Plan")`); an object the actor may not see resolves to None, like an absent one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from schema.ids import decode, encode

NodeFetcher = Callable[[Any, int], Awaitable[Any]]  # (context, pk) -> object | None
_fetchers: dict[str, NodeFetcher] = {}


@strawberry.interface(description="An object with a global id, fetchable with `node(id)`.")
class Node:
    pk: strawberry.Private[int]

    @strawberry.field(description="The global id of this object (opaque; stable).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode(self.__strawberry_definition__.name, self.pk))


def version_field(expected: str = "version") -> Any:
    """The counter of an edited object's writes (`version`; an agreement's `revision`, as its `version`
    numbers the document). Typed Any: strawberry.field fits every annotation."""
    what = "version" if expected == "version" else "revision"
    argument = "expectedVersion" if expected == "version" else "expectedRevision"
    return strawberry.field(
        description=f"The object's {what}: it counts up with every change. Send it back as `{argument}` with "
        "a change: the change is then refused (CONFLICT, nothing stored) if someone changed the object meanwhile."
    )


def node_resolver(type_name: str) -> Callable[[NodeFetcher], NodeFetcher]:
    def register(fn: NodeFetcher) -> NodeFetcher:
        _fetchers[type_name] = fn
        return fn

    return register


def node_types() -> frozenset[str]:
    return frozenset(_fetchers)


async def resolve_node(context, global_id: str) -> Any:
    type_name, pk = decode(global_id, *sorted(_fetchers))
    return await _fetchers[type_name](context, pk)
