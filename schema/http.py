"""GraphQL over HTTP and WebSocket at /graphql (strawberry's ASGI app, GraphiQL on).

Each HTTP request gets one Context (one session, its own loaders) that is closed when the response
has been sent; a WebSocket connection gets one long-lived Context whose session is released after
each operation (schema/extensions.py).
"""

from __future__ import annotations

import orjson
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from auth.request import actor_for_request
from schema.api import schema
from schema.context import Context
from schema.over_http import GRAPHQL_RESPONSE_JSON, is_request_error, negotiate
from schema.public_cache import PublicResponseCache

CONTEXT_KEY = "helhedsplan.graphql_context"


class GraphQLApp(GraphQL):
    async def get_context(self, request, response) -> Context:
        context = Context(request=request, response=response, long_lived=isinstance(request, WebSocket))
        request.scope[CONTEXT_KEY] = context
        async with context.db_lock:
            context.actor = await actor_for_request(request, context.session)
        return context

    async def get_sub_response(self, request) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.graphql_media_type = negotiate(request.headers.get("accept"))
        return sub_response

    async def process_result(self, request, result):
        data = await super().process_result(request, result)
        # application/graphql-response+json: a request error has no `data` entry (and answers 400).
        context = request.scope.get(CONTEXT_KEY)
        media = getattr(getattr(context, "response", None), "graphql_media_type", None)
        if media == GRAPHQL_RESPONSE_JSON and is_request_error(result.data, result.errors):
            data.pop("data", None)
        return data

    def create_response(self, response_data, sub_response) -> Response:
        media = getattr(sub_response, "graphql_media_type", "application/json")
        status = sub_response.status_code or 200
        if media == GRAPHQL_RESPONSE_JSON and isinstance(response_data, dict) and "data" not in response_data:
            status = 400
        # A staff answer can be 100 KB: orjson writes it in a tenth of json.dumps' time, as UTF-8.
        response = Response(orjson.dumps(response_data), status_code=status, media_type=media)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

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
    return [Route("/graphql", PublicResponseCache(app)), WebSocketRoute("/graphql", app)]
