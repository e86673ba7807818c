"""The limits of the API, in one place: depth, aliases, tokens, page size, query cost, text length,
request size, time per request and the cost budget of anonymous clients.

Each gives a clear GraphQL error (a validation error before anything runs, or an error on the
connection field for the page size), never a server error; a body that is too large answers 413 and
a client over its budget 429 with Retry-After.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_operation_ast,
)
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension

from backend.actor import Actor
from backend.models import ActorKind

MAX_DEPTH = 12  # the deepest portal and staff queries use about 9; introspection is not counted
MAX_ALIASES = 30
MAX_TOKENS = 4000  # GraphiQL's introspection query is about 300 tokens
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OCCURRENCES = 100  # Activity.occurrences(first)
# Page sizes of fields whose default is not DEFAULT_PAGE_SIZE, for the cost (schema/cost.py).
PAGE_DEFAULTS = {("Activity", "occurrences"): MAX_OCCURRENCES}
UNPAGED_LIST_SIZE = 10  # what the cost counts for a list the API does not page (an activity's partners)

# Query cost (schema/cost.py): how many objects an answer can hold, at most. The portal's public pages
# cost up to about 2,650 (the front page: the areas with their estates, and 100 activities of the week
# with their first 12 dates), its staff inbox about 110,000, the benchmark's S1 1,251 and S2 15,531;
# tests/schema/test_cost.py checks them all.
ANONYMOUS_COST_LIMIT = 3_000  # not signed in, and residents
STAFF_COST_LIMIT = 120_000  # housing organisation, municipality, partner and Landsbyggefonden staff
# What an anonymous client may spend per minute on /graphql (twenty queries at the limit, about 50 of
# S1's public activities of an area), counted per client address across processes (backend/budget.py);
# answers from the public cache cost nothing.
ANONYMOUS_BUDGET_PER_MINUTE = 20 * ANONYMOUS_COST_LIMIT

# Any string argument or input field: no tighter than any text limit of the models (backend/models.py,
# tests/backend/test_text_limits.py), which the services check with their own clear errors.
MAX_TEXT_LENGTH = 20_000
TEXT_LENGTHS = {"search": 200}  # tighter bounds by argument / input field name
MAX_REQUEST_BODY = 256 * 1024  # bytes, for /graphql and the portal's forms (413 above it)
REQUEST_DEADLINE_SECONDS = 10.0  # an operation still running after this is cancelled (code TIMEOUT)
# The query cost one server process executes at once (schema/admission.py): its memory follows what is
# in flight. Half of the costliest staff operation, or three of the benchmark's S2 (15,531 each): a worker
# is one thread, three in flight already overlap its work with the database's. Operations that anyone
# may ask (ANONYMOUS_COST_LIMIT) are not held back.
COST_IN_FLIGHT = STAFF_COST_LIMIT // 2


def page_size(
    first: int | None, *, default: int = DEFAULT_PAGE_SIZE, cap: int = MAX_PAGE_SIZE, argument: str = "first"
) -> int:
    """A checked page size: `first` when given, else the default."""
    if first is None:
        return default
    if first < 0:
        raise GraphQLError(f"`{argument}` must not be negative (got {first}).", extensions={"code": "BAD_USER_INPUT"})
    if first > cap:
        raise GraphQLError(
            f"`{argument}` must be at most {cap} (got {first}); page through the rest with `after`.",
            extensions={"code": "PAGE_SIZE_TOO_LARGE"},
        )
    return first


def cost_limit(actor: Actor | None) -> int:
    """The most an operation may cost for this caller (None: not signed in)."""
    if actor is None or actor.kind == ActorKind.RESIDENT:
        return ANONYMOUS_COST_LIMIT
    return STAFF_COST_LIMIT


def text_limit(name: str) -> int:
    return TEXT_LENGTHS.get(name, MAX_TEXT_LENGTH)


def has_long_text(value: Any) -> bool:
    """Whether any string in (JSON) variables is longer than the tightest text limit (a quick test)."""
    shortest = min(TEXT_LENGTHS.values(), default=MAX_TEXT_LENGTH)
    if isinstance(value, str):
        return len(value) > shortest
    if isinstance(value, dict):
        return any(has_long_text(item) for item in value.values())
    if isinstance(value, list):
        return any(has_long_text(item) for item in value)
    return False


def too_long_text(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> GraphQLError | None:
    """An error for the first string argument or input field (a literal, or a variable's value when
    `variables` are given) longer than its limit; None when all fit."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    values = variables or {}
    # The operation and every fragment: fragments the operation does not use are not allowed by validation.
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and definition is not operation:
            continue
        for node in _fields(getattr(definition, "selection_set", None)):
            for argument in node.arguments or ():
                found = _long_value(argument.name.value, argument.value, values, variables is not None)
                if found:
                    name, length, limit = found
                    return GraphQLError(
                        f"`{name}` is too long: at most {limit:,} characters are allowed (got {length:,}).",
                        extensions={"code": "BAD_USER_INPUT", "argument": name, "maxLength": limit},
                    )
    return None


