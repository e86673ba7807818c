"""Relay connections: edges { cursor node }, nodes, pageInfo and totalCount, ordered by primary key.

Lists of named things also take `orderBy: {field: NAME, direction: ASC|DESC}`: Danish alphabetical
order (backend/db.py danish_order, the same on both databases), ties broken by id.
Cursors are opaque: base64 of "cursor:<pk>" in primary-key order, of "name-asc:<pk>:<name>" (or
name-desc) by name, so paging is keyset on (name, id) and stays stable when rows are added; a cursor
of one order is refused (BAD_CURSOR) in another. Page sizes are checked in schema/limits.py.
`page()` pages a root list in one statement (plus a COUNT only when totalCount is asked for);
`pages_by_parent()` pages many parents' lists at once with window functions, for loaders.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select

from backend.db import danish_order
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


@strawberry.enum(description="What a list of named things can be ordered by.")
class NameOrderField(Enum):
    NAME = strawberry.enum_value(
        "NAME",
        description="The name (an activity's title), in Danish "
        "alphabetical order: Æ, Ø and Å after Z; ties in id order.",
    )


@strawberry.enum(description="Ascending or descending.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="A to Å.")
    DESC = strawberry.enum_value("DESC", description="Å to A.")


@strawberry.input(description="The order of a list of named things (without it: id order, by creation).")
class NameOrder:
    field: NameOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending (default) or descending."
    )


OrderBy = Annotated[
    NameOrder | None,
    strawberry.argument(description="The order (default: by id). Cursors belong to the order they came from."),
]


@dataclass(frozen=True)
class Ordering:
    """A list's order other than by id: by the name attribute, ascending or descending (hashable: a
    loader key holds it)."""

    attribute: str  # the field of the type (and label of the column) that holds the name
    descending: bool

    @property
    def prefix(self) -> str:
        return "name-desc" if self.descending else "name-asc"

    def describe(self) -> str:
        return f"orderBy {{field: NAME, direction: {'DESC' if self.descending else 'ASC'}}}"


def ordering(order_by: NameOrder | None, attribute: str = "name") -> Ordering | None:
    if order_by is None:
        return None
    return Ordering(attribute, order_by.direction == OrderDirection.DESC)


def encode_cursor(pk: int, ordering: Ordering | None = None, name: str | None = None) -> str:
    raw = f"cursor:{pk}" if ordering is None else f"{ordering.prefix}:{pk}:{name or ''}"
    return base64.b64encode(raw.encode()).decode("ascii")


def _cursor_of(item: Any, ordering: Ordering | None) -> str:
    return encode_cursor(item.pk, ordering, getattr(item, ordering.attribute) if ordering else None)


def _bad_cursor(cursor: str, why: str = "use a cursor from this list's pageInfo or edges") -> GraphQLError:
    return GraphQLError(f"Invalid cursor {cursor[:60]!r}: {why}.", extensions={"code": "BAD_CURSOR"})


def decode_cursor(cursor: str | None, ordering: Ordering | None = None) -> int | tuple[str, int] | None:
    """The position after which a page starts: a pk in id order, (name, pk) by name; None at the start."""
    if cursor is None:
        return None
    try:
        raw = base64.b64decode(cursor.encode("ascii"), validate=True).decode("utf-8")
        prefix, _, rest = raw.partition(":")
        pk_text, _, name = rest.partition(":")
        if prefix not in ("cursor", "name-asc", "name-desc"):
            raise ValueError
        pk = parse_pk(pk_text)
    except (ValueError, UnicodeError, binascii.Error):
        raise _bad_cursor(cursor) from None
    expected = "cursor" if ordering is None else ordering.prefix
    if prefix != expected:
        came_from = "id order" if prefix == "cursor" else Ordering("name", prefix == "name-desc").describe()
        wanted = "id order (no orderBy)" if ordering is None else ordering.describe()
        raise _bad_cursor(
            cursor,
            f"it comes from the list in {came_from}, this list is in {wanted}; "
            "use the same orderBy as the page the cursor came from, or start without `after`",
        )
    return pk if ordering is None else (name, pk)


def after_condition(ordering: Ordering | None, position: Any, id_column: Any, name_column: Any) -> ColumnElement[bool]:
    """The keyset condition "after `position`": id > pk, or (name, id) after (name, pk) in Danish order.
    (`position` as decode_cursor gives it, or bind parameters in its place; the columns are model columns.)"""
    if ordering is None:
        after_pk: ColumnElement[bool] = id_column > position
        return after_pk
    name, pk = position
    key, bound = danish_order(name_column), danish_order(bindparam("after_name", name, type_=name_column.type))
    if ordering.descending:
        return or_(key < bound, and_(key == bound, id_column < pk))
    return or_(key > bound, and_(key == bound, id_column > pk))


def order_columns(ordering: Ordering | None, id_column: Any, name_column: Any) -> list[Any]:
    if ordering is None:
        return [id_column]
    if ordering.descending:
        return [danish_order(name_column).desc(), id_column.desc()]
    return [danish_order(name_column), id_column]


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
    ordering: strawberry.Private[Ordering | None] = None

    @strawberry.field(description="The items of this page with their cursors.")
    def edges(self) -> list[Edge[T]]:
        return [Edge(cursor=_cursor_of(item, self.ordering), node=item) for item in self.items]

    @strawberry.field(description="The items of this page (the same as edges { node }).")
    def nodes(self) -> list[T]:
        return self.items

    @strawberry.field(description="Where this page starts and ends.")
    def page_info(self) -> PageInfo:
        items = self.items
        return PageInfo(
            has_next_page=self.has_next,
            has_previous_page=self.has_previous,
            start_cursor=_cursor_of(items[0], self.ordering) if items else None,
            end_cursor=_cursor_of(items[-1], self.ordering) if items else None,
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
        ordering: Ordering | None = None,
    ) -> Connection[T]:
        has_next = len(items) > size
        return cls(
            items=items[:size],
            has_next=has_next,
            has_previous=has_previous,
            total=total,
            count=count,
            ordering=ordering,
        )

    @classmethod
    def empty(cls) -> Connection[Any]:
        return cls(items=[], has_next=False, has_previous=False, total=0, count=None)


async def page_by_name(
    context: Context,
    type_cls: type[T],
    model: Any,
    statement: Select[Any],
    *,
    first: int | None,
    after: str | None,
    order_by: NameOrder | None,
    name: str = "name",
) -> Connection[T]:
    """`page()` of a list of a model's rows that `order_by` may order by its `name` column."""
    return await page(
        context,
        type_cls,
        statement,
        model.id,
        first=first,
        after=after,
        order_by=order_by,
        name_column=getattr(model, name),
    )


