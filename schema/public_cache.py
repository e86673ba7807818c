"""The cache of public answers: what a caller who is not signed in gets is the same for all of them.

One store with one keying and one invalidation scheme, and three doors:

- `PublicResponseCache`, an ASGI middleware for POSTs to /graphql: a POST without credentials (decided
  by auth.request.carries_credentials, the sign-in's own parsing) whose document is a query; the key
  is the request as sent (body, Accept and Content-Type), the value the response's bytes with their
  headers (the security headers included). It sits just inside the request observer (request id,
  metrics, log line) and outside everything else, so that a hit, the busiest path of the portal,
  passes through nothing that would only add the same headers again.
- `PublicPageCache`, an ASGI middleware for the portal's whole pages: a GET for which the portal's
  `key_of(scope)` (frontend/page_cache.py: no credentials, by the same parsing; per language) gives a
  key; a hit answers `If-None-Match` with 304.
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
# Per process, keys and answers together: the most a stream of distinct anonymous questions can add to a
# worker (about 300 of S1's answers or area pages; the least recently used go first).
MAX_BYTES = 16 * 1024 * 1024
MAX_BODY = 64 * 1024  # bigger requests are not cached (and not read twice)
TTL_SECONDS = 60.0
INFLIGHT_WAIT_SECONDS = 30
_now = time.monotonic  # the clock of TTL_SECONDS (a test moves it)
T = TypeVar("T")
_SKIP_RESPONSE_HEADERS = {b"date", b"server", b"content-length", b"set-cookie", b"x-request-id"}

stats = {"hits": 0, "misses": 0}
_DOORS = {"http": "response", "operation": "result", "page": "page"}  # the metric's `cache` label per door


# ---------------------------------------------------------------- the store (both doors)
class _Entry:
    __slots__ = ("generation", "at", "value", "size")

    def __init__(self, generation: object, at: float, value: Any, size: int) -> None:
        self.generation, self.at, self.value, self.size = generation, at, value, size


# ("operation", document, operation name, variables as JSON) | ("http", the headers it varies by, the body)
# | ("page", language, path, query string)
Key = tuple[str | bytes | None, ...]
# What is kept for an HTTP answer: (headers, body, the operation's name for the metrics, the matched route)
HttpEntry = tuple[list[tuple[bytes, bytes]], bytes, str, object]

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
    observability.count_cache_lookup(_DOORS[str(key[0])], hit=True)
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
        observability.count_cache_lookup(_DOORS[str(key[0])], hit=False)
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
def _operation_key(document: str, variables: dict[str, Any] | None, operation_name: str | None) -> Key | None:
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


# ---------------------------------------------------------------- doors 2 and 3: HTTP requests
class _HttpDoor:
    """What the two HTTP doors share: a hit is sent with the headers kept from its miss; a miss is
    answered by the app and kept when `keep(status, headers, body)` says so."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def keep(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
        raise NotImplementedError

    async def serve(
        self, scope: Scope, receive: Receive, send: Send, key: Key, cacheable: Callable[[], bool] | None = None
    ) -> None:
        """Answer from the store, or by the app (and keep the answer); `cacheable()` is asked after the
        first miss only, so that a hit costs no parsing."""
        generation = changes.generation()
        for attempt in range(2):
            entry = _get(key, generation)
            if entry is not None:
                await _send_entry(entry, scope, send)
                return
            if attempt == 0 and cacheable is not None and not cacheable():
                break
            at = _now()

            async def answer(at: float = at) -> None:  # this turn's `at`
                await self._answer_and_keep(scope, receive, send, key, generation, at)

            first, _ = await _once(key, generation, answer)
            if first:
                return
        await self.app(scope, receive, send)

    async def _answer_and_keep(
        self, scope: Scope, receive: Receive, send: Send, key: Key, generation: object, at: float
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

        await self.app(scope, receive, capture)
        if not captured.get("done"):
            return
        answer = b"".join(captured["parts"])
        if not self.keep(captured.get("status", 0), captured["headers"], answer):
            return
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in _SKIP_RESPONSE_HEADERS]
        headers.append((b"content-length", str(len(answer)).encode()))
        record = observability.current()  # the hit's metrics and log line name the operation too
        entry: HttpEntry = (headers, answer, record.operation if record else "", scope.get("route"))
        _put(key, generation, at, entry, sum(len(part) for part in key if isinstance(part, bytes)) + len(answer))


class PublicResponseCache(_HttpDoor):
    """Door 2: anonymous POSTs of a query to `path` (/graphql)."""

    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        super().__init__(app)
        self.path = path

    def _anonymous_post(self, scope: Scope) -> tuple[bool, bytes]:
        """Whether the request may be cached, and the headers its answer depends on."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
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

    @staticmethod
    def keep(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
        return status == 200 and body.startswith(b'{"data":') and b'"errors":' not in body

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
        await self.serve(scope, replay, send, ("http", varies, body), lambda: _looks_like_query(body))


class PublicPageCache(_HttpDoor):
    """Door 3: whole pages for visitors who are not signed in. `key_of(scope)` (the portal's) gives
    the key of a page that may be kept, from the request's parsed identity and language, or None.
    A kept page is only a complete 200 that sets no cookie; a hit answers `If-None-Match` with 304."""

    def __init__(self, app: ASGIApp, key_of: Callable[[Scope], tuple[str, str, bytes] | None]) -> None:
        super().__init__(app)
        self.key_of = key_of

    @staticmethod
    def keep(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
        return status == 200 and not any(name.lower() == b"set-cookie" for name, _ in headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self.key_of(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        changes.ensure_listening()
        if not changes.shared():
            await self.app(scope, receive, send)
            return
        await self.serve(scope, receive, _answer_not_modified(scope, send), ("page", *key))


def _answer_not_modified(scope: Scope, send: Send) -> Send:
    """A send() that turns a 200 whose ETag the request already holds (`If-None-Match`) into a 304."""
    wanted = next((value for name, value in scope["headers"] if name == b"if-none-match"), None)
    if wanted is None:
        return send
    held = {tag.strip().removeprefix(b"W/") for tag in wanted.split(b",")}
    skip_body = False

    async def conditional(message: Message) -> None:
        nonlocal skip_body
        if message["type"] == "http.response.start" and message["status"] == 200:
            headers = message.get("headers", [])
            etag = next((value for name, value in headers if name.lower() == b"etag"), None)
            if etag is not None and (etag.removeprefix(b"W/") in held or b"*" in held):
                skip_body = True
                kept = [(k, v) for k, v in headers if k.lower() != b"content-length" and k.lower() != b"content-type"]
                await send({**message, "status": 304, "headers": kept})
                return
        if skip_body:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b""})
            return
        await send(message)

    return conditional


async def _send_entry(entry: HttpEntry, scope: Scope, send: Send) -> None:
    headers, body, operation, route = entry
    record = observability.current()
    if record is not None:
        record.operation = operation
    if route is not None:
        scope["route"] = route  # the metrics' route label, as the router would have set it
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
