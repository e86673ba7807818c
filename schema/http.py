"""GraphQL over HTTP and WebSocket at /graphql (strawberry's ASGI app, GraphiQL on).

Each HTTP request gets one Context (one session, its own loaders) that is closed when the response
has been sent; a WebSocket connection gets one long-lived Context whose session is released after
each operation (schema/extensions.py).
"""

from __future__ import annotations

from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from auth.request import actor_for_request
from schema.api import schema
from schema.context import Context

CONTEXT_KEY = "helhedsplan.graphql_context"


class GraphQLApp(GraphQL):
    async def get_context(self, request, response) -> Context:
        context = Context(request=request, response=response, long_lived=isinstance(request, WebSocket))
        request.scope[CONTEXT_KEY] = context
        async with context.db_lock:
            context.actor = await actor_for_request(request, context.session)
        return context

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            context = scope.pop(CONTEXT_KEY, None)
            if context is not None:
                await context.close()


def graphql_app() -> GraphQLApp:
    return GraphQLApp(
        schema,
        graphql_ide="graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )


def graphql_routes() -> list:
    app = graphql_app()
    return [Route("/graphql", app), WebSocketRoute("/graphql", app)]
