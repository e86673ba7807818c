"""The floor: uvicorn + Starlette answering with bytes computed in advance.

No parsing, no database: what is left is the HTTP server and the framework, the least any
Python server here can cost per request. `FLOOR_DIR` holds one `<name>.json` per GraphQL scenario,
served at POST /graphql/<name> (the request body is read, as a real server must), and one
`<name>.html` per page scenario, served at GET /page/<name>.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_FILES = {p.name: p.read_bytes() for p in Path(os.environ.get("FLOOR_DIR", ".")).glob("*.*")}


async def answer(request: Request) -> Response:
    await request.body()
    body = _FILES.get(f"{request.path_params['name']}.json")
    if body is None:
        return Response(status_code=404)
    return Response(body, media_type="application/json")


async def page(request: Request) -> Response:
    body = _FILES.get(f"{request.path_params['name']}.html")
    if body is None:
        return Response(status_code=404)
    return Response(body, media_type="text/html; charset=utf-8")


app = Starlette(
    routes=[Route("/graphql/{name}", answer, methods=["POST"]), Route("/page/{name}", page, methods=["GET"])]
)
