"""Liveness and readiness, as orchestrators probe them.

- `/healthz`: the process answers (no database): restart it when this fails.
- `/readyz`: the process can serve: the database answers, its schema is at the newest migration,
  and the change listener (backend/changes.py) is connected, so the public caches are right across
  processes. Send it traffic only while this answers 200.
"""

from __future__ import annotations

import ast
import asyncio
from functools import lru_cache

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from backend import changes
from backend.db import get_async_engine
from backend.settings import ROOT

DATABASE_TIMEOUT = 5.0


MIGRATIONS = ROOT / "backend" / "migrations" / "versions"


@lru_cache
def migration_heads() -> frozenset[str]:
    """The newest revision(s) of backend/migrations (read once per process): the revisions no other
    revision names as its `down_revision`. Read from the scripts' source with `ast`, not with alembic's
    ScriptDirectory, which would import alembic and every script into each server process (about 12 MB
    per process, for a set of strings); a test compares the two."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in MIGRATIONS.glob("*.py"):
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
                targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                if "revision" in names:
                    revisions.add(ast.literal_eval(node.value))
                elif "down_revision" in names and (value := ast.literal_eval(node.value)) is not None:
                    parents.update([value] if isinstance(value, str) else value)
    return frozenset(revisions - parents)


async def _database_revisions() -> frozenset[str]:
    async with get_async_engine().connect() as conn:
        rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
        return frozenset(row[0] for row in rows)


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "alive"})


async def readyz(_request: Request) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        revisions = await asyncio.wait_for(_database_revisions(), DATABASE_TIMEOUT)
    except Exception:  # any failure (refused, timeout, missing table) means not ready
        checks["database"] = "unavailable"
    else:
        checks["database"] = "ok"
        checks["migrations"] = "ok" if revisions == migration_heads() else "not at head"
    changes.ensure_listening()  # starts the listener on the first probe, if no request has yet
    checks["change_listener"] = "ok" if changes.shared() else "not connected"
    ready = all(value == "ok" for value in checks.values()) and "migrations" in checks
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )
