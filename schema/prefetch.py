"""Prefetch below a root field: load what the selection needs, level by level, before it is resolved.

graphql-core 3.3 pays two tasks and a wait for every field whose resolver returns an awaitable, and
the loaders' batcher waits for the request to settle before each batch. A root field that has its
page of objects can instead walk its own selection set: for each relation field selected (and known
in RELATIONS) it loads the values for all parents at once with the field's own loader and key (so
the same statement and the same visibility filters as the resolver would use), primes the loader,
and goes on with the children. The resolvers below then find their values loaded (`load_ready`) and
return them as plain values, without an await.

Only what the selection asks for is loaded. A field with arguments the prefetch does not understand
(a filter, a cursor, an argument it cannot read) is left to its resolver, as is anything below it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from backend.models import AgreementKind as AK
from schema.connections import Connection
from schema.context import Context
from schema.engine_internals import is_fast
from schema.loaders import Loader


@dataclass(frozen=True)
class Relation:
    loader: type[Loader[Any, Any]]  # loader class (called with the context)
    key: Callable[[Any, dict[str, Any]], Any]  # parent, arguments -> key (None: nothing to load)
    child_type: str  # GraphQL type name of the objects in the value
    children: Callable[[Any], Iterable[Any]] = lambda value: value  # the objects in a loaded value
    arguments: frozenset[str] = frozenset()  # argument names the key understands
    connection: bool = False  # the children's selections are under nodes / edges.node


def _relations() -> dict[tuple[str, str], Relation]:
    from schema.activities import loaders as al
    from schema.activities.filters import NO_FILTER
    from schema.limits import page_size
    from schema.plans import loaders as pl

    def optional(value: Any) -> list[Any]:
        return [value] if value is not None else []

    focus_area = Relation(pl.FocusAreaByIdLoader, lambda o, a: o.focus_area_id, "FocusArea", optional)
    return {
        ("Plan", "subAgreements"): Relation(
            pl.AgreementsByPlanIdLoader,
            lambda o, a: o.pk,
            "Agreement",
            lambda rows: [r for r in rows if r.kind == AK.SUB_AGREEMENT],
        ),
        ("Plan", "goals"): Relation(pl.GoalsByPlanIdLoader, lambda o, a: o.pk, "Goal"),
        ("Plan", "activities"): Relation(
            al.ActivitiesByPlanIdLoader,
            lambda o, a: (o.pk, page_size(a.get("first")), None, NO_FILTER, None),
            "Activity",
            lambda conn: conn.items,
            frozenset({"first"}),
            connection=True,
        ),
        ("Agreement", "focusArea"): focus_area,
        ("Goal", "focusArea"): focus_area,
        ("Goal", "indicators"): Relation(pl.IndicatorsByGoalIdLoader, lambda o, a: o.pk, "Indicator"),
        ("Indicator", "measurements"): Relation(pl.MeasurementsByIndicatorIdLoader, lambda o, a: o.pk, "Measurement"),
        ("Activity", "partners"): Relation(al.ActivityPartnersByActivityIdLoader, lambda o, a: o.pk, "ActivityPartner"),
    }


_RELATIONS: dict[tuple[str, str], Relation] | None = None


def relations() -> dict[tuple[str, str], Relation]:
    global _RELATIONS
    if _RELATIONS is None:
        _RELATIONS = _relations()
    return _RELATIONS


def _fields(selections: Iterable[Selection], type_name: str) -> Iterable[SelectedField]:
    """The fields selected on `type_name`, through fragments (type conditions checked)."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, (InlineFragment, FragmentSpread)):
            condition = selection.type_condition
            if condition is None or condition in (type_name, "Node"):
                yield from _fields(selection.selections, type_name)


def _arguments(field: SelectedField, accepted: frozenset[str]) -> dict[str, Any] | None:
    """The field's arguments when all are understood and ints (or absent variables); else None."""
    out: dict[str, Any] = {}
    for name, value in field.arguments.items():
        if name not in accepted:
            return None
        if isinstance(value, str):  # a literal comes as its text
            try:
                value = int(value)
            except ValueError:
                return None
        if value is not None and value.__class__ is not int:
            return None
        out[name] = value
    return out


def _connection_sets(field: SelectedField) -> list[list[Selection]]:
    """The selections of a connection's items: `nodes { ... }` and `edges { node { ... } }`."""
    sets: list[list[Selection]] = []
    for child in _fields(field.selections, "Connection"):
        if child.name == "nodes":
            sets.append(child.selections)
        elif child.name == "edges":
            sets.extend(f.selections for f in _fields(child.selections, "Edge") if f.name == "node")
    return sets


# (GraphQL type name, objects of that type, the selection sets they are completed with)
Frontier = list[tuple[str, list[Any], list[list[Selection]]]]


async def prefetch(context: Context, frontier: Frontier) -> None:
    """Level by level from (type name, objects, selection sets): one batch per loader and level, so
    relations met more than once on a level (aliases, focus areas of goals and of agreements) share it."""
    table = relations()
    while frontier:
        wanted: dict[type[Loader[Any, Any]], dict[Any, None]] = {}  # loader class -> keys, in order
        work: list[tuple[Relation, SelectedField, list[Any]]] = []
        for type_name, objects, selection_sets in frontier:
            if not objects:
                continue
            for node in (f for selections in selection_sets for f in _fields(selections, type_name)):
                relation = table.get((type_name, node.name))
                if relation is None or not node.selections:
                    continue
                arguments = _arguments(node, relation.arguments)
                if arguments is None:
                    continue
                try:
                    keys = [k for k in (relation.key(o, arguments) for o in objects) if k is not None]
                except GraphQLError:
                    continue  # e.g. a page size over the limit: the resolver gives the error
                wanted.setdefault(relation.loader, {}).update(dict.fromkeys(keys))
                work.append((relation, node, keys))
        for loader, loader_keys in wanted.items():
            await loader(context).prefetch(list(loader_keys))
        frontier = []
        for relation, node, keys in work:
            values = await relation.loader(context).prefetch(list(dict.fromkeys(keys)))  # all loaded now
            children = [child for value in values for child in relation.children(value)]
            sets = _connection_sets(node) if relation.connection else [node.selections]
            frontier.append((relation.child_type, children, sets))


async def prefetch_page(info: Info, type_name: str, connection: Connection[Any]) -> None:
    """Prefetch below a root connection field (its items' selections under nodes / edges.node).

    Off when the schema runs without fast execution (FAST_EXECUTION=false). A failure here is not
    the answer's: the resolvers load on their own and report it there.
    """
    if not is_fast(info.schema):
        return
    try:
        fields = [field for field in info.selected_fields if isinstance(field, SelectedField)]  # the field itself
        sets = [s for field in fields for s in _connection_sets(field)]
        await prefetch(info.context, [(type_name, connection.items, sets)])
    except Exception:  # prefetch only saves statements: the resolvers load on their own and report errors
        pass
