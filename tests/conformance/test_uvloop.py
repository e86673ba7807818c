"""Production runs uvicorn[standard], whose `--loop auto` is uvloop: the suite's servers run on it too,
and the loaders batch the same way on uvloop as on asyncio (they read nothing private of the loop)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import uvloop

from schema.context import Context
from schema.loaders import Loader
from tests.servers import start_server, stop_server


def test_the_suites_servers_run_on_uvloop_as_production_does():
    process, url = start_server()  # uvicorn's default --loop auto, as in production
    try:
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
        maps = Path(f"/proc/{process.pid}/maps").read_text()
    finally:
        stop_server(process)
    assert "uvloop/loop" in maps, "the test server does not run on uvloop (is uvicorn[standard] installed?)"


class _Recorded(Loader[int, int]):
    """A loader without a database: records each batch it is asked for."""

    batches: list[list[int]]

    async def batch_load(self, keys: list[int]) -> list[int]:
        type(self).batches.append(sorted(keys))
        await asyncio.sleep(0)  # a statement takes a turn or more of the loop
        return [k * 10 for k in keys]


async def _resolve_tree() -> list[list[int]]:
    """Three levels of a query: each level's keys come from the values of the level above, found by
    resolvers that take a few loop turns (as graphql-core's tasks do) before they ask."""
    _Recorded.batches = []
    context = Context()
    loader = _Recorded(context)

    async def resolve(key: int, depth: int) -> int:
        for _ in range(key % 3):
            await asyncio.sleep(0)
        value = await loader.load(key)
        if depth < 2:
            await asyncio.gather(*(resolve(value + i, depth + 1) for i in range(1, 4)))
        return value

    try:
        await asyncio.gather(*(resolve(k, 0) for k in range(1, 6)))
    finally:
        await context.close()
    return _Recorded.batches


@pytest.mark.parametrize("loop_factory", [asyncio.new_event_loop, uvloop.new_event_loop], ids=["asyncio", "uvloop"])
def test_loaders_batch_one_statement_per_level_on_either_loop(loop_factory):
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        batches = runner.run(_resolve_tree())
    assert [len(b) for b in batches] == [5, 15, 45], batches
