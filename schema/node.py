"""The Relay Node interface and the lookup behind `node(id)`.

Each domain registers, per type name, how to fetch one object as the actor may see it
(`@node_resolver("Plan")`); an object the actor may not see resolves to None, like an absent one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy import ColumnElement, Select, select
from strawberry.types import get_object_definition

from backend import models as m
from backend import policy
from schema.context import Context
from schema.ids import decode, encode
from schema.rows import build, columns

T = TypeVar("T")
NodeFetcher = Callable[[Context, int], Awaitable[Any]]  # (context, pk) -> object | None
_fetchers: dict[str, NodeFetcher] = {}


@strawberry.interface(description="An object with a global id, fetchable with `node(id)`.")
class Node:
    pk: strawberry.Private[int]

    @strawberry.field(description="The global id of this object (opaque; stable).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode(get_object_definition(self, strict=True).name, self.pk))


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


async def fetch_one(context: Context, type_cls: type[T], statement: Select[Any]) -> T | None:
    """The object of the statement's first row, None when it has none (absent, or not the actor's to see)."""
    rows = await context.fetch(statement)
    return build(type_cls, rows[0]) if rows else None


async def one_of_visible_plan(
    context: Context,
    type_cls: type[T],
    model: Any,
    pk: int,
    *extra: ColumnElement[bool],
    via: tuple[tuple[Any, Any], ...] = (),
) -> T | None:
    """One row of a plan part, when the actor may read the plan (and any extra condition holds). `via`: the
    rows between the part and the plan, each as (model, the column of the row before it that points at it),
    e.g. a measurement's ((m.Indicator, m.Measurement.indicator_id), (m.Goal, m.Indicator.goal_id))."""
    statement = select(*columns(type_cls, model))
    holder = model
    for parent, key in via:
        statement = statement.join(parent, parent.id == key)
        holder = parent
    statement = statement.join(m.Plan, m.Plan.id == holder.plan_id).where(
        model.id == pk, policy.plan_filter(context.actor), *extra
    )
    return await fetch_one(context, type_cls, statement)


def node_types() -> frozenset[str]:
    return frozenset(_fetchers)


async def resolve_node(context: Context, global_id: str) -> Any:
    type_name, pk = decode(global_id, *sorted(_fetchers))
    return await _fetchers[type_name](context, pk)
