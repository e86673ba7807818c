"""A cache of public GraphQL answers: what an anonymous caller asks is the same for every one of them.

An ASGI wrapper around the GraphQL app. A POST without credentials (no Authorization header, no
session cookie, as auth.request parses them) whose document is a query is answered from an in-process LRU when the same request
(body, Accept and Content-Type) was answered since the last change (backend.changes.generation(),
which counts writes of every process) and not longer ago than TTL_SECONDS (answers that depend on
the clock, such as "next occurrences", stay close to now). Only successful answers without errors
are kept. Signed-in callers, mutations, subscriptions and anything unusual go straight through.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from functools import lru_cache

from graphql import GraphQLError, OperationType, get_operation_ast, parse

from starlette.requests import HTTPConnection

from auth.request import carries_credentials
from backend import changes

MAX_ENTRIES = 1000
MAX_BYTES = 32 * 1024 * 1024  # per process: requests and answers kept, together
MAX_BODY = 64 * 1024  # bigger requests are not cached (and not read twice)
TTL_SECONDS = 60.0
_SKIP_RESPONSE_HEADERS = {b"date", b"server", b"content-length", b"set-cookie"}


@lru_cache(maxsize=512)
def _is_query(document: str, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(document), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation == OperationType.QUERY


class _Entry:
    __slots__ = ("generation", "at", "status", "headers", "body")

    def __init__(self, generation: int, at: float, status: int, headers: list, body: bytes) -> None:
        self.generation, self.at, self.status, self.headers, self.body = generation, at, status, headers, body


class PublicResponseCache:
    def __init__(self, app, *, max_entries: int = MAX_ENTRIES, ttl: float = TTL_SECONDS) -> None:
        self.app = app
        self.max_entries = max_entries
        self.ttl = ttl
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self.inflight: dict[tuple, tuple] = {}
        self.size = 0
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _anonymous_post(scope) -> tuple[bool, bytes]:
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

    async def __call__(self, scope, receive, send) -> None:
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
        key = (varies, body)
        generation = changes.generation()
        entry = self.entries.get(key)
        now = time.monotonic()
        if entry is not None and entry.generation == generation and now - entry.at < self.ttl:
            self.entries.move_to_end(key)
            await self._send_entry(entry, send)
            return
        if not _looks_like_query(body):
            await self.app(scope, replay, send)
            return
        # Many callers asking the same thing at once (a cold cache under load): one computes, the rest wait.
        pending = self.inflight.get(key)
        if pending is not None and pending[0] == generation:
            try:
                await asyncio.wait_for(asyncio.shield(pending[1]), timeout=30)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - fall back to answering it ourselves
                pass
            entry = self.entries.get(key)
            if entry is not None and entry.generation == generation:
                await self._send_entry(entry, send)
                return
            await self.app(scope, replay, send)
            return
        done = asyncio.get_running_loop().create_future()
        self.inflight[key] = (generation, done)
        try:
            await self._answer_and_keep(scope, replay, send, key, generation, now)
        finally:
            if self.inflight.get(key, (None, None))[1] is done:
                del self.inflight[key]
            if not done.done():
                done.set_result(None)

    async def _send_entry(self, entry: _Entry, send) -> None:
        self.hits += 1
        await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _answer_and_keep(self, scope, replay, send, key, generation, now) -> None:
        self.misses += 1
        captured: dict = {"parts": []}

        async def capture(message) -> None:
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
        self._store(key, _Entry(generation, now, 200, headers, answer))

    def _store(self, key: tuple, entry: _Entry) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(key[1]) + len(old.body)
        self.entries[key] = entry
        self.size += len(key[1]) + len(entry.body)
        while self.entries and (len(self.entries) > self.max_entries or self.size > MAX_BYTES):
            (_, dropped_body), dropped = self.entries.popitem(last=False)
            self.size -= len(dropped_body) + len(dropped.body)


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


async def _read_body(receive) -> tuple[bytes, bool]:
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


def _replay(body: bytes, more: bool, receive):
    """A receive() that gives the app the body read so far, then the rest from the client."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay
