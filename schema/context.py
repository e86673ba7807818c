"""The per-request context: the actor, one database session, and the request's DataLoaders.

One AsyncSession (so one connection) per request, opened on first use and shared by every loader;
AsyncSession allows one statement at a time, so readers take `db_lock` (loaders do it for you).
Mutations run their single transaction in `async with ctx.write() as session:`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy import Executable, Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from auth.request import Identity, SignInEnded
from backend.actor import Actor
from backend.db import committed, new_session

# Rows of any number of columns (Row is variadic: Row[Any] would be a row of one column).
Rows = Sequence[Row[*tuple[Any, ...]]]


def _fetch_on_connection(session: Session, statement: Executable, params: dict[str, Any] | None) -> Rows:
    return session.connection().execute(statement, params).all()


class Context:
    def __init__(
        self,
        *,
        actor: Actor | None = None,
        request: Any = None,
        response: Any = None,
        session_factory: Callable[[], AsyncSession] = new_session,
        long_lived: bool = False,
        metered: bool = False,
    ) -> None:
        self.actor = actor
        # How a WebSocket signed in (auth.request.Identity): its rights are derived again from it
        # (refresh_actor); sign_in_ended is set when they have ended (see schema/live.py).
        self.identity: Identity | None = None
        self.sign_in_ended: asyncio.Event | None = None
        self.request = request
        self.response = response
        # A WebSocket context outlives its operations: its session is released after each one.
        self.long_lived = long_lived
        # An HTTP request to /graphql: anonymous work executed for it is charged to its client's budget.
        self.metered = metered
        self.db_lock = asyncio.Lock()
        # Per-request DataLoaders, keyed by class name (see schema/loaders.py).
        self.loaders: dict[str, Any] = {}
        self.batcher: Any = None  # schema.loaders.Batcher, made by the first loader
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._writer: asyncio.Task[object] | None = None  # the task inside write(), which holds the lock

    async def refresh_actor(self) -> Actor | None:
        """The actor with the rights of this moment, for a long-lived connection (others keep theirs).

        Raises auth.request.SignInEnded (and tells the connection) when the sign-in has ended.
        """
        if self.identity is None:
            return self.actor
        try:
            self.actor = await self.identity.current_actor()
        except SignInEnded:
            self.actor = None
            if self.sign_in_ended is not None:
                self.sign_in_ended.set()
            raise
        return self.actor

    @property
    def session(self) -> AsyncSession:
        """The request's session (opened lazily; use it under `async with ctx.db_lock:`)."""
        if self._session is None:
            self._session = self._session_factory()
        return self._session

    async def fetch(self, statement: Executable, params: dict[str, Any] | None = None) -> Rows:
        """All rows of a statement (with bind parameter values), run on the request's session under the lock.

        Inside `write()` the writing task already holds the lock and reads on its transaction.
        """
        if self.writing_here():
            return (await self.session.execute(statement, params)).all()
        async with self.db_lock:
            session = self.session
            if session.new or session.dirty or session.deleted:
                return (await session.execute(statement, params)).all()  # autoflush first
            # Nothing to flush: run the select on the session's connection (same transaction) and
            # skip the ORM's result layer; loaders select columns, never entities.
            return await session.run_sync(_fetch_on_connection, statement, params)

    async def scalar(self, statement: Executable) -> Any:
        rows = await self.fetch(statement)
        return rows[0][0] if rows else None

    def writing_here(self) -> bool:
        """Whether the running task is the one inside `write()` (it reads on the write's transaction)."""
        return self._writer is not None and self._writer is asyncio.current_task()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """The mutation's one transaction: commit on success, roll back on error.

        Reads done earlier in the request are ended first, so the write starts a fresh transaction, and
        their loaders are forgotten. Inside the block the writing task reads on the transaction: with the
        session, `ctx.fetch`, or loaders, which then load at once instead of batching. What loaders read
        there is the state the write left, and fields resolved after the write are served from it;
        when the write fails, it is forgotten too.
        """
        async with self.db_lock:
            session = self.session
            if session.in_transaction():
                await session.rollback()
            # Batches already on their way finish first, with the loaders they belong to.
            self.batcher = None
            self.loaders.clear()
            self._writer = asyncio.current_task()
            try:
                async with committed(session):
                    yield session
            except BaseException:
                self.loaders.clear()  # what they read inside the failed write is rolled back
                raise
            finally:
                self._writer = None
                self.batcher = None

    async def close(self) -> None:
        """End the operation: release the connection and forget cached rows. Safe to call twice;
        the context may be used again afterwards (a WebSocket context is, for its next operation)."""
        batcher, self.batcher = self.batcher, None
        self.loaders.clear()
        if batcher is not None and not self.long_lived:
            # The request is over: nothing waits for its batches any more.
            batcher.cancel()
        # Other operations of a WebSocket may still be reading: their batches finish on a new session,
        # and the session is never pulled from under a running statement.
        async with self.db_lock:
            session, self._session = self._session, None
        if session is not None:
            if session.in_transaction() and not (session.new or session.dirty or session.deleted):
                # Only reads are left (writes commit in write()): end them with COMMIT, not close()'s
                # ROLLBACK, which makes psycopg drop its prepared statements, so that the next request
                # on this connection reuses them.
                with suppress(Exception):
                    await session.commit()
            await session.close()
