"""Relay connections: edges { cursor node }, nodes, pageInfo and totalCount, ordered by primary key.

Cursors are opaque (base64 of "cursor:<pk>"). Page sizes are checked in schema/limits.py.
`page()` pages a root list in one statement (plus a COUNT only when totalCount is asked for);
`pages_by_parent()` pages many parents' lists at once with window functions, for loaders.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import Select, bindparam, func, select

from schema.context import Context
from schema.ids import parse_pk
from schema.limits import page_size
from schema.loaders import Loader, cached_statement, group_by_args, key_in
from schema.rows import build, field_names

T = TypeVar("T")

# The paging arguments, described once.
First = Annotated[
    int | None,
    strawberry.argument(description="How many items to return (default 20, at most 100)."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (from pageInfo.endCursor or an edge)."),
]


def encode_cursor(pk: int) -> str:
    return base64.b64encode(f"cursor:{pk}".encode()).decode("ascii")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        raw = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
        prefix, _, pk = raw.partition(":")
        if prefix != "cursor":
            raise ValueError
        return parse_pk(pk)
    except (ValueError, UnicodeError, binascii.Error):
        raise GraphQLError(
            f"Invalid cursor {cursor[:60]!r}: use a cursor from this list's pageInfo or edges.",
            extensions={"code": "BAD_CURSOR"},
        ) from None


@strawberry.type(description="Where the current page of a connection starts and ends.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page (a cursor was given).")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item on this page.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item; pass it as `after` for the next page."
    )


@strawberry.type(description="An item of a page, with the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="An opaque cursor; pass it as `after` to continue after this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list (Relay connection), in a stable order by creation.")
class Connection(Generic[T]):
    items: strawberry.Private[list[T]]
    has_next: strawberry.Private[bool]
    has_previous: strawberry.Private[bool]
    total: strawberry.Private[int | None]
    count: strawberry.Private[Callable[[], Awaitable[int]] | None]

    @strawberry.field(description="The items of this page with their cursors.")
    def edges(self) -> list[Edge[T]]:
        return [Edge(cursor=encode_cursor(item.pk), node=item) for item in self.items]

    @strawberry.field(description="The items of this page (the same as edges { node }).")
    def nodes(self) -> list[T]:
        return self.items

    @strawberry.field(description="Where this page starts and ends.")
    def page_info(self) -> PageInfo:
        items = self.items
        return PageInfo(
            has_next_page=self.has_next,
            has_previous_page=self.has_previous,
            start_cursor=encode_cursor(items[0].pk) if items else None,
            end_cursor=encode_cursor(items[-1].pk) if items else None,
        )

    @strawberry.field(description="How many items the whole list holds (all pages).")
    async def total_count(self) -> int:
        if self.total is None:
            self.total = await self.count() if self.count else len(self.items)
        return self.total

    @classmethod
    def of(
        cls,
        items: list[T],
        *,
        size: int,
        has_previous: bool,
        total: int | None = None,
        count: Callable[[], Awaitable[int]] | None = None,
    ) -> Connection[T]:
        has_next = len(items) > size
        return cls(items=items[:size], has_next=has_next, has_previous=has_previous, total=total, count=count)

    @classmethod
    def empty(cls) -> Connection[Any]:
        return cls(items=[], has_next=False, has_previous=False, total=0, count=None)


async def page(
    context: Context,
    type_cls: type[T],
    statement: Select[Any],
    id_column: Any,  # a model column
    *,
    first: int | None,
    after: str | None,
) -> Connection[T]:
    """One page of `statement` (a select of `columns(type_cls, ...)` with its filters) ordered by id."""
    size = page_size(first)
    after_pk = decode_cursor(after)
    query = statement
    if after_pk is not None:
        query = query.where(id_column > after_pk)
    rows = await context.fetch(query.order_by(id_column).limit(size + 1))
    counted = statement.order_by(None)

    async def count() -> int:
        total: int = await context.scalar(select(func.count()).select_from(counted.subquery()))
        return total

    return Connection.of([build(type_cls, r) for r in rows], size=size, has_previous=after_pk is not None, count=count)


async def pages_by_parent(
    context: Context,
    type_cls: type[T],
    statement: Select[Any],
    parent_column: Any,  # a model column
    id_column: Any,
    parent_ids: list[int],
    *,
    size: int,
    after_pk: int | None,
    cache_key: tuple[object, ...] | None = None,
) -> dict[int, Connection[T]]:
    """A page per parent in one statement: ROW_NUMBER and COUNT over a window per parent.

    `cache_key`: what `statement` depends on (schema.loaders.cached_statement), to build the paging
    statement once; the parents, page size and cursor are bound at execution.
    """

    def paging() -> Select[Any]:
        inner = (
            statement.add_columns(
                parent_column.label("_parent"),
                func.count().over(partition_by=parent_column).label("_total"),
            )
            .where(key_in(parent_column))
            .subquery()
        )
        numbering = select(
            inner,
            func.row_number().over(partition_by=inner.c["_parent"], order_by=inner.c.pk).label("_rn"),
        )
        if after_pk is not None:
            numbering = numbering.where(inner.c.pk > bindparam("after_pk"))
        numbered = numbering.subquery()
        return (
            select(numbered)
            .where(numbered.c["_rn"] <= bindparam("page_limit"))
            .order_by(numbered.c["_parent"], numbered.c.pk)
        )

    query = paging() if cache_key is None else cached_statement(("pages", *cache_key, after_pk is None), paging)
    params: dict[str, Any] = {"keys": parent_ids, "page_limit": size + 1}
    if after_pk is not None:
        params["after_pk"] = after_pk
    rows = await context.fetch(query, params)
    n = len(field_names(type_cls))
    grouped: dict[int, list[T]] = defaultdict(list)
    totals: dict[int, int] = {}
    for row in rows:
        grouped[row[n]].append(build(type_cls, row))
        totals[row[n]] = row[n + 1]
    out = {}
    for parent in parent_ids:
        items = grouped.get(parent, [])
        count = None
        if parent not in totals and after_pk is not None:
            # Paged past the end: the window saw no row, so count this parent on demand.
            count = _counter(context, statement, parent_column, parent)
        out[parent] = Connection.of(
            items,
            size=size,
            has_previous=after_pk is not None,
            total=totals.get(parent, 0 if after_pk is None else None),
            count=count,
        )
    return out


def _counter(context: Context, statement: Select[Any], parent_column: Any, parent: int) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        query = statement.where(parent_column == parent).order_by(None)
        total: int = await context.scalar(select(func.count()).select_from(query.subquery()))
        return total

    return count


class PagesByParentLoader(Loader[tuple[Any, ...], Connection[Any]], generic=True):
    """Key: (parent id, page size, after pk, *filters) -> a connection of the parent's items.

    One statement for all parents that ask for the same page size, cursor and filters
    (`pages_by_parent`). A subclass says what is listed: `items(target, *filters)`, a select of the
    target type's columns with its joins and filters; `parent_column`, the column holding the parent's
    id; `id_column`, the order. `per_actor`: items() depends on the actor (policy filters), so its
    statement is built and cached per actor.
    """

    parent_column: ClassVar[Any]  # a model column (InstrumentedAttribute)
    id_column: ClassVar[Any]
    per_actor: ClassVar[bool] = False

    def items(self, target: type, *filters: Any) -> Select[Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    async def batch_load(self, keys: list[tuple[Any, ...]]) -> list[Connection[Any]]:
        target = self.target()
        cls = type(self)  # the columns are read from the class: on an instance they act as descriptors
        out: dict[tuple[Any, ...], Connection[Any]] = {}
        for (size, after_pk, *filters), parents in group_by_args(keys).items():
            shape = (type(self), self.actor if self.per_actor else None, *filters)
            base = cached_statement(shape, partial(self.items, target, *filters))
            pages = await pages_by_parent(
                self.context,
                target,
                base,
                cls.parent_column,
                cls.id_column,
                sorted(set(parents)),
                size=size,
                after_pk=after_pk,
                cache_key=shape,
            )
            for parent, connection in pages.items():
                out[(parent, size, after_pk, *filters)] = connection
        return [out[k] for k in keys]
