"""Leaf fields completed in one step: the execution context the schema runs with.

Most fields of an answer are leaves read straight off a row (a name, a status, a date, a node id):
in a staff deep query about 3,900 of 4,500 fields. For each, graphql-core builds an info object and
a path, calls strawberry's wrapper of getattr and goes through complete_value; that machinery is
most of a request's CPU. Here, a field that is an attribute read with no arguments and a scalar or
enum type (strawberry's basic fields, and the Node ids of schema/fast_fields.py) is read and
coerced directly, with the type's own coerce_output_value, so the value is the same. Anything
unusual (a null on a non-null field, a value that does not coerce, an error) goes the standard way,
which produces the standard error. Other fields are executed by graphql-core as before.
"""

from __future__ import annotations

from typing import Any, Callable

from graphql import GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter

from schema import fast_fields
from schema.ids import encode

_PLANS: dict[int, dict[str, Callable[[Any], Any]]] = {}  # id(object type) -> field name -> completer


class _Slow(Exception):
    """This value needs graphql-core's own completion (it reports the error)."""


def _enum_coercer(leaf_type) -> Callable[[Any], Any]:
    """strawberry's enum coerce_output_value, with the member -> name lookup done once, not per value
    (it compares the value with each of the enum's values: the costliest leaf of all)."""
    wrapped, standard = leaf_type.wrapped_cls, leaf_type.coerce_output_value
    names: dict = {}
    for member in wrapped:
        for name, value in leaf_type.values.items():
            if member.value == value.value:
                names[member] = name
                break

    def coerce(value: Any) -> Any:
        if isinstance(value, wrapped):
            name = names.get(value)
            if name is not None:
                return name
        return standard(value)

    return coerce


def _completer(getter: Callable[[Any], Any], leaf_type, non_null: bool) -> Callable[[Any], Any]:
    coerce = _enum_coercer(leaf_type) if isinstance(leaf_type, CustomGraphQLEnumType) else leaf_type.coerce_output_value

    def complete(source: Any) -> Any:
        value = getter(source)
        if value is None:
            if non_null:
                raise _Slow
            return None
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _Slow
        return coerced

    return complete


def _plan(parent_type: GraphQLObjectType) -> dict[str, Callable[[Any], Any]]:
    plan = _PLANS.get(id(parent_type))
    if plan is not None:
        return plan
    plan = {}
    for name, field in parent_type.fields.items():
        if field.args:
            continue
        field_type = field.type
        non_null = isinstance(field_type, GraphQLNonNull)
        leaf_type = field_type.of_type if non_null else field_type
        if not is_leaf_type(leaf_type):
            continue
        resolve = field.resolve
        if resolve is fast_fields._node_id:
            type_name = parent_type.name
            plan[name] = _completer(lambda source, t=type_name: encode(t, source.pk), leaf_type, non_null)
            continue
        definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if (resolve is None or not getattr(resolve, "_is_default", False) or definition is None
                or not definition.is_basic_field):
            continue
        python_name, default_resolver = definition.python_name, definition.default_resolver
        plan[name] = _completer(lambda source, n=python_name, r=default_resolver: r(source, n), leaf_type, non_null)
    _PLANS[id(parent_type)] = plan
    return plan


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
        plan = _plan(parent_type)
        if not plan or getattr(self.middleware_manager, "middlewares", None):  # strawberry passes an empty one
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        done: dict[str, Any] = {}
        rest = {}
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            complete = plan.get(node.name.value)
            if complete is not None and not node.arguments:
                try:
                    done[response_name] = complete(source_value)
                    continue
                except Exception:  # noqa: BLE001 - the standard way reports it
                    pass
            rest[response_name] = details
        if not rest:
            return done
        results = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if self.is_awaitable(results):
            async def merged() -> dict[str, Any]:
                return _in_order(grouped_field_set, done, await results)

            return merged()
        return _in_order(grouped_field_set, done, results)


def _in_order(grouped_field_set, done: dict, results: dict) -> dict:
    """Both parts, in the order of the selection (the answer's keys keep the document's order)."""
    if not done:
        return results
    out = {}
    for name in grouped_field_set:
        if name in done:
            out[name] = done[name]
        elif name in results:
            out[name] = results[name]
    return out
