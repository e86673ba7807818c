"""A change counter for caches of public answers, kept right across server processes.

`generation()` is a number that grows after every committed write of data the public may see.
A cache keyed by it never serves an answer older than the last write it knows of:

- Every database connection of this process is watched (SQLAlchemy engine events): a transaction
  that ran an INSERT, UPDATE or DELETE construct on a table other than the private ones below, or
  DDL, is "dirty". The table comes from the compiled statement itself (what the ORM and the services
  built), never from the SQL text; a textual statement cannot be inspected, so it counts as a write.
- On PostgreSQL a dirty transaction sends `pg_notify` just before it commits; PostgreSQL delivers it
  only if the commit succeeds, to every process that LISTENs, its own included. Each process keeps
  one LISTEN connection (backend/listener.py, shared with live events; started by
  `ensure_listening()`) and counts up on each notification. A
  reader that took the old number before the commit stores its answer under that old number, which
  nobody asks for any more; so no stale answer outlives the notification.
- Locally the counter also counts up when a dirty transaction ends, so this process sees its own
  writes at once (and SQLite, which has no NOTIFY, is covered for the single process it serves).
- SQLite has no NOTIFY: there the number also holds the size and time of the database file and its
  write-ahead log, which any process's commit changes, so processes sharing a file see each other.
- While the LISTEN connection is down (e.g. a database restart), `shared()` is False and caches must
  not serve; when it is back, the counter jumps, because notifications may have been missed.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.pool import ConnectionPoolEntry

from backend import listener

log = logging.getLogger(__name__)

CHANNEL = "helhedsplan_changes"
# Tables whose rows no anonymous caller ever sees: writing them leaves public answers as they were.
PRIVATE_TABLES = frozenset(
    {
        "websession",
        "account",
        "auditevent",
        "liveevent",
        "residency",
        "residencycode",
        "inputreport",
        "alembic_version",
        "clientbudget",
    }
)
_DIRTY = "helhedsplan_changes_dirty"
_QUEUED = "helhedsplan_notify_at_commit"  # (channel, payload) to send just before the commit

_counter = itertools.count(1)
_generation = 0
_listener: _Postgres | _Local | None = None
_sqlite_files: tuple[str, ...] = ()


# (modification time in ns, size) of each SQLite file, None for one that is not there
FileSignature = tuple[tuple[int, int] | None, ...]


def _file_signature() -> FileSignature:
    out: list[tuple[int, int] | None] = []
    for path in _sqlite_files:
        try:
            st = os.stat(path)
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def generation() -> int | tuple[int, FileSignature]:
    """The current change count of this process (compare for equality only)."""
    if _sqlite_files:
        return (_generation, _file_signature())
    return _generation


def bump() -> int:
    """Count up (a change happened, or may have been missed)."""
    global _generation
    _generation = next(_counter)
    return _generation


def shared() -> bool:
    """Whether changes made by other processes are seen (always, when this is the only process: SQLite)."""
    if _listener is None:
        return False
    return _listener.listening


# A text statement that writes only private tables says so with this execution option
# (`text(...).execution_options(**PRIVATE_WRITE)`), since its SQL cannot be inspected.
PRIVATE_WRITE = {"helhedsplan_private_write": True}
# A SELECT construct that writes public tables in its WITH (INSERT ... RETURNING) says so with this one.
WRITES = {"helhedsplan_public_write": True}


def is_public_write(context: DefaultExecutionContext | None) -> bool:
    """Whether a statement (its SQLAlchemy execution context) may change what the public sees."""
    if context is None or context.isddl:
        return True
    if context.execution_options.get("helhedsplan_private_write"):
        return False
    if context.execution_options.get("helhedsplan_public_write"):
        return True
    if context.isinsert or context.isupdate or context.isdelete:
        statement = context.compiled.statement if context.compiled is not None else None
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        return name is None or name.lower() not in PRIVATE_TABLES
    compiled = getattr(context, "compiled", None)
    # A select construct reads; text and driver-level SQL cannot be inspected: counted as writes.
    return compiled is None or getattr(compiled.statement, "is_select", False) is False


def is_dirty(conn: Connection) -> bool:
    """Whether the connection's transaction has written data the public may see."""
    return bool(conn.info.get(_DIRTY))


