"""Every private or undocumented detail of strawberry and graphql-core that the execution engine
relies on, in one place, each behind a name that says what is assumed.

The fast execution (schema/execution.py, schema/fast_fields.py) reads strawberry's and graphql-core's
own structures to complete plain fields without their per-field machinery. Nothing else in the
project may import strawberry or graphql-core internals: when an upgrade breaks an assumption,
tests/schema/test_engine_internals.py names it, and `FAST_EXECUTION=false` (backend/settings.py)
runs plain strawberry and graphql-core meanwhile.

Assumptions (one test each):
- A1 `graphql_schema`: a strawberry Schema keeps its graphql-core schema in `_schema`.
- A2 `ExecutionContextBase`: strawberry's execution context (a graphql-core 3.3 Executor) calls
  `execute_fields(parent_type, source_value, path, grouped_field_set, position_context)` for every
  object; `collect_subfields(type, field_details)` returns (grouped fields, defer usages, ...);
  `build_resolve_info(field_def, field_nodes, parent_type, path)` makes a GraphQLResolveInfo;
  an empty `middleware_manager` has no `middlewares`. The types of those arguments (GroupedFieldSet,
  FieldDetailsList, and the DeliveryGroupMap of the position context) live in graphql-core's modules.
- A3 `strawberry_field`: each graphql-core field keeps its StrawberryField in `extensions` under
  GraphQLCoreConverter.DEFINITION_BACKREF.
- A4 `is_default_resolver` / `is_strawberry_wrapper`: strawberry's resolver wrappers are named
  `_resolver` / `_get_basic_result`, and mark attribute reads with `_is_default`.
- A5 `resolver_call`: a StrawberryResolver exposes `wrapped_func` and its self / parent / root / info
  parameters, so the function can be called as strawberry calls it.
- A6 enums: strawberry's enum type is `CustomGraphQLEnumType` with `wrapped_cls` and `values`.
- A7 `is_cast`: `strawberry.cast` marks objects with TYPE_CAST_ATTRIBUTE; strawberry's `is_type_of`
  depends on the class and that mark only (it ignores `info`).
- A8 `LazyInfo`: strawberry's Info keeps the graphql-core info in `_raw_info` and the field in
  `_field`.
- A9 DateTime: strawberry's DateTime scalar definition and `wrap_parser` live in
  strawberry.schema.types.base_scalars.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from enum import Enum
from functools import cached_property
from typing import Any, Protocol, cast

import strawberry
from graphql import FieldNode, GraphQLField, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.incremental.incremental_executor import DeliveryGroupMap
from graphql.pyutils import Path
from strawberry import Info
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

__all__ = [
    "CustomGraphQLEnumType",
    "DateTimeDefinition",
    "ExecutionContextBase",
    "FieldDetailsList",
    "GroupedFieldSet",
    "LazyInfo",
    "LeanPath",
    "PositionContext",
    "graphql_schema",
    "has_middleware",
    "is_cast",
    "is_default_resolver",
    "is_fast",
    "is_strawberry_wrapper",
    "mark_fast",
    "resolver_call",
    "strawberry_field",
    "wrap_parser",
]

# A2: the execution context the engine subclasses (graphql-core's hooks, strawberry's subclass).
ExecutionContextBase = StrawberryGraphQLCoreExecutionContext
# A2: the types of execute_fields' and collect_subfields' arguments (graphql-core does not export them).
PositionContext = DeliveryGroupMap

_STRAWBERRY_WRAPPERS = ("_resolver", "_get_basic_result")


def graphql_schema(strawberry_schema: strawberry.Schema) -> GraphQLSchema:
    """A1: the graphql-core schema behind a strawberry Schema."""
    return strawberry_schema._schema


def has_middleware(execution_context: ExecutionContextBase) -> bool:
    """A2: whether graphql-core runs field middleware here (strawberry passes an empty manager)."""
    return bool(getattr(execution_context.middleware_manager, "middlewares", None))


def strawberry_field(graphql_field: GraphQLField) -> StrawberryField | None:
    """A3: the StrawberryField a graphql-core field was made from, or None."""
    found = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return found if isinstance(found, StrawberryField) else None


def is_default_resolver(resolve: object) -> bool:
    """A4: strawberry's resolver for a plain attribute read (no resolver function of ours)."""
    return resolve is not None and bool(getattr(resolve, "_is_default", False))


