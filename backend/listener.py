"""One PostgreSQL LISTEN connection per process, for every channel: public-cache changes
(backend/changes.py) and live events (backend/events.py).

Modules register a channel with `on(channel, handler, on_state=...)` when they are imported; the
connection LISTENs on all registered channels. `on_state(listening)` is called whenever the connection
is (re)established or lost, so a cache can distrust what it may have missed. The connection reconnects
with a short backoff; `ensure_started()` starts it in the running event loop (idempotent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable

from sqlalchemy.engine import make_url


def application_name() -> str:
    """The LISTEN connection's name in pg_stat_activity: which process holds it, for operators and tests."""
    return f"helhedsplan-listen-{os.getpid()}"


log = logging.getLogger(__name__)

_handlers: dict[str, Callable[[str], None]] = {}
_state_hooks: list[Callable[[bool], None]] = []


def on(channel: str, handler: Callable[[str], None], *, on_state: Callable[[bool], None] | None = None) -> None:
    """Call `handler(payload)` for each notification on `channel` (register at import time)."""
    _handlers[channel] = handler
    if on_state is not None:
        watch_state(on_state)
    if _current is not None and channel not in _current.channels:
        _current.restart()  # listen on the new channel too


def watch_state(hook: Callable[[bool], None]) -> None:
    """Call `hook(listening)` whenever the connection is (re)established or lost (register at import time)."""
    _state_hooks.append(hook)


def _set_state(listening: bool) -> None:
    for hook in _state_hooks:
        try:
            hook(listening)
        except Exception:
            log.exception("listener state hook failed")


class _Connection:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.listening = False
        self.connected = asyncio.Event()
        self.channels: frozenset[str] = frozenset()
        self.task = loop.create_task(self._run(), name="helhedsplan-listener")

    def restart(self) -> None:
        self.task.cancel()
        self.task = self.loop.create_task(self._run(), name="helhedsplan-listener")

    async def _run(self) -> None:
        import psycopg

        from backend.settings import get_settings

        url = make_url(get_settings().async_database_url).set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        delay = 0.1
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    conninfo, autocommit=True, connect_timeout=5, application_name=application_name()
                ) as conn:
                    self.channels = frozenset(_handlers)
                    for channel in sorted(self.channels):
                        await conn.execute(f"LISTEN {channel}")
                    self.listening = True
                    self.connected.set()
                    _set_state(True)
                    delay = 0.1
                    async for notify in conn.notifies():
                        handler = _handlers.get(notify.channel)
                        if handler is not None:
                            try:
                                handler(notify.payload)
                            except Exception:
                                log.exception("a notification handler failed")
            except asyncio.CancelledError:
                self._lost()
                raise
            except Exception:
                log.warning("the LISTEN connection was lost; public caches are off until it is back")
            self._lost()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _lost(self) -> None:
        self.connected.clear()
        if self.listening:
            self.listening = False
        _set_state(False)


_current: _Connection | None = None


def ensure_started() -> None:
    """Start this process's LISTEN connection in the running event loop (idempotent)."""
    global _current
    loop = asyncio.get_running_loop()
    current = _current
    if current is not None and current.loop is loop and not current.task.done():
        return
    _current = _Connection(loop)


def is_listening() -> bool:
    return _current is not None and _current.listening


async def wait_connected() -> None:
    ensure_started()
    assert _current is not None
    await _current.connected.wait()


async def stop() -> None:
    global _current
    current, _current = _current, None
    if current is not None and not current.task.done():
        current.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await current.task