# ---------------------------------------------------------------- engine events (every engine)
@event.listens_for(Engine, "after_cursor_execute")
def _mark(
    conn: Connection,
    cursor: DBAPICursor,
    statement: str,
    parameters: object,
    context: DefaultExecutionContext | None,
    executemany: bool,
) -> None:
    if not conn.info.get(_DIRTY) and is_public_write(context):
        conn.info[_DIRTY] = True


def notify_at_commit(conn: Connection, channel: str, payloads: Iterable[str]) -> None:
    """PostgreSQL: send these notifications when the connection's transaction commits (and never when it
    rolls back), with the change notice, in one statement (PostgreSQL delivers NOTIFY only on commit anyway)."""
    conn.info.setdefault(_QUEUED, []).extend((channel, payload) for payload in payloads)


@event.listens_for(Engine, "commit")
def _notify_before_commit(conn: Connection) -> None:
    queued: list[tuple[str, str]] = conn.info.pop(_QUEUED, [])
    if conn.info.get(_DIRTY) and conn.dialect.name == "postgresql":
        queued.append((CHANNEL, ""))
    if queued:
        # Inside the transaction: delivered to every listener only if the commit succeeds.
        channels, payloads = zip(*queued, strict=True)
        conn.exec_driver_sql(
            "SELECT pg_notify(c, p) FROM unnest(%s::text[], %s::text[]) AS n(c, p)",
            (list(channels), list(payloads)),
            execution_options=PRIVATE_WRITE,
        )


@event.listens_for(Engine, "rollback")
def _forget(conn: Connection) -> None:
    conn.info.pop(_DIRTY, None)
    conn.info.pop(_QUEUED, None)


@event.listens_for(Engine, "checkin")
def _after_transaction(dbapi_connection: DBAPIConnection, connection_record: ConnectionPoolEntry) -> None:
    # The pool takes a connection back only after its transaction has ended (commit or rollback).
    connection_record.info.pop(_QUEUED, None)
    if connection_record.info.pop(_DIRTY, None):
        bump()


@event.listens_for(Engine, "commit")
def _bump_on_commit(conn: Connection) -> None:
    # Also before the commit: a reader in this process then misses its cache at once; the checkin
    # (after the commit) or the notification bumps again, covering readers in between.
    if conn.info.get(_DIRTY):
        bump()


# ---------------------------------------------------------------- the listener (backend/listener.py)
def _on_listener_state(listening: bool) -> None:
    # Connected again or lost: whatever happened while not listening is unknown, so start afresh.
    bump()


def _on_change(_payload: str) -> None:
    bump()


listener.on(CHANNEL, _on_change, on_state=_on_listener_state)


class _Local:
    """SQLite: writes of this process are seen by the engine events, others' by the file signature."""

    listening = True


class _Postgres:
    """PostgreSQL: other processes' writes arrive on the process's one LISTEN connection."""

    @property
    def listening(self) -> bool:
        return listener.is_listening()


def ensure_listening() -> None:
    """Start this process's listener in the running event loop (idempotent; call from a request)."""
    global _listener, _sqlite_files
    from backend.settings import get_settings

    settings = get_settings()
    if settings.is_sqlite:
        if not isinstance(_listener, _Local):
            path = settings.sync_database_url.split(":///", 1)[-1]
            _sqlite_files = (path, path + "-wal") if path and path != ":memory:" else ()
            _listener = _Local()
        return
    if not isinstance(_listener, _Postgres):
        _listener = _Postgres()
    listener.ensure_started()


async def stop_listening() -> None:
    global _listener, _sqlite_files
    current, _listener, _sqlite_files = _listener, None, ()
    if isinstance(current, _Postgres):
        await listener.stop()
