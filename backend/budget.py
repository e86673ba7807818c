"""A budget of query cost per anonymous client and minute, counted across server processes.

On PostgreSQL several processes answer the same clients, so the count lives in one row per (client,
minute) that every process adds to with one upsert statement on its own short transaction (never
the request's, which would hold the row lock for the whole request). The upsert adds only while
the sum stays within the budget, so a refused request spends nothing and the count cannot run
away. The client is a hash of its address: no address is stored.

SQLite serves one process, and there the count is kept in that process with the same rule: a write
per request would change the database file, whose size and time are SQLite's change count for the
public caches (backend/changes.py), and would queue every request behind SQLite's one writer.
"""

from __future__ import annotations

import hashlib
import time

from sqlalchemy import text

from backend import changes
from backend.db import get_async_engine
from backend.settings import get_settings

_CHARGE = text(
    "INSERT INTO clientbudget (client, minute, cost) VALUES (:client, :minute, :cost) "
    "ON CONFLICT (client, minute) DO UPDATE SET cost = clientbudget.cost + excluded.cost "
    "WHERE clientbudget.cost + excluded.cost <= :budget "
    "RETURNING cost"
).execution_options(**changes.PRIVATE_WRITE)  # text SQL: say it leaves the public caches valid
_PRUNE = text("DELETE FROM clientbudget WHERE minute < :minute").execution_options(**changes.PRIVATE_WRITE)
_SPENT = text("SELECT cost FROM clientbudget WHERE client = :client AND minute = :minute")
_last_pruned = {"minute": 0}
_clock = time.time


def client_address(request) -> str:
    """The caller's address: the peer, or the address a trusted proxy (TRUSTED_PROXIES) forwarded.

    X-Forwarded-For is believed only from a trusted proxy, and then its right-most address that is
    not itself a trusted proxy (the ones further left are whatever the client wrote)."""
    peer = request.client.host if request.client else ""
    trusted = get_settings().trusted_proxies
    if peer not in trusted:
        return peer
    forwarded = [
        part.strip() for part in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if part.strip()
    ]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return peer


def client_key(address: str) -> str:
    return hashlib.sha256(f"{get_settings().secret_key}|{address}".encode()).hexdigest()[:32]


async def charge(address: str, cost: int, *, budget: int, now: float | None = None) -> int | None:
    """Spend `cost` of the client's budget for this minute: None when it fits, else the seconds
    until the next minute, when the client may try again (for Retry-After)."""
    now = _clock() if now is None else now
    minute = int(now // 60)
    key = client_key(address)
    if get_settings().is_sqlite:
        fits = _charge_in_process(key, minute, cost, budget)
    else:
        async with get_async_engine().begin() as connection:
            if _last_pruned["minute"] != minute:  # once a minute per process is plenty
                _last_pruned["minute"] = minute
                await connection.execute(_PRUNE, {"minute": minute - 1})
            fits = (
                await connection.execute(_CHARGE, {"client": key, "minute": minute, "cost": cost, "budget": budget})
            ).first() is not None
    if fits:
        return None
    return max(1, int((minute + 1) * 60 - now + 0.999))


async def spent(address: str, now: float | None = None) -> int:
    """What the client has spent in this minute."""
    minute = int((_clock() if now is None else now) // 60)
    key = client_key(address)
    if get_settings().is_sqlite:
        return _in_process.get(key, 0) if _in_process_minute["minute"] == minute else 0
    async with get_async_engine().connect() as connection:
        row = (await connection.execute(_SPENT, {"client": key, "minute": minute})).first()
    return row[0] if row else 0


_in_process: dict[str, int] = {}  # client -> spent in _in_process_minute
_in_process_minute = {"minute": 0}


def _charge_in_process(key: str, minute: int, cost: int, budget: int) -> bool:
    """The upsert's rule, in this process."""
    if _in_process_minute["minute"] != minute:
        _in_process_minute["minute"] = minute
        _in_process.clear()
    if key in _in_process and _in_process[key] + cost > budget:
        return False
    _in_process[key] = _in_process.get(key, 0) + cost
    return True
