"""DataLoaders: one instance per request and class, batching by key, on the request's one session.

Use them as `PlanByIdLoader(info.context).load(pk)`: the constructor returns the request's instance.
Loaders select columns and build plain objects (schema/rows.py), never ORM instances.

Batching: all loaders of a request share one Batcher. It dispatches one loader at a time, and only
when the request has settled: no statement is running and no resolver of the request can run
without new rows. So every key that can be known is in the batch, the number of statements follows
the shape of the query (not the rows), and statements never compete for the one session.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar

from sqlalchemy import ColumnElement, Executable, Select, select

from backend.actor import Actor
from backend.db import one_of
from backend.settings import get_settings
from schema.context import Context, Rows
from schema.rows import build, columns

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")

if TYPE_CHECKING:
    # The return annotation of a resolver that returns what a loader gives (`load`, `load_ready`):
    # the value or an awaitable of it, which graphql-core awaits.
    Resolves: TypeAlias = V | Awaitable[V]
else:

    class Resolves:
        """At runtime `Resolves[X]` is X: the GraphQL type strawberry reads from the annotation."""

        def __class_getitem__(cls, item: object) -> object:
            return item


# Not a value: None may be one (an absent or forbidden object). Typed Any so that
# `ready.get(key, _MISSING)` keeps the values' type (one lookup on this hot path, not two).
_MISSING: Any = object()
QUIET_TICKS = 3  # event-loop turns without a new key before a batch is sent
MAX_SETTLE_TICKS = 50  # never wait longer than this for a request to settle (e.g. under load)


def key_in(column: Any, keys: Sequence[Any] | None = None) -> ColumnElement[bool]:
    """`column IN :keys` (backend.db.one_of), the keys given at execution or here."""
    condition: ColumnElement[bool] = one_of(column, keys, name="keys")
    return condition


STATEMENT_CACHE_SIZE = 1000
_statements: dict[tuple[object, ...], Any] = {}
S = TypeVar("S")


def cached_statement(key: tuple[object, ...], build: Callable[[], S]) -> S:
    """The statement `build()` makes, built once per `key` (with the dialect): SQLAlchemy then also
    keeps its cache key, so a request only binds its values. `key` must hold everything the statement
    depends on (the actor, when it has policy filters); values bound at execution are left out."""
    key = (get_settings().is_sqlite, *key)
    statement = _statements.get(key)
    if statement is None:
        if len(_statements) >= STATEMENT_CACHE_SIZE:
            del _statements[next(iter(_statements))]  # the oldest
        statement = _statements[key] = build()
    return statement


class Batcher:
    """Sends the pending batches of one request's loaders, one statement at a time."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.pending: dict[int, Loader[Any, Any]] = {}  # insertion-ordered: first asked, first sent
        self.requested = 0  # keys asked for so far; a change means the request is still resolving
        self.task: asyncio.Task[None] | None = None

    def enqueue(self, loader: Loader[Any, Any]) -> None:
        self.requested += 1
        self.pending.setdefault(id(loader), loader)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        try:
            while self.pending:
                await self.settle()
                key = next(iter(self.pending))
                loader = self.pending.pop(key)
                await loader.dispatch()
        finally:
            self.task = None

    async def settle(self) -> None:
        """Wait until the request asks for no new keys for QUIET_TICKS turns of the event loop.

        Only public asyncio is used (no peeking at the loop's run queue), so asyncio and uvloop,
        which production runs, batch the same way."""
        lock = self.context.db_lock
        quiet = 0
        for _ in range(MAX_SETTLE_TICKS):
            if lock.locked():
                # A statement is running (a root field's page); its rows may add keys: wait for it.
                async with lock:
                    pass
                quiet = 0
                continue
            seen = self.requested
            await asyncio.sleep(0)
            if self.requested != seen:
                quiet = 0
                continue
            quiet += 1
            if quiet >= QUIET_TICKS:
                return

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.pending.clear()


