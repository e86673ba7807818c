"""Schema extensions: the per-request context kept tidy, unexpected errors kept to the server, and the
limits that depend on the request (cost, text length, budget, deadline) checked before execution."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from typing import TypeVar, cast

from graphql import DocumentNode, GraphQLError, NoSchemaIntrospectionCustomRule, validate
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from backend import budget, observability
from backend.settings import get_settings
from schema import document_cache, limits
from schema.admission import CostGate
from schema.cost import cost_variables, query_cost
from schema.engine_internals import graphql_schema

log = logging.getLogger("helhedsplan.graphql")


class ReleaseSessionAfterOperation(SchemaExtension):
    """A WebSocket context lives for the whole connection: release its session after each operation,
    so no connection is held between messages and each operation sees fresh rows."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if getattr(context, "long_lived", False):
            await context.close()


class NoteOperation(SchemaExtension):
    """Tell the request's metrics and log line which operation ran (the name the client gave, else
    the document's; observability bounds it)."""

    def on_operation(self) -> Iterator[None]:
        yield
        observability.note_operation(self.execution_context.operation_name)


def log_errors(errors: list[GraphQLError]) -> None:
    """The schema's error logging (instead of strawberry's, which logs every error's text).

    An error the client caused (a document that does not parse or validate, a variable that does
    not coerce, the API's own errors) is the client's to read: its text can quote the client's
    input, a resident's words included, so it is only counted on the request's log line. An
    unexpected error is logged with its traceback, where hide_parameters keeps bound values out.
    """
    observability.note_graphql_errors(len(errors))
    for error in errors:
        if is_unexpected(error):
            log.error(
                "unexpected error in field %s",
                ".".join(map(str, error.path or ())) or "-",
                exc_info=error.original_error,
            )


UNEXPECTED_ERROR = (
    "Der skete en uventet fejl. Prøv igen senere. (An unexpected error occurred. Please try again later.)"
)


def is_unexpected(error: GraphQLError) -> bool:
    """An error the API did not raise on purpose: a database error, a lost connection, a bug.

    Its text could show SQL, parameters (a resident's words) or internals, so the client gets a plain
    message instead; the full error is logged on the server (strawberry logs it before this runs).
    The API's own errors (bad ids and cursors, limits, validation) are GraphQLErrors and keep their text.
    """
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def mask_unexpected_errors() -> MaskErrors:
    """A fresh MaskErrors per request (strawberry takes a factory)."""
    return MaskErrors(should_mask_error=is_unexpected, error_message=UNEXPECTED_ERROR)


_MAY_INTROSPECT = re.compile(r"__(schema|type)\b")  # cheap first look; __typename stays allowed


class NoAnonymousIntrospection(SchemaExtension):
    """In production, introspection (`__schema`, `__type`) is for signed-in callers only.

    Checked when execution starts, for the caller of this request, so the validated document that
    schema/document_cache.py keeps stays the same for everyone.
    """

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if (
            not get_settings().graphiql
            and getattr(context.context, "actor", None) is None
            and context.query
            and context.graphql_document is not None
            and _MAY_INTROSPECT.search(context.query)
            and validate(graphql_schema(context.schema), context.graphql_document, [NoSchemaIntrospectionCustomRule])
        ):
            raise GraphQLError(
                "Introspection is only for signed-in callers here.", extensions={"code": "INTROSPECTION_DISABLED"}
            )
        yield


class OperationLimits(SchemaExtension):
    """The limits that depend on the request, checked before anything runs (schema/limits.py):

    - every string argument within its length (BAD_USER_INPUT);
    - the operation's cost (schema/cost.py) within the caller's limit (QUERY_TOO_COSTLY);
    - an anonymous HTTP caller's budget per minute (429 with Retry-After, RATE_LIMITED), charged only
      here, for work that runs: answers from the public caches never reach this;
    - a deadline, after which the operation's work is cancelled (TIMEOUT).

    Subscriptions are left alone: their events are small, and they are meant to last.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is None or context.operation_type == OperationType.SUBSCRIPTION:
            yield
            return
        refusal = await _refusal(context, document)
        if refusal is not None:
            context.result = GraphQLExecutionResult(data=None, errors=[refusal])
            yield
            return
        try:
            async with asyncio.timeout(limits.REQUEST_DEADLINE_SECONDS), _GATE.admitted(_cost(context, document)):
                yield
        except TimeoutError:
            raise GraphQLError(
                f"The operation took longer than {limits.REQUEST_DEADLINE_SECONDS:g} seconds and was stopped; "
                "ask for less (smaller pages, fewer fields) or try again later.",
                extensions={"code": "TIMEOUT"},
            ) from None


_GATE = CostGate(limits.COST_IN_FLIGHT, free=limits.ANONYMOUS_COST_LIMIT)  # this process's (schema/admission.py)


def _cost(context: ExecutionContext, document: DocumentNode) -> int:
    name, variables = context.operation_name, context.variables
    return _memoized(
        context.query,
        ("cost", name, cost_variables(variables)),
        lambda: query_cost(graphql_schema(context.schema), document, name, variables),
    )


async def _refusal(context: ExecutionContext, document: DocumentNode) -> GraphQLError | None:
    """Why the operation may not run, or None."""
    name, variables = context.operation_name, context.variables
    too_long = _memoized(context.query, ("text", name), lambda: limits.too_long_text(document, name, None))
    if too_long is None and variables and limits.has_long_text(variables):
        too_long = limits.too_long_text(document, name, variables)
    if too_long is not None:
        return too_long
    cost = _cost(context, document)
    request_context = context.context
    actor = getattr(request_context, "actor", None)
    limit = limits.cost_limit(actor)
    observability.observe_query_cost(cost)
    if cost > limit:
        return GraphQLError(
            f"The operation is too costly: it could return about {cost:,} objects, and at most {limit:,} are "
            "allowed" + (" without signing in" if actor is None else "") + ". Ask for smaller pages (`first`) "
            "or fewer nested lists.",
            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limit},
        )
    request = getattr(request_context, "request", None)
    if actor is None and getattr(request_context, "metered", False) and request is not None:
        retry_after = await budget.charge(
            budget.client_address(request), cost, budget=limits.ANONYMOUS_BUDGET_PER_MINUTE
        )
        if retry_after is not None:
            response = getattr(request_context, "response", None)
            if response is not None:
                response.status_code = 429
                response.headers["Retry-After"] = str(retry_after)
            return GraphQLError(
                f"Too many requests: this client has used its budget of {limits.ANONYMOUS_BUDGET_PER_MINUTE:,} "
                f"(query cost) for this minute. Try again in {retry_after} seconds, or sign in.",
                extensions={"code": "RATE_LIMITED", "retryAfter": retry_after},
            )
    return None


T = TypeVar("T")


def _memoized(query: str | None, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, kept with the cached document (schema/document_cache.py) when there is one."""
    memo = document_cache.memo(query)
    if memo is None:
        return compute()
    if key not in memo:
        document_cache.remember(memo, key, compute())
    return cast(T, memo[key])  # the memo holds what compute() gave for this key
