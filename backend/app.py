"""The composition root: one Starlette app with the GraphQL API, sign-in and the web portal.

This is the only module in backend/ that imports auth/, schema/ and frontend/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from auth.issuers import get_issuers
from auth.routes import auth_routes
from backend import changes, mail, observability
from backend.body_limit import BodySizeLimit
from backend.db import get_async_engine, new_session
from backend.health import healthz, migration_heads, readyz
from backend.mail import sender as mail_sender
from backend.security_headers import SecurityHeaders
from backend.settings import get_settings
from frontend.operations import documents as portal_operations
from frontend.page_cache import public_page_key
from frontend.routes import portal_routes
from schema.http import graphql_routes
from schema.limits import MAX_REQUEST_BODY
from schema.public_cache import PublicPageCache, PublicResponseCache


async def metrics(request: Request) -> Response:
    status = observability.metrics_allowed(request.scope, get_settings().metrics_token)
    if status != 200:
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return Response(status_code=status, headers=headers)
    async with new_session() as session:
        backlog = await mail.outbox_backlog(session)
    outbox = {status.value: count for status, count in backlog.items()}
    body, media_type = await run_in_threadpool(observability.render_metrics, outbox)  # reads the workers' files
    return Response(body, media_type=media_type, headers={"Cache-Control": "no-store"})


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    changes.ensure_listening()  # connected before the first request, so /readyz turns ready soon
    migration_heads()  # read the migration scripts once, before the first probe
    mail_sender.start()  # sends the outbox (on SQLite only in the one process holding its lock)
    yield
    await mail_sender.stop()
    await get_async_engine().dispose()


def create_app() -> Starlette:
    # Refuse to start with a bad configuration (in production: development secrets or providers).
    settings = get_settings()
    get_issuers()
    observability.configure_logging(json_lines=settings.logs_as_json, level=settings.log_level)
    observability.known_operations(portal_operations())
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        *graphql_routes(),
        *auth_routes(),
        *portal_routes(),
    ]
    middleware = [
        Middleware(observability.RequestObserver),
        # Public answers of /graphql: a hit is sent from here, with the headers kept from the miss.
        Middleware(PublicResponseCache, path="/graphql"),
        Middleware(PublicPageCache, key_of=public_page_key),  # whole pages for visitors not signed in
        Middleware(SecurityHeaders),
        Middleware(BodySizeLimit, max_bytes=MAX_REQUEST_BODY),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)


app = create_app()