def _fields(selection_set: object) -> Iterator[FieldNode]:
    for selection in getattr(selection_set, "selections", ()) or ():
        if isinstance(selection, FieldNode):
            yield selection
        yield from _fields(getattr(selection, "selection_set", None))


# (argument or field name, its length, its limit)
LongText = tuple[str, int, int]


def _long_value(name: str, node: ValueNode, variables: dict[str, Any], with_variables: bool) -> LongText | None:
    if isinstance(node, StringValueNode):
        return (name, len(node.value), text_limit(name)) if len(node.value) > text_limit(name) else None
    if isinstance(node, ObjectValueNode):
        return next(
            filter(None, (_long_value(f.name.value, f.value, variables, with_variables) for f in node.fields)), None
        )
    if isinstance(node, ListValueNode):
        return next(filter(None, (_long_value(name, item, variables, with_variables) for item in node.values)), None)
    if isinstance(node, VariableNode) and with_variables:
        return _long_json(name, variables.get(node.name.value))
    return None


def _long_json(name: str, value: Any) -> LongText | None:
    if isinstance(value, str):
        return (name, len(value), text_limit(name)) if len(value) > text_limit(name) else None
    if isinstance(value, dict):
        return next(filter(None, (_long_json(key, item) for key, item in value.items())), None)
    if isinstance(value, list):
        return next(filter(None, (_long_json(name, item) for item in value)), None)
    return None


# The limiters' own wording, and how this API says it (with a code a client can act on).
_REWORDINGS = (
    (
        re.compile(r"^'(?P<op>.*)' exceeds maximum operation depth of (?P<max>\d+)$"),
        "QUERY_TOO_DEEP",
        "The operation '{op}' is too deep: fields may be nested at most {max} levels.",
    ),
    (
        re.compile(r"^(?P<found>\d+) aliases found\. Allowed: (?P<max>\d+)$"),
        "TOO_MANY_ALIASES",
        "The document uses {found} aliases; at most {max} are allowed.",
    ),
    (
        re.compile(r"Document contains more than (?P<max>\d+) tokens"),
        "TOO_MANY_TOKENS",
        "The document is too large: at most {max} tokens are allowed.",
    ),
)


def _reword(errors: list[GraphQLError] | None) -> None:
    for error in errors or ():
        for pattern, code, text in _REWORDINGS:
            found = pattern.search(error.message)
            if found:
                error.message = text.format(**found.groupdict())
                error.extensions = {**(error.extensions or {}), "code": code}
                break


class ClearLimitErrors(SchemaExtension):
    """Says in plain words which limit a document went over."""

    def on_parse(self) -> Iterator[None]:
        yield
        _reword(self.execution_context.pre_execution_errors)

    def on_validate(self) -> Iterator[None]:
        yield
        _reword(self.execution_context.pre_execution_errors)


def extensions() -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """The schema extensions that enforce the document limits (factories: one instance per request)."""
    return [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ClearLimitErrors,
    ]
