"""A cache of public results for in-process operations (the portal's pages run these).

What a caller who is not signed in gets from a query depends only on the document, the variables
and the data; so `schema.api.execute(..., actor=None)` keeps successful query results here, keyed by
(document, operation name, variables), valid while backend.changes.generation() is unchanged (a
write by any process ends it) and for at most TTL_SECONDS (results relative to the clock stay close
to now). Results are kept as JSON and parsed again on every hit, so no caller can change another's.
Concurrent identical misses are computed once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable

from strawberry.types import ExecutionResult

from backend import changes, observability
from schema.response_cache import _is_query

MAX_ENTRIES = 500
MAX_BYTES = 32 * 1024 * 1024
TTL_SECONDS = 60.0

_entries: OrderedDict[tuple, tuple] = OrderedDict()  # key -> (generation, at, json text)
_inflight: dict[tuple, tuple] = {}
_size = 0
stats = {"hits": 0, "misses": 0}


def clear() -> None:
    global _size
    _entries.clear()
    _size = 0


def _key(document: str, variables: dict | None, operation_name: str | None) -> tuple | None:
    try:
        return (document, operation_name, json.dumps(variables or {}, sort_keys=True, separators=(",", ":")))
    except (TypeError, ValueError):
        return None  # variables that are not plain JSON: not cached


def _hit(key: tuple, generation) -> ExecutionResult | None:
    entry = _entries.get(key)
    if entry is None or entry[0] != generation or time.monotonic() - entry[1] >= TTL_SECONDS:
        return None
    _entries.move_to_end(key)
    stats["hits"] += 1
    observability.count_cache_lookup("result", hit=True)
    return ExecutionResult(data=json.loads(entry[2]), errors=None)


def _store(key: tuple, generation, data: Any) -> None:
    global _size
    text = json.dumps(data, separators=(",", ":"))
    old = _entries.pop(key, None)
    if old is not None:
        _size -= len(old[2]) + len(key[0])
    _entries[key] = (generation, time.monotonic(), text)
    _size += len(text) + len(key[0])
    while _entries and (len(_entries) > MAX_ENTRIES or _size > MAX_BYTES):
        dropped_key, dropped = _entries.popitem(last=False)
        _size -= len(dropped[2]) + len(dropped_key[0])


async def execute_public(run: Callable[[], Awaitable[ExecutionResult]], document: str, variables: dict | None,
                         operation_name: str | None) -> ExecutionResult:
    """`run()` executes the operation; its result is kept when it is a query that succeeded."""
    changes.ensure_listening()
    key = _key(document, variables, operation_name)
    if key is None or not changes.shared() or not _is_query(document, operation_name):
        return await run()
    generation = changes.generation()
    cached = _hit(key, generation)
    if cached is not None:
        return cached
    pending = _inflight.get(key)
    if pending is not None and pending[0] == generation:
        try:
            await asyncio.wait_for(asyncio.shield(pending[1]), timeout=30)
        except Exception:  # noqa: BLE001 - compute it ourselves below
            pass
        cached = _hit(key, generation)
        if cached is not None:
            return cached
        return await run()
    done = asyncio.get_running_loop().create_future()
    _inflight[key] = (generation, done)
    try:
        stats["misses"] += 1
        observability.count_cache_lookup("result", hit=False)
        result = await run()
        if not result.errors and result.data is not None:
            _store(key, generation, result.data)
        return result
    finally:
        if _inflight.get(key, (None, None))[1] is done:
            del _inflight[key]
        if not done.done():
            done.set_result(None)
