"""Schema extensions: the per-request context kept tidy, and unexpected errors kept to the server."""

from __future__ import annotations

import re
import logging
from typing import AsyncIterator, Iterator

from graphql import GraphQLError, NoSchemaIntrospectionCustomRule, validate
from strawberry.extensions import MaskErrors, SchemaExtension

from backend.settings import get_settings
from backend import observability

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
            log.error("unexpected error in field %s", ".".join(map(str, error.path or ())) or "-",
                      exc_info=error.original_error)


UNEXPECTED_ERROR = "Der skete en uventet fejl. Prøv igen senere. (An unexpected error occurred. Please try again later.)"


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
        if (not get_settings().graphiql and getattr(context.context, "actor", None) is None
                and context.query and _MAY_INTROSPECT.search(context.query)
                and validate(context.schema._schema, context.graphql_document, [NoSchemaIntrospectionCustomRule])):
            raise GraphQLError("Introspection is only for signed-in callers here.",
                               extensions={"code": "INTROSPECTION_DISABLED"})
        yield