class Loader(Generic[K, V]):
    """Base: cached per request under the class name; subclasses implement `batch_load(keys)`."""

    # The GraphQL type the loader builds, as "module.Class": resolved on first use, so type modules
    # can import loaders without an import cycle.
    type_path: ClassVar[str] = ""
    # The policy condition (backend/policy.py) on the rows the actor may see, for restrict().
    policy_filter: ClassVar[Callable[[Actor | None], ColumnElement[bool]] | None] = None
    # Whether statement() depends on the actor: set for a subclass of a generic loader that narrows it
    # (its own restrict or statement, or a policy_filter), so that its statement is cached per actor.
    _actor_scoped: ClassVar[bool] = False
    _target: ClassVar[type]

    def __init_subclass__(cls, generic: bool = False, **declared: Any) -> None:
        """`declared`: the loader's class attributes, given in its class line, e.g.
        `class GoalsByPlanIdLoader(ByForeignKeyLoader, model=m.Goal, fk="plan_id"): ...`. Without a
        `type_path`, a loader of a `model` builds the type of the model's name in its package's types module."""
        super().__init_subclass__()
        for name, value in declared.items():
            if not any(name in vars(base).get("__annotations__", {}) for base in cls.__mro__):
                raise TypeError(f"{cls.__name__}: {name} is no attribute of a loader")
            setattr(cls, name, value)
        if "model" in declared and "type_path" not in declared:
            package = cls.__module__.rsplit(".", 1)[0]
            cls.type_path = f"{package}.types.{declared['model'].__name__}"
        if not generic and ("restrict" in vars(cls) or "statement" in vars(cls) or cls.policy_filter is not None):
            cls._actor_scoped = True

    @classmethod
    def target(cls) -> type[Any]:  # a GraphQL type, found by name at runtime
        found: type | None = cls.__dict__.get("_target")
        if found is None:
            module, name = cls.type_path.rsplit(".", 1)
            found = getattr(importlib.import_module(module), name)
            if not isinstance(found, type):
                raise TypeError(f"{cls.__name__}.type_path {cls.type_path} is not a class")
            cls._target = found
        return found

    def __new__(cls, context: Context) -> Loader[K, V]:
        existing: Loader[K, V] | None = context.loaders.get(cls.__name__)
        if existing is not None:
            return existing
        instance = super().__new__(cls)
        context.loaders[cls.__name__] = instance
        return instance

    def __init__(self, context: Context) -> None:
        if getattr(self, "_ready", False):
            return
        self._ready = True
        self.context = context
        self.cache: dict[K, asyncio.Future[V]] = {}  # keys asked for with load()
        # Values known (primed, prefetched or loaded): a prefetch primes hundreds of keys per
        # request, and a plain dict costs less than a finished future for each.
        self.ready: dict[K, V] = {}
        self.queue: list[tuple[K, asyncio.Future[V]]] = []

    def load(self, key: K) -> Awaitable[V]:
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if self.context.writing_here():
            return self._load_in_write(key)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        value = self.ready.get(key, _MISSING)
        if value is not _MISSING:
            future.set_result(value)
            self.cache[key] = future
            return future
        self.cache[key] = future
        self.queue.append((key, future))
        batcher = self.context.batcher
        if batcher is None:
            batcher = self.context.batcher = Batcher(self.context)
        batcher.enqueue(self)
        return future

    def load_ready(self, key: K) -> V | Awaitable[V]:
        """The value itself when it is loaded already (e.g. primed), else `load(key)`.

        For resolvers that return what they load: graphql-core completes a plain value at once,
        while every awaitable costs it tasks and a wait.
        """
        value: V = self.ready.get(key, _MISSING)
        if value is not _MISSING:
            return value
        return self.load(key)

    async def prefetch(self, keys: Sequence[K]) -> list[V]:
        """Load the keys not yet asked for in one batch now, bypassing the batcher, and prime them;
        the loaded values of all keys (a key still on its way elsewhere is left out)."""
        ready = self.ready
        missing = [k for k in keys if k not in ready and k not in self.cache]
        if missing:
            values = list(await self.batch_load(missing))
            if len(values) != len(missing):
                raise RuntimeError(f"{type(self).__name__} returned {len(values)} values for {len(missing)} keys")
            for key, value in zip(missing, values, strict=True):
                self.prime(key, value)
        return [ready[key] for key in keys if key in ready]

    async def _load_in_write(self, key: K) -> V:
        """Inside `Context.write()`: load on the write's transaction now (the batcher would wait for the
        lock the writer holds)."""
        if key in self.ready:
            return self.ready[key]
        (loaded,) = await self.batch_load([key])
        self.ready[key] = loaded
        return loaded

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        return asyncio.gather(*(self.load(k) for k in keys))

    def prime(self, key: K, value: V) -> None:
        """Put a known value in the cache (e.g. a row a mutation just wrote)."""
        if key not in self.ready and key not in self.cache:
            self.ready[key] = value

    def clear(self, key: K) -> None:
        self.cache.pop(key, None)
        self.ready.pop(key, None)

    def clear_all(self) -> None:
        self.cache.clear()
        self.ready.clear()

    async def dispatch(self) -> None:
        queue, self.queue = self.queue, []
        queue = [(k, f) for k, f in queue if not f.done()]
        if not queue:
            return
        try:
            values = list(await self.batch_load([k for k, _ in queue]))
            if len(values) != len(queue):
                raise RuntimeError(f"{type(self).__name__} returned {len(values)} values for {len(queue)} keys")
        except Exception as error:
            for key, future in queue:
                self.cache.pop(key, None)
                if not future.done():
                    future.set_exception(error)
            return
        ready = self.ready
        for (key, future), value in zip(queue, values, strict=True):
            if not future.done():
                future.set_result(value)
                ready[key] = value

    async def batch_load(self, keys: list[K]) -> Sequence[V]:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def actor(self) -> Actor | None:
        return self.context.actor

    def restrict(self, statement: Select[Any]) -> Select[Any]:
        """Narrow the statement to what the actor may see (joins and policy filters); default: the
        class's policy_filter, or all."""
        condition = type(self).policy_filter  # read from the class: a function there is not bound
        return statement if condition is None else statement.where(condition(self.actor))

    async def fetch(self, statement: Executable, params: dict[str, Any] | None = None) -> Rows:
        return await self.context.fetch(statement, params)

    def statement(self, keys: list[Any] | None = None) -> Select[Any]:  # pragma: no cover - abstract
        """The loader's select, with the keys bound at execution (`None`) or here."""
        raise NotImplementedError

    async def fetch_keys(self, keys: list[Any]) -> Rows:
        """The rows of `statement()` for the keys: the statement is built once (per actor when the
        class narrows it) and only the keys are bound per request."""
        cls = type(self)
        statement = cached_statement((cls, self.actor if cls._actor_scoped else None), lambda: self.statement(None))
        return await self.context.fetch(statement, {"keys": keys})


