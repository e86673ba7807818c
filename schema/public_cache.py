"""The cache of public answers: what a caller who is not signed in gets is the same for all of them.

One store with one keying and one invalidation scheme, and two doors:

- `PublicResponseCache`, an ASGI wrapper around /graphql: a POST without credentials (decided by
  auth.request.carries_credentials, the sign-in's own parsing) whose document is a query; the key
  is the request as sent (body, Accept and Content-Type), the value the response's bytes.
- `execute_public`, for in-process operations run for a visitor who is not signed in (the portal's
  pages, through schema.api.execute); the key is (document, operation name, variables as JSON), the
  value the result as JSON text, parsed again on every hit so no caller can change another's copy.

An entry is valid while backend.changes.generation() is what it was when the answer was computed (a
write by any process ends it, see backend/changes.py) and for at most TTL_SECONDS (answers relative
to the clock stay close to now). While changes made by other processes cannot be seen
(`changes.shared()` is False: the LISTEN connection is lost) nothing is served or kept. Only
successful answers without errors are kept; concurrent identical misses are computed once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, TypeVar

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.types import ExecutionResult

from auth.request import carries_credentials
from backend import changes, observability

MAX_ENTRIES = 1500
MAX_BYTES = 64 * 1024 * 1024  # per process: keys and answers kept, together
MAX_BODY = 64 * 1024  # bigger requests are not cached (and not read twice)
TTL_SECONDS = 60.0
INFLIGHT_WAIT_SECONDS = 30
_now = time.monotonic  # the clock of TTL_SECONDS (a test moves it)
T = TypeVar("T")
_SKIP_RESPONSE_HEADERS = {b"date", b"server", b"content-length", b"set-cookie"}

stats = {"hits": 0, "misses": 0}
_DOORS = {"http": "response", "operation": "result"}  # the metric's `cache` label per door


# ---------------------------------------------------------------- the store (both doors)
class _Entry:
    __slots__ = ("generation", "at", "value", "size")

    def __init__(self, generation: object, at: float, value: Any, size: int) -> None:
        self.generation, self.at, self.value, self.size = generation, at, value, size


# ("operation", document, operation name, variables as JSON) | ("http", the headers it varies by, the body)
OperationKey = tuple[str, str, str | None, str]
HttpKey = tuple[str, bytes, bytes]
Key = OperationKey | HttpKey
# What is kept for an HTTP answer: (headers, body, the operation's name for the metrics)
HttpEntry = tuple[list[tuple[bytes, bytes]], bytes, str]

_entries: OrderedDict[Key, _Entry] = OrderedDict()
_inflight: dict[Key, tuple[object, asyncio.Future[None]]] = {}  # key -> (generation, done)
_size = 0


def clear() -> None:
    global _size
    _entries.clear()
    _size = 0


def _get(key: Key, generation: object) -> Any:
    """The kept value for the key, when it is of this generation and younger than TTL_SECONDS."""
    entry = _entries.get(key)
    if entry is None or entry.generation != generation or _now() - entry.at >= TTL_SECONDS:
        return None
    _entries.move_to_end(key)
    stats["hits"] += 1
    observability.count_cache_lookup(_DOORS[key[0]], hit=True)
    return entry.value


def _put(key: Key, generation: object, at: float, value: Any, size: int) -> None:
    global _size
    old = _entries.pop(key, None)
    if old is not None:
        _size -= old.size
    _entries[key] = _Entry(generation, at, value, size)
    _size += size
    while _entries and (len(_entries) > MAX_ENTRIES or _size > MAX_BYTES):
        _size -= _entries.popitem(last=False)[1].size


async def _once(key: Key, generation: object, compute: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
    """(True, compute()) for the first caller of a key and generation; (False, None) for the others,
    once the first is done (they look in the store again, and compute themselves if it kept nothing)."""
    pending = _inflight.get(key)
    if pending is not None and pending[0] == generation:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(pending[1]), timeout=INFLIGHT_WAIT_SECONDS)
        return False, None
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    _inflight[key] = (generation, done)
    try:
        stats["misses"] += 1
        observability.count_cache_lookup(_DOORS[key[0]], hit=False)
        return True, await compute()
    finally:
        if _inflight.get(key, (None, None))[1] is done:
            del _inflight[key]
        if not done.done():
            done.set_result(None)


@lru_cache(maxsize=512)
def _is_query(document: str, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(document), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation == OperationType.QUERY


# ---------------------------------------------------------------- door 1: in-process operations
def _operation_key(document: str, variables: dict[str, Any] | None, operation_name: str | None) -> OperationKey | None:
    try:
        return (
            "operation",
            document,
            operation_name,
            json.dumps(variables or {}, sort_keys=True, separators=(",", ":")),
        )
    except (TypeError, ValueError):
        return None  # variables that are not plain JSON: not cached


async def execute_public(
    run: Callable[[], Awaitable[ExecutionResult]],
    document: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> ExecutionResult:
    """`run()` executes the operation for an anonymous caller; a query that succeeded is kept."""
    changes.ensure_listening()
    key = _operation_key(document, variables, operation_name)
    if key is None or not changes.shared() or not _is_query(document, operation_name):
        return await run()
    generation = changes.generation()
    for _ in range(2):
        text = _get(key, generation)
        if text is not None:
            return ExecutionResult(data=json.loads(text), errors=None)
        at = _now()

        async def compute(at: float = at) -> ExecutionResult:  # this turn's `at`
            result = await run()
            if not result.errors and result.data is not None:
                text = json.dumps(result.data, separators=(",", ":"))
                _put(key, generation, at, text, len(text) + len(document))
            return result

        first, result = await _once(key, generation, compute)
        if first and result is not None:  # the first caller's result (compute gives one)
            return result
    return await run()


# ---------------------------------------------------------------- door 2: HTTP POSTs to /graphql
class PublicResponseCache:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def _anonymous_post(scope: Scope) -> tuple[bool, bytes]:
        """Whether the request may be cached, and the headers its answer depends on."""
        if scope["type"] != "http" or scope["method"] != "POST":
            return False, b""
        accept = content_type = b""
        credentials = False
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"content-type":
                content_type = value
            elif name == b"cookie" or name == b"authorization":
                credentials = True
        # No Cookie and no Authorization header: anonymous without parsing anything (the hot path).
        # Otherwise the auth layer's own parsing decides, never the bytes (`hp_session =x` is a session).
        if credentials and carries_credentials(HTTPConnection(scope)):
            return False, b""
        return True, accept + b"|" + content_type

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cacheable, varies = self._anonymous_post(scope)
        if not cacheable:
            await self.app(scope, receive, send)
            return
        changes.ensure_listening()
        body, more = await _read_body(receive)
        replay = _replay(body, more, receive)
        if more or not changes.shared():
            await self.app(scope, replay, send)
            return
        key: HttpKey = ("http", varies, body)
        generation = changes.generation()
        for attempt in range(2):
            entry = _get(key, generation)
            if entry is not None:
                await _send_entry(entry, send)
                return
            if attempt == 0 and not _looks_like_query(body):
                break
            at = _now()

            def answer_and_keep(at: float = at) -> Awaitable[None]:  # this turn's `at`
                return self._answer_and_keep(scope, replay, send, key, generation, at)

            first, _ = await _once(key, generation, answer_and_keep)
            if first:
                return
        await self.app(scope, replay, send)

    async def _answer_and_keep(
        self, scope: Scope, replay: Receive, send: Send, key: HttpKey, generation: object, at: float
    ) -> None:
        captured: dict[str, Any] = {"parts": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["parts"].append(message.get("body", b""))
                captured["done"] = not message.get("more_body", False)
            await send(message)

        await self.app(scope, replay, capture)
        if captured.get("status") != 200 or not captured.get("done"):
            return
        answer = b"".join(captured["parts"])
        if not answer.startswith(b'{"data":') or b'"errors":' in answer:
            return
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in _SKIP_RESPONSE_HEADERS]
        headers.append((b"content-length", str(len(answer)).encode()))
        record = observability.current()  # the hit's metrics and log line name the operation too
        entry: HttpEntry = (headers, answer, record.operation if record else "")
        _put(key, generation, at, entry, len(key[2]) + len(answer))


async def _send_entry(entry: HttpEntry, send: Send) -> None:
    headers, body, operation = entry
    record = observability.current()
    if record is not None:
        record.operation = operation
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _looks_like_query(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return False
    name = data.get("operationName")
    if name is not None and not isinstance(name, str):
        return False
    return _is_query(data["query"], name)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, up to MAX_BODY; `more` tells that it was longer (and not all read)."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), True  # a disconnect: let the app see it
        chunk = message.get("body", b"")
        parts.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(parts), False
        if size > MAX_BODY:
            return b"".join(parts), True


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """A receive() that gives the app the body read so far, then the rest from the client."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay
