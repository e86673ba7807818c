"""GraphQL over HTTP and WebSocket at /graphql (strawberry's ASGI app, GraphiQL on).

Each HTTP request gets one Context (one session, its own loaders) that is closed when the response
has been sent; a WebSocket connection gets one long-lived Context whose session is released after
each operation (schema/extensions.py), and whose rights end with its sign-in (schema/live.py).
"""

from __future__ import annotations

from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from auth.request import actor_for_request, identify
from backend.settings import get_settings
from schema.api import schema
from schema.context import Context
from schema.live import IdentityCheckedHandler
from schema.over_http import GRAPHQL_RESPONSE_JSON, is_request_error, negotiate

CONTEXT_KEY = "helhedsplan.graphql_context"

# GraphiQL from the project's own assets (npm graphiql, react, react-dom, copied into /static/graphiql by
# frontend/assets.py), so it works offline. Its page's policy allows no inline or foreign script; the
# editor sets inline styles, so styles may be inline here (and only here).
GRAPHIQL_HTML = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


class GraphQLApp(GraphQL[Context, None]):
    # A WebSocket's rights are checked again for each operation and event, and end with its sign-in.
    graphql_transport_ws_handler_class = IdentityCheckedHandler

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        websocket = isinstance(request, WebSocket)
        context = Context(request=request, response=response, long_lived=websocket, metered=not websocket)
        request.scope[CONTEXT_KEY] = context
        async with context.db_lock:
            if websocket:
                context.identity, context.actor = await identify(request, context.session)
            else:
                context.actor = await actor_for_request(request, context.session)
        return context

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(
            GRAPHIQL_HTML, headers={"content-security-policy": GRAPHIQL_CSP, "cache-control": "no-cache"}
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Carried on the sub-response (which starlette does not type for it) to process_result and create_response.
        sub_response.graphql_media_type = negotiate(request.headers.get("accept"))  # type: ignore[attr-defined]
        return sub_response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = await super().process_result(request, result)
        # application/graphql-response+json: a request error has no `data` entry (and answers 400).
        context = request.scope.get(CONTEXT_KEY)
        media = getattr(getattr(context, "response", None), "graphql_media_type", None)
        if media == GRAPHQL_RESPONSE_JSON and is_request_error(result.data, result.errors):
            data.pop("data", None)
        return data

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media = getattr(sub_response, "graphql_media_type", "application/json")
        status = sub_response.status_code or 200
        if (
            media == GRAPHQL_RESPONSE_JSON
            and status == 200
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            status = 400
        # A staff answer can be 100 KB: orjson writes it in a tenth of json.dumps' time, as UTF-8.
        response = Response(orjson.dumps(response_data), status_code=status, media_type=media)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            context = scope.pop(CONTEXT_KEY, None)
            if context is not None:
                await context.close()


def graphql_app() -> GraphQLApp:
    return GraphQLApp(
        schema,
        # Development only (ENVIRONMENT=production turns it off; see backend/settings.py).
        graphql_ide="graphiql" if get_settings().graphiql else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )


def graphql_routes() -> list[BaseRoute]:
    app = graphql_app()
    return [Route("/graphql", app), WebSocketRoute("/graphql", app)]  # public answers: schema.public_cache
