"""GraphQL over HTTP: the response media type and status codes (the GraphQL-over-HTTP specification).

A client that accepts `application/graphql-response+json` (before `application/json`) gets it, and with
it the status codes the specification asks for: a request that fails before execution (a document
that does not parse or validate, variables that do not coerce) answers 400 without a `data` entry.
Other clients get `application/json`, where every GraphQL answer is 200, as before.
"""

from __future__ import annotations

from graphql import GraphQLError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"


def negotiate(accept: str | None) -> str:
    """The media type for an Accept header: the first of the two we speak that the client lists."""
    for part in (accept or "").lower().replace(" ", "").split(","):
        media = part.split(";", 1)[0]
        if media == GRAPHQL_RESPONSE_JSON:
            return GRAPHQL_RESPONSE_JSON
        if media in (APPLICATION_JSON, "application/*", "*/*"):
            return APPLICATION_JSON
    return APPLICATION_JSON


def is_request_error(data: object, errors: list[GraphQLError] | None) -> bool:
    """True when execution never started: no data, and no error belongs to a field (has a path)."""
    return data is None and bool(errors) and all(getattr(e, "path", None) is None for e in errors or ())