def where_given(statement: Select[Any], *conditions: tuple[Any, object]) -> Select[Any]:
    """The statement narrowed to `column == value` for each (column, value) whose value is given (not None)."""
    for column, value in conditions:
        if value is not None:
            statement = statement.where(column == value)
    return statement


async def page(
    context: Context,
    type_cls: type[T],
    statement: Select[Any],
    id_column: Any,  # a model column
    *,
    first: int | None,
    after: str | None,
    order_by: NameOrder | None = None,
    name_column: Any = None,
    newest_first: bool = False,
) -> Connection[T]:
    """One page of `statement` (a select of `columns(type_cls, ...)` with its filters) ordered by id
    (`newest_first`: descending, for a list that always is), or by `name_column` in Danish order when
    `order_by` is given."""
    size = page_size(first)
    order = ordering(order_by, name_column.key) if name_column is not None else None
    position = decode_cursor(after, order)
    query = statement
    if position is not None:
        query = query.where(
            id_column < position
            if newest_first and order is None
            else after_condition(order, position, id_column, name_column)
        )
    sort = [id_column.desc()] if newest_first and order is None else order_columns(order, id_column, name_column)
    rows = await context.fetch(query.order_by(*sort).limit(size + 1))
    counted = statement.order_by(None)

    async def count() -> int:
        total: int = await context.scalar(select(func.count()).select_from(counted.subquery()))
        return total

    return Connection.of(
        [build(type_cls, r) for r in rows], size=size, has_previous=position is not None, count=count, ordering=order
    )


async def pages_by_parent(
    context: Context,
    type_cls: type[T],
    statement: Select[Any],
    parent_column: Any,  # a model column
    id_column: Any,
    parent_ids: list[int],
    *,
    size: int,
    after_pk: Any,
    cache_key: tuple[object, ...] | None = None,
    ordering: Ordering | None = None,
) -> dict[int, Connection[T]]:
    """A page per parent in one statement: ROW_NUMBER and COUNT over a window per parent.

    `after_pk`: the decoded cursor (decode_cursor with the same `ordering`): a pk, or (name, pk) when
    ordered by name. `cache_key`: what `statement` depends on (schema.loaders.cached_statement), to
    build the paging statement once; the parents, page size and cursor are bound at execution.
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
        # c["_parent"], not c._parent: the latter is the column collection's own attribute (all columns).
        parent = inner.c["_parent"]
        name = inner.c[ordering.attribute] if ordering is not None else None
        order = order_columns(ordering, inner.c.pk, name)
        numbered = select(
            inner,
            func.row_number().over(partition_by=parent, order_by=order).label("_rn"),
        )
        if after_pk is not None:
            if ordering is None:
                numbered = numbered.where(inner.c.pk > bindparam("after_pk"))
            else:
                numbered = numbered.where(after_condition(ordering, (None, bindparam("after_pk")), inner.c.pk, name))
        page_rows = numbered.subquery()
        return (
            select(page_rows)
            .where(page_rows.c["_rn"] <= bindparam("page_limit"))
            .order_by(page_rows.c["_parent"], page_rows.c["_rn"])
        )

    query = (
        paging() if cache_key is None else cached_statement(("pages", *cache_key, after_pk is None, ordering), paging)
    )
    params: dict[str, Any] = {"keys": parent_ids, "page_limit": size + 1}
    if after_pk is not None:
        if ordering is None:
            params["after_pk"] = after_pk
        else:
            params["after_name"], params["after_pk"] = after_pk
    rows = await context.fetch(query, params)
    n = len(field_names(type_cls))  # type: ignore[arg-type]  # a class is hashable; mypy does not see it for type[T]
    grouped: dict[int, list[T]] = defaultdict(list)
    totals: dict[int, int] = {}
    for row in rows:
        grouped[row[n]].append(build(type_cls, row))
        totals[row[n]] = row[n + 1]
    out: dict[int, Connection[T]] = {}
    for parent in parent_ids:
        items = grouped.get(parent, [])
        count: Callable[[], Awaitable[int]] | None = None
        if parent not in totals and after_pk is not None:
            # Paged past the end: the window saw no row, so count this parent on demand.
            count = _counter(context, statement, parent_column, parent)
        out[parent] = Connection.of(
            items,
            size=size,
            has_previous=after_pk is not None,
            total=totals.get(parent, 0 if after_pk is None else None),
            count=count,
            ordering=ordering,
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
    # The key's last element is an Ordering (orderBy NAME) or None (id order).
    ordered: ClassVar[bool] = False

    def items(self, target: type, *filters: Any) -> Select[Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    async def batch_load(self, keys: list[tuple[Any, ...]]) -> list[Connection[Any]]:
        target = self.target()
        cls = type(self)  # the columns are read from the class: on an instance they act as descriptors
        out: dict[tuple[Any, ...], Connection[Any]] = {}
        for (size, after_pk, *rest), parents in group_by_args(keys).items():
            filters, ordering = (rest[:-1], rest[-1]) if cls.ordered else (rest, None)
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
                ordering=ordering,
            )
            for parent, connection in pages.items():
                out[(parent, size, after_pk, *rest)] = connection
        return [out[k] for k in keys]
