"""DataLoader base classes: one instance per request and class, batching by key, on the request's session.

Use them as `PlanByIdLoader(info.context).load(pk)`: the constructor returns the request's instance.
Loaders select columns and build plain objects (schema/rows.py), never ORM instances.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from typing import Any, Generic, Hashable, Iterable, Sequence, TypeVar

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from schema.context import Context
from schema.rows import build, columns

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Loader(DataLoader[K, V], Generic[K, V]):
    """Base: cached per request under the class name; `batch_load` runs under the session lock."""

    # The GraphQL type the loader builds, as "module.Class": resolved on first use, so type modules
    # can import loaders without an import cycle.
    type_path: str = ""

    @classmethod
    def target(cls) -> type:
        found = cls.__dict__.get("_target")
        if found is None:
            module, name = cls.type_path.rsplit(".", 1)
            found = getattr(importlib.import_module(module), name)
            cls._target = found
        return found

    def __new__(cls, context: Context):
        existing = context.loaders.get(cls.__name__)
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
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[K]) -> Sequence[V]:
        return await self.batch_load(keys)

    async def batch_load(self, keys: list[K]) -> Sequence[V]:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def actor(self):
        return self.context.actor

    async def fetch(self, statement) -> list:
        return await self.context.fetch(statement)


class ByIdLoader(Loader[int, Any]):
    """One object per primary key (None when absent or, with `where`, not visible)."""

    model: type

    def restrict(self, statement):
        """Narrow the statement to what the actor may see (joins and policy filters); default: all."""
        return statement

    def statement(self, keys: list[int]):
        return self.restrict(select(*columns(self.target(), self.model)).where(self.model.id.in_(keys)))

    async def batch_load(self, keys: list[int]) -> list[Any]:
        rows = await self.fetch(self.statement(sorted(set(keys))))
        target = self.target()
        found = {}
        for row in rows:
            obj = build(target, row)
            found[obj.pk] = obj
        return [found.get(k) for k in keys]


class ByForeignKeyLoader(Loader[int, list]):
    """All objects whose foreign key `fk` is one of the keys, in primary key order (or `order_by`)."""

    model: type
    fk: str
    order_by: tuple = ()

    def restrict(self, statement):
        """Narrow the statement to what the actor may see (joins and policy filters); default: all."""
        return statement

    def statement(self, keys: list[int]):
        fk_col = getattr(self.model, self.fk)
        stmt = select(*columns(self.target(), self.model), fk_col.label("_key")).where(fk_col.in_(keys))
        return self.restrict(stmt).order_by(*(self.order_by or (self.model.id,)))

    async def batch_load(self, keys: list[int]) -> list[list]:
        rows = await self.fetch(self.statement(sorted(set(keys))))
        target = self.target()
        grouped: dict[int, list] = defaultdict(list)
        for row in rows:
            grouped[row[-1]].append(build(target, row))
        return [grouped.get(k, []) for k in keys]


class ThroughLinkLoader(Loader[int, list]):
    """Objects linked to the key through a link table (many-to-many), in primary key order."""

    model: type
    link: type
    link_key: str  # the link column holding the loader's key
    link_target: str  # the link column pointing at model.id

    def statement(self, keys: list[int]):
        key_col = getattr(self.link, self.link_key)
        return (
            select(*columns(self.target(), self.model), key_col.label("_key"))
            .join(self.link, getattr(self.link, self.link_target) == self.model.id)
            .where(key_col.in_(keys))
            .order_by(self.model.id)
        )

    async def batch_load(self, keys: list[int]) -> list[list]:
        rows = await self.fetch(self.statement(sorted(set(keys))))
        target = self.target()
        grouped: dict[int, list] = defaultdict(list)
        for row in rows:
            grouped[row[-1]].append(build(target, row))
        return [grouped.get(k, []) for k in keys]


def group_by_args(keys: Iterable[tuple]) -> dict[tuple, list]:
    """Split (parent id, *args) keys by their arguments: one query per distinct argument set."""
    out: dict[tuple, list] = defaultdict(list)
    for key in keys:
        out[key[1:]].append(key[0])
    return out
