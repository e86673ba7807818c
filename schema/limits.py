"""The limits of the API, in one place: depth, aliases, tokens and page size.

Each gives a clear GraphQL error (a validation error before anything runs, or an error on the
connection field for the page size), never a server error.
"""

from __future__ import annotations

import re
from typing import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension

MAX_DEPTH = 12  # the deepest portal and staff queries use about 9; introspection is not counted
MAX_ALIASES = 30
MAX_TOKENS = 4000  # GraphiQL's introspection query is about 300 tokens
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OCCURRENCES = 100  # Activity.occurrences(first)


def page_size(first: int | None, *, default: int = DEFAULT_PAGE_SIZE, cap: int = MAX_PAGE_SIZE,
              argument: str = "first") -> int:
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


# The limiters' own wording, and how this API says it (with a code a client can act on).
_REWORDINGS = (
    (re.compile(r"^'(?P<op>.*)' exceeds maximum operation depth of (?P<max>\d+)$"), "QUERY_TOO_DEEP",
     "The operation '{op}' is too deep: fields may be nested at most {max} levels."),
    (re.compile(r"^(?P<found>\d+) aliases found\. Allowed: (?P<max>\d+)$"), "TOO_MANY_ALIASES",
     "The document uses {found} aliases; at most {max} are allowed."),
    (re.compile(r"Document contains more than (?P<max>\d+) tokens"), "TOO_MANY_TOKENS",
     "The document is too large: at most {max} tokens are allowed."),
)


def _reword(errors) -> None:
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


def extensions() -> list:
    """The schema extensions that enforce the document limits (factories: one instance per request)."""
    return [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ClearLimitErrors,
    ]
