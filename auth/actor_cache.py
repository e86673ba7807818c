"""The actor of a bearer token, remembered per worker process for a few seconds (issue #14).

A token's signature and expiry are checked on every request (auth/tokens.py); only what follows, the
account and its scope (backend/actor.py's `load_actor`), is remembered, keyed by the verified token's
hash, for TOKEN_ACTOR_SECONDS and never past the token's `exp`, in a bounded LRU.

An entry is served only while it can still be right:
- A resident's scope (residencies, memberships of groups) changes with `accountChanged` and the
  account's end with `sessionEnded` (erasure, signing out): both are published in the changing
  transaction, drop the account's entries at once in the publishing worker and, through the broker,
  in every worker after the commit (backend/events.py). On PostgreSQL entries are served only while
  this process's LISTEN connection is up, and all are dropped when it comes back (events may be lost).
- Staff and partners' scope comes from plans, organisations and activities (public tables): their
  entries hold the public change counter (backend/changes.py) and go when anything public changes.
- On SQLite, which has no NOTIFY, every entry holds that counter, which there includes the database
  file's signature: any process's write ends them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from backend import changes, events, listener
from backend.actor import Actor
from backend.models import ActorKind
from backend.settings import get_settings


@dataclass(frozen=True)
class _Entry:
    actor: Actor
    until: float  # time.time() after which it is not served
    generation: object  # changes.generation() when stored, or None: dropped by events only


_entries: OrderedDict[str, _Entry] = OrderedDict()
_lock = threading.Lock()  # the broker's hooks and requests may run on different threads (tests, ASGI)
_drops = 0  # counts drops: an actor loaded while one happened is not stored


@dataclass(frozen=True)
class Ticket:
    """Taken before an actor is loaded: what had changed by then."""

    generation: object
    drops: int


def ticket() -> Ticket:
    return Ticket(changes.generation(), _drops)


def key_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _usable() -> bool:
    settings = get_settings()
    if settings.token_actor_seconds <= 0:
        return False
    changes.ensure_listening()  # idempotent; without it no other worker's change would be heard
    return changes.shared()


def get(key: str) -> Actor | None:
    """The remembered actor of a verified token's key, if it may still be served."""
    if not _usable():
        return None
    with _lock:
        entry = _entries.get(key)
        if entry is None:
            return None
        if entry.until <= time.time() or (entry.generation is not None and entry.generation != changes.generation()):
            del _entries[key]
            return None
        _entries.move_to_end(key)
        return entry.actor


def put(key: str, actor: Actor, expires: float, taken: Ticket) -> None:
    """Remember a token's actor until `expires` (the token's exp) or the time to live, whichever is first;
    `taken` before the actor was loaded, so that a change during the load is not remembered past it."""
    settings = get_settings()
    if not _usable():
        return
    events_suffice = actor.kind == ActorKind.RESIDENT and not settings.is_sqlite
    entry = _Entry(
        actor, min(time.time() + settings.token_actor_seconds, expires), None if events_suffice else taken.generation
    )
    with _lock:
        if taken.drops != _drops:
            return
        _entries[key] = entry
        _entries.move_to_end(key)
        while len(_entries) > settings.token_actor_entries:
            _entries.popitem(last=False)


def drop(account_id: int | None) -> None:
    """Forget the entries of an account (None: of everyone)."""
    global _drops
    with _lock:
        _drops += 1
        if account_id is None:
            _entries.clear()
            return
        for key in [k for k, e in _entries.items() if e.actor.account_id == account_id]:
            del _entries[key]


def _on_event(event: events.LiveEventData) -> None:
    account_id = event.get("account_id")
    drop(account_id if isinstance(account_id, int) else None)


events.on_event([events.ACCOUNT_CHANGED, events.SESSION_ENDED], _on_event)
listener.watch_state(lambda _listening: drop(None))
