"""The floor: uvicorn + Starlette answering every POST with bytes computed in advance.

No parsing, no database: what is left is the HTTP server and the framework, the least any
Python server here can cost per request. `FLOOR_DIR` holds one `<name>.json` per scenario,
served at POST /graphql/<name> (the request body is read, as a real server must).
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_BODIES = {p.stem: p.read_bytes() for p in Path(os.environ.get("FLOOR_DIR", ".")).glob("*.json")}


async def answer(request: Request) -> Response:
    await request.body()
    body = _BODIES.get(request.path_params["name"])
    if body is None:
        return Response(status_code=404)
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/graphql/{name}", answer, methods=["POST"])])
