"""The composition root: one Starlette app with the GraphQL API, sign-in and the web portal.

This is the only module in backend/ that imports auth/, schema/ and frontend/.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auth.routes import auth_routes
from auth.request import actor_for_request
from backend.body_limit import BodySizeLimit
from backend.db import get_async_engine
from backend.report import report_routes
from frontend.routes import portal_routes
from schema.http import graphql_routes
from schema.limits import MAX_REQUEST_BODY


async def healthz(_request: Request) -> JSONResponse:
    try:
        async with get_async_engine().connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database does not answer
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@asynccontextmanager
async def lifespan(_app: Starlette):
    yield
    await get_async_engine().dispose()


def create_app() -> Starlette:
    routes = [Route("/healthz", healthz), *graphql_routes(), *report_routes(actor_for_request), *auth_routes(), *portal_routes()]
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(BodySizeLimit, max_bytes=MAX_REQUEST_BODY)])


app = create_app()