class ByIdLoader(Loader[int, Any], generic=True):
    """One object per primary key (None when absent or, with `where`, not visible)."""

    model: ClassVar[Any]  # the model class (SQLModel table)

    def statement(self, keys: list[int] | None = None) -> Select[Any]:
        return self.restrict(select(*columns(self.target(), self.model)).where(key_in(self.model.id, keys)))

    async def batch_load(self, keys: list[int]) -> list[Any]:
        rows = await self.fetch_keys(sorted(set(keys)))
        target = self.target()
        found: dict[int, Any] = {}
        for row in rows:
            obj = build(target, row)
            found[obj.pk] = obj
        return [found.get(k) for k in keys]


class ListByKeyLoader(Loader[int, list[Any]], generic=True):
    """A list of objects per key: the statement selects the target's columns and then the key (`_key`)."""

    async def batch_load(self, keys: list[int]) -> list[list[Any]]:
        rows = await self.fetch_keys(sorted(set(keys)))
        target = self.target()
        grouped: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row[-1]].append(build(target, row))
        return [grouped.get(k, []) for k in keys]


class ByForeignKeyLoader(ListByKeyLoader, generic=True):
    """All objects whose foreign key `fk` is one of the keys, in primary key order (or `order_by`)."""

    model: ClassVar[Any]  # the model class (SQLModel table)
    fk: ClassVar[str]
    order_by: ClassVar[tuple[Any, ...]] = ()

    def statement(self, keys: list[int] | None = None) -> Select[Any]:
        fk_col = getattr(self.model, self.fk)
        stmt = select(*columns(self.target(), self.model), fk_col.label("_key")).where(key_in(fk_col, keys))
        return self.restrict(stmt).order_by(*(self.order_by or (self.model.id,)))


class ThroughLinkLoader(ListByKeyLoader, generic=True):
    """Objects linked to the key through a link table (many-to-many), in primary key order."""

    model: ClassVar[Any]  # the model class (SQLModel table)
    link: ClassVar[Any]  # the link model class: a foreign key to model's table, and one to the key's

    def statement(self, keys: list[int] | None = None) -> Select[Any]:
        link = self.link.__table__
        target = next(c for c in link.columns if any(fk.references(self.model.__table__) for fk in c.foreign_keys))
        (key,) = (c for c in link.columns if c.foreign_keys and c is not target)
        return (
            select(*columns(self.target(), self.model), key.label("_key"))
            .join(link, target == self.model.id)
            .where(key_in(key, keys))
            .order_by(self.model.id)
        )


def then(value: V | Awaitable[V], function: Callable[[V], R]) -> R | Awaitable[R]:
    """`function(value)`, also when `value` is still an awaitable (then an awaitable of the result)."""
    if inspect.isawaitable(value):
        pending = value

        async def later() -> R:
            return function(await pending)

        return later()
    return function(value)


def group_by_args(keys: Iterable[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[Any]]:
    """Split (parent id, *args) keys by their arguments: one query per distinct argument set."""
    out: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for key in keys:
        out[key[1:]].append(key[0])
    return out
