"""Database engines: one async engine for requests, one sync engine for tools (alembic, demo data)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, cast

import orjson
from sqlalchemy import ARRAY, ColumnElement, any_, bindparam, collate, create_engine, event, func
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.sql.dml import Delete, Update

from backend.collation import danish_sort_key
from backend.settings import get_settings

# PostgreSQL's ICU collation for Danish (Æ, Ø, Å after Z); SQLite gets danish_key() on connect.
DANISH_COLLATION = "da-DK-x-icu"


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # dbapi_connection: the driver's own connection (sqlite3's, or aiosqlite's adapter), untyped in SQLAlchemy
    # SQLite's own lower() folds ASCII only: searches (icontains) would miss "Æ" for "æ".
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    # Danish alphabetical order for ORDER BY and keyset cursors (backend/collation.py).
    dbapi_connection.create_function("danish_key", 1, danish_sort_key, deterministic=True)
    # SQLite enforces foreign keys (and so ON DELETE rules) only when asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _prepare_sqlite_file(url: str) -> None:
    from pathlib import Path

    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _engine_options(url: str, **pool: int) -> dict[str, Any]:
    """The engine's options for the configured database (`pool`: the pool's size, PostgreSQL only).
    hide_parameters: errors and SQL logs never show bound values (a resident's words, a name).
    JSON columns (lists of strings) are read with orjson: several times faster than json.loads, same values."""
    settings = get_settings()
    options: dict[str, Any] = {"echo": settings.log_sql, "hide_parameters": True, "json_deserializer": orjson.loads}
    if settings.is_sqlite:
        _prepare_sqlite_file(url)
        return options
    return {**options, "pool_pre_ping": True, **pool}


@lru_cache
def get_async_engine() -> AsyncEngine:
    url = get_settings().async_database_url
    engine = create_async_engine(url, **_engine_options(url, pool_size=10, max_overflow=10))
    if get_settings().is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


@lru_cache
def get_sync_engine() -> Engine:
    url = get_settings().sync_database_url
    engine = create_engine(url, **_engine_options(url))
    if get_settings().is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@lru_cache
def _sessionmaker() -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(get_async_engine(), expire_on_commit=False)


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    """One session (one connection) for a unit of work; commits on success, rolls back on error."""
    async with _sessionmaker()() as session, committed(session):
        yield session


@asynccontextmanager
async def committed(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The block's writes on the session: committed when it ends, rolled back when it raises."""
    try:
        yield session
        await session.commit()
    except BaseException:  # cancellation too: a cancelled request's half-written transaction never commits
        await session.rollback()
        raise


def new_session() -> AsyncSession:
    """A session whose life the caller manages (the GraphQL context holds one per request)."""
    return _sessionmaker()()


def reset_engines() -> None:
    """Forget engines and settings (tests switch databases)."""
    get_settings.cache_clear()
    get_async_engine.cache_clear()
    get_sync_engine.cache_clear()
    _sessionmaker.cache_clear()


def one_of(column: Any, values: Sequence[Any] | None = None, *, name: str | None = None) -> ColumnElement[bool]:
    """`column IN values`, with SQL text that does not depend on how many values there are.

    On PostgreSQL `column = ANY(:values)` with one array parameter: psycopg parses the text once (its
    cache skips texts with more than 50 parameters) and PostgreSQL can prepare it. SQLite has no
    arrays: an expanding IN there. `name` names the parameter, for values given at execution.
    `column` is a column or a model's attribute (Any: sqlmodel types those as their Python values).
    """
    expression: ColumnElement[Any] = column
    if get_settings().is_sqlite:
        return expression.in_(bindparam(name, values, expanding=True))
    return expression == any_(bindparam(name, values, type_=ARRAY(expression.type)))


def danish_order(expression: Any) -> Any:  # a column or bound parameter -> an ordering expression
    """`expression` as it sorts in Danish alphabetical order: the ICU collation on PostgreSQL, the
    registered danish_key() on SQLite. Both sides of a comparison take it (keyset cursors)."""
    if get_settings().is_sqlite:
        return func.danish_key(expression)
    return collate(expression, DANISH_COLLATION)


async def rows_changed(session: AsyncSession, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed."""
    # For these statements execute() returns a CursorResult (which has the rowcount); SQLAlchemy
    # types it as the general Result.
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount
