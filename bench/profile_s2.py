"""In-process measure of the staff deep query (S2): CPU per request and SQL statements per request.

Runs against the bench database (start the cluster with `pg_ctlcluster 15 bench start`):
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5433/hp_bench \
        .venv/bin/python -m bench.profile_s2 [N] [--profile] [--plans 50]

--plans: the same query for that many plans (S2b: 50); CPU per returned object tells whether the cost
grows with the answer's size only (flat) or faster.

--profile: cProfile's top entries (by own time, then cumulative); the profiler's overhead inflates the
CPU figures of that run, so compare them only with another --profile run.

Measures the whole request as the portal runs it: sign-in from verified claims (account, scope) on the
request's session, then the operation; JWT signature checking is left out (it needs the provider).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from auth.accounts import account_for_claims
from auth.issuers import get_issuers
from backend.actor import load_actor
from backend.cli import tune_gc
from backend.db import get_async_engine
from bench.scenarios import STAFF_ACCOUNT
from schema.api import schema
from schema.context import Context

DOCUMENT = (Path(__file__).resolve().parent / "queries" / "s2.portal.graphql").read_text(encoding="utf-8")
TOP = 35  # entries of the profile printed, by own time and by cumulative time
CLAIMS = {
    "sub": STAFF_ACCOUNT,
    "municipality_code": "101",
    "name": "Medarbejder i TMF (demo)",
    "actor_kind": "MUNICIPALITY",
}


def objects(value: Any) -> int:
    """The objects in an answer (its dicts, connections' and the root's included)."""
    if isinstance(value, dict):
        return 1 + sum(objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(objects(v) for v in value)
    return 0


async def one(issuer, document: str = DOCUMENT) -> dict[str, Any]:
    context = Context()
    try:
        async with context.db_lock:
            account = await account_for_claims(context.session, issuer, CLAIMS)
            context.actor = await load_actor(context.session, account)
        result = await schema.execute(document, context_value=context)
    finally:
        await context.close()
    if result.errors or result.data is None:
        raise SystemExit(f"errors: {result.errors}")
    return result.data


async def main() -> None:
    tune_gc()  # as the server does (backend.cli.frozen_app)
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=30, help="requests measured")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--plans", type=int, default=10)
    arguments = parser.parse_args()
    n = arguments.n
    document = DOCUMENT.replace("plans(first: 10)", f"plans(first: {arguments.plans})")
    issuer = get_issuers().by_id("dev-kommune")
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    event.listen(get_async_engine().sync_engine, "before_cursor_execute", count)
    for _ in range(5):
        data = await one(issuer, document)
    plans = data["plans"]["nodes"]
    statements = 0
    profiler = cProfile.Profile() if arguments.profile else None
    if profiler is not None:
        profiler.enable()
    batches = []  # CPU per request of batches of 10: the machine is shared, the lower ones are the truth
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(0, n, 10):
        start = time.process_time()
        for _ in range(min(10, n - i)):
            await one(issuer, document)
        batches.append((time.process_time() - start) / min(10, n - i) * 1000)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profiler is not None:
        profiler.disable()
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler).sort_stats(order).print_stats(TOP)
    batches.sort()
    returned = objects(data)
    print(f"plans {len(plans)}, activities {sum(len(p['activities']['nodes']) for p in plans)}, objects {returned}")
    print(
        f"S2 in-process: {cpu / n * 1000:.1f} ms CPU/request (batches of 10: min {batches[0]:.1f}, "
        f"median {batches[len(batches) // 2]:.1f}; {batches[0] / returned * 1000:.1f} us per object at the min), "
        f"{wall / n * 1000:.1f} ms wall/request, {statements / n:.2f} statements/request (pre-ping included)"
    )


if __name__ == "__main__":
    asyncio.run(main())
