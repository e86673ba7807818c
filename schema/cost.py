"""The static cost of a GraphQL operation: how many objects its answer can hold, at most.

Computed on the parsed, validated document before anything runs (models: GitHub's node limit,
Shopify's calculated query cost). Every object in the answer costs 1, leaves (scalars, enums)
cost nothing, and a list multiplies the cost of everything below it by its length:

- a field with a `first` argument has `first` items (or the field's default page size); when it
  returns a connection, the connection costs 1 and its `edges`/`nodes` lists have that length;
- any other list of objects counts as UNPAGED_LIST_SIZE items (partners of an activity, goals of
  a plan: short lists the API does not page);
- fragments on different types are added up (an upper bound), introspection (`__schema`,
  `__type`, `__typename`) is free.

A variable given for `first` is read from the request's variables, so the cost is a pure function
of (schema, document, operation name, variables); schema/limits.py decides what is too costly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
    is_list_type,
)

from schema.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE_DEFAULTS, UNPAGED_LIST_SIZE


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> int:
    """The cost of the operation `operation_name` of a validated document (0 when there is none)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    walk = _Walk(schema, document, operation, variables or {})
    return walk.cost([operation.selection_set], root, page=None)


def cost_variables(variables: dict[str, Any] | None) -> tuple[tuple[str, int], ...]:
    """The part of the variables a cost can depend on (whole numbers), as a hashable key for memos."""
    if not variables:
        return ()
    return tuple(
        sorted(
            (name, value) for name, value in variables.items() if isinstance(value, int) and not isinstance(value, bool)
        )
    )


# (type name, response key) -> (the type, the field's nodes): the fields that merge into one answer entry
_Groups = dict[tuple[str, str], tuple[GraphQLNamedType, list[FieldNode]]]


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if self.variables.get(name) is None and isinstance(definition.default_value, IntValueNode):
                self.variables[name] = int(definition.default_value.value)

    def cost(self, selection_sets: Iterable[SelectionSetNode], parent_type: GraphQLNamedType, page: int | None) -> int:
        """The cost of one instance of `parent_type` with these (merged) selections.

        `page` is the page size when `parent_type` is a connection: its lists have that length."""
        groups: _Groups = {}
        seen_fragments: set[str] = set()
        for selection_set in selection_sets:
            self._collect(selection_set, parent_type, groups, seen_fragments)
        total = 0
        for owner, nodes in groups.values():
            field = getattr(owner, "fields", {}).get(nodes[0].name.value)
            if field is None:
                continue
            named = get_named_type(field.type)
            if is_leaf_type(named):
                continue
            is_list = is_list_type(get_nullable_type(field.type))
            items, inner_page = 1, None
            if "first" in field.args:
                size = max(self._first(owner.name, nodes[0].name.value, node) for node in nodes)
                if is_list:
                    items = size
                else:
                    inner_page = size
            elif is_list:
                items = page if page is not None else UNPAGED_LIST_SIZE
            below = [node.selection_set for node in nodes if node.selection_set is not None]
            total += items * (1 + self.cost(below, named, inner_page))
        return total

    def _collect(
        self, selection_set: SelectionSetNode, parent_type: GraphQLNamedType, groups: _Groups, seen_fragments: set[str]
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue  # introspection and __typename
                key = (parent_type.name, (selection.alias or selection.name).value)
                nodes = groups.setdefault(key, (parent_type, []))[1]
                if not any(node is selection for node in nodes):
                    nodes.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent_type
                self._collect(selection.selection_set, target or parent_type, groups, seen_fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen_fragments:
                    continue  # spreading a fragment twice into one selection adds nothing
                seen_fragments.add(name)
                target = self.schema.get_type(fragment.type_condition.name.value) or parent_type
                self._collect(fragment.selection_set, target, groups, seen_fragments)

    def _first(self, type_name: str, field_name: str, node: FieldNode) -> int:
        """The page size a field asks for: `first` (a literal or a variable), else its default."""
        value: Any = None
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
        if value is None:
            value = PAGE_DEFAULTS.get((type_name, field_name), DEFAULT_PAGE_SIZE)
        if not isinstance(value, int) or isinstance(value, bool):
            return MAX_PAGE_SIZE  # not a number: execution refuses it; assume the most
        # Above the cap execution refuses the page size with its own clear error.
        return min(max(value, 0), MAX_PAGE_SIZE)
