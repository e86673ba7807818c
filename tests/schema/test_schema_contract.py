"""The schema as a contract: descriptions everywhere, UPPERCASE enums, declared access, snapshot."""

from __future__ import annotations

import inspect

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
)

from backend import policy
from schema.api import schema
from schema.engine_internals import graphql_schema
from schema.export import SNAPSHOT, render
from schema.permissions import Guard, access_of

GQL = graphql_schema(schema)


def _own_types():
    for name, t in GQL.type_map.items():
        if not name.startswith("__"):
            yield name, t


def test_every_type_field_argument_and_enum_value_has_a_description():
    missing = []
    for name, t in _own_types():
        if not t.description:
            missing.append(name)
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in t.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(t, GraphQLEnumType):
            for value_name, value in t.values.items():
                if not value.description:
                    missing.append(f"{name}.{value_name}")
    assert not missing, f"missing descriptions: {missing}"


def test_enum_values_are_uppercase():
    for name, t in _own_types():
        if isinstance(t, GraphQLEnumType):
            for value_name in t.values:
                assert value_name == value_name.upper(), f"{name}.{value_name}"


def test_foundation_names_exist():
    names = set(GQL.type_map)
    for required in (
        "Plan",
        "Activity",
        "Partner",
        "ActivityPartner",
        "FollowUpGroup",
        "FocusArea",
        "UrbanArea",
        "Board",
        "HousingOrganisation",
        "HousingEstate",
        "Goal",
        "Indicator",
        "Measurement",
        "Financing",
        "Agreement",
        "Occurrence",
        "ProgressNote",
        "ResidentInput",
        "InputAnswer",
        "Meeting",
        "GroupMember",
        "OtherEffort",
        "Municipality",
        "Residency",
        "Viewer",
        "PlanConnection",
        "ActivityConnection",
        "PageInfo",
        "Node",
    ):
        assert required in names, required
    query = GQL.query_type.fields
    for field in (
        "plans",
        "plan",
        "activities",
        "followUpGroups",
        "urbanAreas",
        "boards",
        "housingOrganisations",
        "partners",
        "fundingGenerations",
        "node",
        "viewer",
        "auditEvents",
    ):
        assert field in query, field
    assert isinstance(GQL.type_map["Organisation"], GraphQLUnionType)


def _root_fields():
    for root in (schema.query, schema.mutation):
        if root is None:
            continue
        for field in root.__strawberry_definition__.fields:
            yield root.__strawberry_definition__.name, field


def test_every_query_and_mutation_field_declares_its_access():
    undeclared = []
    for root_name, field in _root_fields():
        access = access_of(field)
        if access is None:
            undeclared.append(f"{root_name}.{field.graphql_name or field.python_name}")
            continue
        assert access.kind in ("public", "requires", "checked")
        if access.kind == "public":
            assert access.note, f"{root_name}.{field.python_name}: say why it is public"
        for rule in access.rules:
            # Rules come from the one place where access is decided.
            assert inspect.getmodule(rule) is policy, f"{field.python_name}: {rule} is not in backend.policy"
    assert not undeclared, f"fields without a permission or a public marker: {undeclared}"


RESTRICTED = {
    ("Plan", "emergencyPlan"): policy.can_read_emergency_plan,
    ("Plan", "financing"): policy.can_read_financing,
    ("Activity", "progressNotes"): policy.can_read_activity_internals,
    ("Occurrence", "participantCount"): policy.can_read_activity_internals,
    ("FollowUpGroup", "inputs"): policy.can_read_group_inputs,
}


def test_restricted_type_fields_are_guarded_by_their_policy_rule():
    from schema.activities.types import Activity, Occurrence
    from schema.participation.types import FollowUpGroup
    from schema.plans.types import Plan

    classes = {"Plan": Plan, "Activity": Activity, "Occurrence": Occurrence, "FollowUpGroup": FollowUpGroup}
    for (type_name, field_name), rule in RESTRICTED.items():
        definition = classes[type_name].__strawberry_definition__
        field = next(f for f in definition.fields if schema.config.name_converter.get_graphql_name(f) == field_name)
        guards = [e for e in field.extensions if isinstance(e, Guard)]
        assert guards and guards[0].rule is rule, f"{type_name}.{field_name}"
        assert access_of(field).rules == (rule,)


def test_snapshot_is_up_to_date():
    assert SNAPSHOT.exists(), "run `make schema`"
    assert SNAPSHOT.read_text(encoding="utf-8") == render(), (
        "schema/schema.graphql drifted from the code: run `make schema` and commit the result"
    )
