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

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode, IntValueNode, VariableNode

from backend.models import AgreementKind as AK


@dataclass(frozen=True)
class Relation:
    loader: Callable[[Any], Any]  # loader class (called with the context)
    key: Callable[[Any, dict], Any]  # parent, arguments -> key (None: nothing to load)
    child_type: str  # GraphQL type name of the objects in the value
    children: Callable[[Any], Iterable] = lambda value: value  # the objects in a loaded value
    arguments: frozenset = frozenset()  # argument names the key understands
    connection: bool = False  # the children's selections are under nodes / edges.node


def _relations() -> dict[tuple[str, str], Relation]:
    from schema.activities import loaders as al
    from schema.activities.filters import NO_FILTER
    from schema.limits import page_size
    from schema.plans import loaders as pl

    def optional(value):
        return [value] if value is not None else []

    focus_area = Relation(pl.FocusAreaByIdLoader, lambda o, a: o.focus_area_id, "FocusArea", optional)
    return {
        ("Plan", "subAgreements"): Relation(pl.AgreementsByPlanIdLoader, lambda o, a: o.pk, "Agreement",
                                            lambda rows: [r for r in rows if r.kind == AK.SUB_AGREEMENT]),
        ("Plan", "goals"): Relation(pl.GoalsByPlanIdLoader, lambda o, a: o.pk, "Goal"),
        ("Plan", "activities"): Relation(
            al.ActivitiesByPlanIdLoader, lambda o, a: (o.pk, page_size(a.get("first")), None, NO_FILTER, None),
            "Activity", lambda conn: conn.items, frozenset({"first"}), connection=True),
        ("Agreement", "focusArea"): focus_area,
        ("Goal", "focusArea"): focus_area,
        ("Goal", "indicators"): Relation(pl.IndicatorsByGoalIdLoader, lambda o, a: o.pk, "Indicator"),
        ("Indicator", "measurements"): Relation(pl.MeasurementsByIndicatorIdLoader, lambda o, a: o.pk, "Measurement"),
        ("Activity", "partners"): Relation(al.ActivityPartnersByActivityIdLoader, lambda o, a: o.pk, "ActivityPartner"),
    }


_RELATIONS: dict | None = None


def relations() -> dict[tuple[str, str], Relation]:
    global _RELATIONS
    if _RELATIONS is None:
        _RELATIONS = _relations()
    return _RELATIONS


def _fields(raw_info, selection_sets: Iterable, type_name: str) -> Iterable[FieldNode]:
    """The field nodes selected on `type_name`, through fragments (type conditions checked)."""
    for selection_set in selection_sets:
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or condition.name.value in (type_name, "Node"):
                    yield from _fields(raw_info, [selection.selection_set], type_name)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = raw_info.fragments.get(selection.name.value)
                if fragment is not None and fragment.type_condition.name.value in (type_name, "Node"):
                    yield from _fields(raw_info, [fragment.selection_set], type_name)


def _arguments(raw_info, node: FieldNode, accepted: frozenset) -> dict | None:
    """The field's arguments when all are understood and literal ints or variables; else None."""
    out = {}
    for argument in node.arguments or ():
        name = argument.name.value
        if name not in accepted:
            return None
        value = argument.value
        if isinstance(value, IntValueNode):
            out[name] = int(value.value)
        elif isinstance(value, VariableNode):
            out[name] = (raw_info.variable_values or {}).get(value.name.value)
        else:
            return None
    return out


def _connection_sets(raw_info, node: FieldNode) -> list:
    """The selection sets of a connection's items: `nodes { ... }` and `edges { node { ... } }`."""
    sets = []
    for field in _fields(raw_info, [node.selection_set], "Connection"):
        name = field.name.value
        if name == "nodes":
            sets.append(field.selection_set)
        elif name == "edges":
            sets.extend(f.selection_set for f in _fields(raw_info, [field.selection_set], "Edge")
                        if f.name.value == "node")
    return sets


async def prefetch(context, raw_info, frontier: list[tuple[str, list, list]]) -> None:
    """Level by level from (type name, objects, selection sets): one batch per loader and level, so
    relations met more than once on a level (aliases, focus areas of goals and of agreements) share it."""
    table = relations()
    while frontier:
        wanted: dict[Any, dict] = {}  # loader class -> keys, in order
        work = []
        for type_name, objects, selection_sets in frontier:
            if not objects:
                continue
            for node in _fields(raw_info, selection_sets, type_name):
                relation = table.get((type_name, node.name.value))
                if relation is None or node.selection_set is None:
                    continue
                arguments = _arguments(raw_info, node, relation.arguments)
                if arguments is None:
                    continue
                try:
                    keys = [k for k in (relation.key(o, arguments) for o in objects) if k is not None]
                except GraphQLError:
                    continue  # e.g. a page size over the limit: the resolver gives the error
                wanted.setdefault(relation.loader, {}).update(dict.fromkeys(keys))
                work.append((relation, node, keys))
        for loader, keys in wanted.items():
            await loader(context).prefetch(list(keys))
        frontier = []
        for relation, node, keys in work:
            values = await relation.loader(context).prefetch(list(dict.fromkeys(keys)))  # all loaded now
            children = [child for value in values for child in relation.children(value)]
            sets = _connection_sets(raw_info, node) if relation.connection else [node.selection_set]
            frontier.append((relation.child_type, children, sets))


async def prefetch_page(info, type_name: str, connection) -> None:
    """Prefetch below a root connection field (its items' selections under nodes / edges.node).

    A failure here is not the answer's: the resolvers load on their own and report it there.
    """
    raw_info = info._raw_info
    try:
        sets = [s for node in raw_info.field_nodes for s in _connection_sets(raw_info, node)]
        await prefetch(info.context, raw_info, [(type_name, connection.items, sets)])
    except Exception:  # noqa: BLE001
        pass