def is_strawberry_wrapper(resolve: object) -> bool:
    """A4: the resolver is strawberry's own wrapper (so its StrawberryField says what it calls)."""
    return getattr(resolve, "__name__", None) in _STRAWBERRY_WRAPPERS


def resolver_call(definition: StrawberryField) -> Callable[[Any, Info], Any] | None:
    """A5: `call(source, info)` that calls the field's resolver function as strawberry does (self,
    parent and root get the source; info gets strawberry's Info), or None for an attribute read."""
    resolver = definition.base_resolver
    if resolver is None:
        return None
    self_, parent, root, info = (
        resolver.self_parameter,
        resolver.parent_parameter,
        resolver.root_parameter,
        resolver.info_parameter,
    )
    names = [p.name for p in (parent, root) if p is not None]
    info_name = info.name if info is not None else None
    # Bound by now (the schema's types bind their resolvers), so a function, not a classmethod object.
    function = cast(Callable[..., Any], resolver.wrapped_func)

    def call(source: Any, strawberry_info: Info) -> Any:
        kwargs: dict[str, Any] = {name: source for name in names}
        if info_name is not None:
            kwargs[info_name] = strawberry_info
        return function(source, **kwargs) if self_ is not None else function(**kwargs)

    return call


def enum_names(leaf_type: CustomGraphQLEnumType) -> dict[Enum, str]:
    """A6: Python member -> GraphQL name of a strawberry enum type."""
    names: dict[Enum, str] = {}
    member: Enum
    for member in leaf_type.wrapped_cls:
        for name, value in leaf_type.values.items():
            if member.value == value.value:
                names[member] = name
                break
    return names


def is_cast(value: object) -> bool:
    """A7: the object was given its GraphQL type with strawberry.cast (which sets the mark on the
    object: a look in its __dict__, where it has one, costs less than a failing getattr)."""
    attributes = getattr(value, "__dict__", None)
    if attributes is not None:
        return attributes.get(TYPE_CAST_ATTRIBUTE) is not None
    return getattr(value, TYPE_CAST_ATTRIBUTE, None) is not None


class LeanField(Protocol):
    """What LazyInfo needs of a field that schema/execution.py completes in one pass."""

    definition: StrawberryField
    field_def: GraphQLField
    nodes: list[FieldNode]
    parent_type: GraphQLObjectType


# The response path in the one-pass completion: graphql-core's Path where it starts, below it plain
# (prev, key, typename) tuples, cheaper to make; a Path is made of them only when an Info is asked for it.
LeanPath = Path | tuple[Any, str | int, str | None]


def as_path(path: LeanPath) -> Path:
    if isinstance(path, Path):
        return path
    prev, key, typename = path
    return Path(as_path(prev) if prev is not None else None, key, typename)


class LazyInfo(Info):
    """A8: strawberry's Info for a resolver called by the one-pass completion. Resolvers there mostly
    read only `info.context`; the GraphQLResolveInfo behind the rest is built when something asks."""

    def __init__(self, execution: ExecutionContextBase, field: LeanField, path: LeanPath) -> None:
        self._field = field.definition
        self._execution, self._lean_field, self._path = execution, field, path

    @property
    def context(self) -> Any:
        return self._execution.context_value

    # Info declares _raw_info as a plain attribute; a cached_property is one that is computed when read.
    @cached_property
    def _raw_info(self) -> GraphQLResolveInfo[Any]:  # type: ignore[override]
        field = self._lean_field
        return self._execution.build_resolve_info(field.field_def, field.nodes, field.parent_type, as_path(self._path))


# The switch (not a private detail, but the engine's own): which schemas run the fast execution.
_fast_schemas: weakref.WeakSet[strawberry.Schema] = weakref.WeakSet()


def mark_fast(strawberry_schema: strawberry.Schema) -> None:
    _fast_schemas.add(strawberry_schema)


def is_fast(strawberry_schema: strawberry.Schema) -> bool:
    """Whether this schema runs one-pass completion, the fast fields and prefetch."""
    return strawberry_schema in _fast_schemas
