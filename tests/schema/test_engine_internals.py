"""One test per assumption of schema/engine_internals.py about strawberry and graphql-core internals.

When an upgrade breaks one, the failure names the assumption (A1 ... A9, described in the module);
run with FAST_EXECUTION=false until the engine is adapted.
"""

from __future__ import annotations

import enum
import inspect
import re

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema

from schema import engine_internals as internals


@strawberry.enum(name="Colour")
class _Colour(enum.Enum):
    RED = "red"


@strawberry.type(name="Thing")
class _Thing:
    name: str
    colour: _Colour

    @strawberry.field
    def shout(self, info: strawberry.Info) -> str:
        return self.name.upper()


@strawberry.type(name="Query")
class _Query:
    @strawberry.field
    def thing(self) -> _Thing:
        return _Thing(name="a", colour=_Colour.RED)


SMALL = strawberry.Schema(query=_Query)


def _field(type_name: str, name: str):
    object_type = internals.graphql_schema(SMALL).type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    return object_type.fields[name]


def test_a1_strawberry_schema_keeps_its_graphql_core_schema():
    assert isinstance(internals.graphql_schema(SMALL), GraphQLSchema), (
        "A1 broken: strawberry.Schema no longer keeps the graphql-core schema in `_schema`"
    )


def test_a2_execution_context_hooks():
    base = internals.ExecutionContextBase
    params = list(inspect.signature(base.execute_fields).parameters)
    assert params == ["self", "parent_type", "source_value", "path", "grouped_field_set", "position_context"], (
        f"A2 broken: graphql-core's execute_fields signature changed: {params}"
    )
    assert list(inspect.signature(base.build_resolve_info).parameters)[1:5] == [
        "field_def",
        "field_nodes",
        "parent_type",
        "path",
    ], "A2 broken: build_resolve_info's signature changed"
    assert list(inspect.signature(base.collect_subfields).parameters) == [
        "self",
        "return_type",
        "field_details_list",
    ], "A2 broken: collect_subfields(return_type, field_details_list) changed"
    from schema.execution import ExecutionContext

    document = "{ thing { __typename name colour shout } }"
    fast = strawberry.Schema(query=_Query, execution_context_class=ExecutionContext).execute_sync(document)
    assert fast.errors is None and fast.data == SMALL.execute_sync(document).data, (
        "A2 broken: the engine's execution context no longer answers as graphql-core does"
    )


def test_a3_graphql_fields_point_back_to_their_strawberry_field():
    definition = internals.strawberry_field(_field("Thing", "name"))
    assert definition is not None and definition.python_name == "name", (
        "A3 broken: graphql-core fields no longer carry their StrawberryField under DEFINITION_BACKREF"
    )


def test_a4_strawberry_resolver_wrappers_are_recognised():
    plain, resolved = _field("Thing", "name"), _field("Thing", "shout")
    assert internals.is_default_resolver(plain.resolve) and not internals.is_default_resolver(resolved.resolve), (
        "A4 broken: strawberry no longer marks attribute reads with `_is_default`"
    )
    assert internals.is_strawberry_wrapper(resolved.resolve), (
        "A4 broken: strawberry's resolver wrapper is no longer named `_resolver` / `_get_basic_result`"
    )


def test_a5_a_resolver_is_called_as_strawberry_calls_it():
    call = internals.resolver_call(internals.strawberry_field(_field("Thing", "shout")))
    assert call is not None and call(_Thing(name="b", colour=_Colour.RED), None) == "B", (
        "A5 broken: StrawberryResolver's wrapped_func / parameters changed"
    )


def test_a6_enum_types_expose_members_and_names():
    enum_type = internals.graphql_schema(SMALL).type_map["Colour"]
    assert isinstance(enum_type, internals.CustomGraphQLEnumType), "A6 broken: CustomGraphQLEnumType moved"
    assert internals.enum_names(enum_type) == {_Colour.RED: "RED"}, "A6 broken: wrapped_cls / values changed"


def test_a7_cast_marks_and_is_type_of_ignores_info():
    thing = _Thing(name="c", colour=_Colour.RED)
    assert not internals.is_cast(thing)
    assert internals.is_cast(strawberry.cast(_Thing, object.__new__(_Thing))), (
        "A7 broken: strawberry.cast no longer marks with TYPE_CAST_ATTRIBUTE"
    )
    is_type_of = internals.graphql_schema(SMALL).type_map["Thing"].is_type_of
    assert is_type_of is None or is_type_of(thing, None) is True, "A7 broken: strawberry's is_type_of needs `info`"


def test_a8_info_keeps_the_raw_info_and_field():
    seen = {}

    @strawberry.type
    class Query:
        @strawberry.field
        def probe(self, info: strawberry.Info) -> str:
            seen["raw"] = info._raw_info
            seen["field"] = info._field
            return "ok"

    strawberry.Schema(query=Query).execute_sync("{ probe }")
    assert seen["raw"].field_name == "probe" and seen["field"].python_name == "probe", (
        "A8 broken: strawberry.Info no longer keeps `_raw_info` and `_field` (LazyInfo relies on them)"
    )
    assert "_raw_info" in internals.LazyInfo.__dict__, "A8: LazyInfo must build _raw_info lazily"


def test_a9_datetime_scalar_definition():
    assert internals.DateTimeDefinition.name == "DateTime" and callable(internals.wrap_parser), (
        "A9 broken: strawberry's DateTime definition or wrap_parser moved"
    )


def test_no_other_module_imports_the_internals():
    """Everything private of strawberry, graphql-core and asyncio is reached through engine_internals."""
    from backend.settings import ROOT

    offenders = []
    for path in [
        *ROOT.glob("schema/**/*.py"),
        *ROOT.glob("backend/**/*.py"),
        *ROOT.glob("auth/**/*.py"),
        *ROOT.glob("frontend/**/*.py"),
    ]:
        if path.name == "engine_internals.py":
            continue
        text = path.read_text(encoding="utf-8")
        for marker in (
            r"strawberry\.schema\.",
            r"strawberry\.types\.cast",
            r"\._raw_info",
            r"\._schema\b",
            r"loop\._ready",
            r"graphql\.execution\.",
            "schema_converter",
        ):
            if re.search(marker, text):
                offenders.append(f"{path.relative_to(ROOT)}: {marker}")
    assert not offenders, offenders
