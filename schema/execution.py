"""Leaf fields, and whole subtrees of plain fields, completed in one step: the execution context the
schema runs with (the subtrees are explained further down, above `_Leaf`).

Most fields of an answer are leaves read straight off a row (a name, a status, a date, a node id):
in a staff deep query about 3,900 of 4,500 fields. For each, graphql-core builds an info object and
a path, calls strawberry's wrapper of getattr and goes through complete_value; that machinery is
most of a request's CPU. Here, a field that is an attribute read with no arguments and a scalar or
enum type (strawberry's basic fields, and the Node ids of schema/fast_fields.py) is read and
coerced directly, with the type's own coerce_output_value, so the value is the same. Anything
unusual (a null on a non-null field, a value that does not coerce, an error) goes the standard way,
which produces the standard error. Other fields are executed by graphql-core as before.

Objects whose fields are ready (prefetched, or loaded for a whole list at once) are completed by
graphql-core without an await, so a large answer could hold the event loop, and every other request
of the process, for as long as it takes. Every TURN_SLICE of such work the execution gives the loop
a turn (schema/execution.py `_Turns`): the answer is the same, completed in several stretches.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import Callable
from enum import Enum
from math import isfinite
from operator import attrgetter
from time import perf_counter
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.types.field import StrawberryField

from schema import fast_fields
from schema.engine_internals import (
    CustomGraphQLEnumType,
    ExecutionContextBase,
    FieldDetailsList,
    GroupedFieldSet,
    LazyInfo,
    LeanPath,
    PositionContext,
    enum_names,
    has_middleware,
    is_cast,
    is_default_resolver,
    is_strawberry_wrapper,
    resolver_call,
    strawberry_field,
)
from schema.ids import encode
from schema.permissions import Guard

_PLANS: dict[int, dict[str, Callable[[Any], Any]]] = {}  # id(object type) -> field name -> completer
T = TypeVar("T")


class _Slow(Exception):
    """This value needs graphql-core's own completion (it reports the error)."""


def _enum_names(leaf_type: CustomGraphQLEnumType) -> dict[Enum, str]:
    """Member -> GraphQL name of a strawberry enum, found once instead of per value (strawberry's
    coerce_output_value compares the value with each of the enum's values: the costliest leaf of all)."""
    return enum_names(leaf_type)


def _enum_coercer(leaf_type: CustomGraphQLEnumType) -> Callable[[Any], Any]:
    """strawberry's enum coerce_output_value, with the member -> name lookup done once."""
    wrapped, standard = leaf_type.wrapped_cls, leaf_type.coerce_output_value
    names = _enum_names(leaf_type)

    def coerce(value: Any) -> Any:
        if isinstance(value, wrapped):
            name = names.get(value)
            if name is not None:
                return name
        return standard(value)

    return coerce


def _coercer(leaf_type: GraphQLLeafType) -> Callable[[Any], Any]:
    """value -> the type's output value, as coerce_output_value gives it; raises _Slow where that
    gives no value (graphql-core then reports it). The common exact cases skip the call."""
    coerce = _enum_coercer(leaf_type) if isinstance(leaf_type, CustomGraphQLEnumType) else leaf_type.coerce_output_value

    def general(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _Slow
        return coerced

    if isinstance(leaf_type, CustomGraphQLEnumType):  # a member comes out as its name
        names, wrapped = _enum_names(leaf_type), leaf_type.wrapped_cls
        return lambda value: (names.get(value) if value.__class__ is wrapped else None) or general(value)
    name = leaf_type.name
    if name in ("String", "ID"):  # a str comes out as it is
        return lambda value: value if value.__class__ is str else general(value)
    if name == "Int":  # an int in the 32-bit range comes out as it is
        return lambda value: value if value.__class__ is int and -2147483648 <= value <= 2147483647 else general(value)
    if name == "Float":  # a finite float comes out as it is
        return lambda value: value if value.__class__ is float and isfinite(value) else general(value)
    if name == "Boolean":
        return lambda value: value if value.__class__ is bool else general(value)
    return general


def _completer(getter: Callable[[Any], Any], leaf_type: GraphQLLeafType, non_null: bool) -> Callable[[Any], Any]:
    coerce = _coercer(leaf_type)

    def complete(source: Any) -> Any:
        value = getter(source)
        if value is None:
            if non_null:
                raise _Slow
            return None
        return coerce(value)

    # The commonest leaves (a str, an enum member: most of an answer's values) in one call instead of
    # two; anything else goes the general way above (the getters are plain reads: reading again is harmless).
    if isinstance(leaf_type, CustomGraphQLEnumType):
        names, wrapped = _enum_names(leaf_type), leaf_type.wrapped_cls

        def complete_enum(source: Any) -> Any:
            value = getter(source)
            if value.__class__ is wrapped:
                name = names.get(value)
                if name is not None:
                    return name
            return complete(source)

        return complete_enum
    if leaf_type.name in ("String", "ID"):

        def complete_str(source: Any) -> Any:
            value = getter(source)
            return value if value.__class__ is str else complete(source)

        return complete_str
    return complete


def _plan(parent_type: GraphQLObjectType) -> dict[str, Callable[[Any], Any]]:
    plan = _PLANS.get(id(parent_type))
    if plan is not None:
        return plan
    plan = {}
    for name, field in parent_type.fields.items():
        if field.args:
            continue
        field_type = field.type
        non_null = isinstance(field_type, GraphQLNonNull)
        leaf_type = field_type.of_type if non_null else field_type
        if not is_leaf_type(leaf_type):
            continue
        resolve = field.resolve
        if resolve is fast_fields._node_id:

            def node_id(source: Any, type_name: str = parent_type.name) -> str:
                return encode(type_name, source.pk)

            plan[name] = _completer(node_id, leaf_type, non_null)
            continue
        definition = strawberry_field(field)
        if not is_default_resolver(resolve) or definition is None or not definition.is_basic_field:
            continue
        python_name, default_resolver = definition.python_name, definition.default_resolver
        getter = (
            attrgetter(python_name)
            if default_resolver is getattr
            else lambda source, n=python_name, r=default_resolver: r(source, n)
        )
        plan[name] = _completer(getter, leaf_type, non_null)
    _PLANS[id(parent_type)] = plan
    return plan


# The longest stretch of synchronous completion before the event loop gets a turn: other requests
# of the process (cached answers take about a millisecond) wait at most about this long behind one
# large answer. The turn costs a few microseconds; a turn every 5 ms is invisible in a large answer.
TURN_SLICE = 0.005  # seconds


class _Turns:
    """Notices when one request has held the event loop for TURN_SLICE, and completes the objects
    put off then in later turns of the loop, in order, a slice at a time.

    A stretch starts when the loop last ran something else: a callback scheduled with call_soon at
    the start of a stretch has run as soon as the request awaited anything (a query, a turn)."""

    __slots__ = ("started", "loop_ran", "waiting", "no_loop")

    def __init__(self) -> None:
        # (work, future) put off until the loop's next turn
        self.waiting: deque[tuple[Callable[[], Any], asyncio.Future[Any]]] = deque()
        # Executed without an event loop (execute_sync): there is nothing to give a turn to.
        try:
            asyncio.get_running_loop()
            self.no_loop = False
        except RuntimeError:
            self.no_loop = True
        self._restart(perf_counter())

    def _restart(self, now: float) -> None:
        self.started, self.loop_ran = now, False
        if not self.no_loop:
            asyncio.get_running_loop().call_soon(self._ran)

    def _ran(self) -> None:
        self.loop_ran = True

    def due(self) -> bool:
        """Whether this stretch has lasted TURN_SLICE with the loop held all along."""
        now = perf_counter()
        if self.no_loop or now - self.started < TURN_SLICE:
            return False
        if self.loop_ran:  # the loop has run other work since: a new stretch starts now
            self._restart(now)
            return False
        return True

    def later(self, work: Callable[[], T]) -> asyncio.Future[T]:
        """`work()`'s result, computed after the loop has had a turn."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.waiting.append((work, future))
        if len(self.waiting) == 1:
            asyncio.get_running_loop().call_soon(self._run_waiting)
        return future

    def _run_waiting(self) -> None:
        """Called by the loop: the work put off, in order, for one slice; the rest in the next turn.
        (One callback for all of them: waking each waiter on its own would take a turn each.)"""
        self._restart(perf_counter())
        waiting = self.waiting
        while waiting:  # at least one piece of work per turn, however short the slice
            work, future = waiting.popleft()
            if future.done():  # cancelled: the request has ended
                continue
            try:
                future.set_result(work())
            except BaseException as error:
                future.set_exception(error)
            if perf_counter() - self.started >= TURN_SLICE:
                break
        if waiting:
            asyncio.get_running_loop().call_soon(self._run_waiting)


class ExecutionContext(ExecutionContextBase):
    _turns: _Turns | None = None

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: PositionContext | None,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if has_middleware(self):
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        turns = self._turns
        if turns is None:
            turns = self._turns = _Turns()
        elif turns.due():
            return self._after_a_turn(turns, parent_type, source_value, path, grouped_field_set, position_context)
        return self._execute_fields(parent_type, source_value, path, grouped_field_set, position_context)

    async def _after_a_turn(self, turns: _Turns, *arguments: Any) -> dict[str, Any]:
        """This object's fields, after the event loop has had a turn (graphql-core awaits the result
        as it awaits an object whose resolvers are async)."""
        result = await turns.later(lambda: self._execute_fields(*arguments))
        return result if isinstance(result, dict) else await result  # a dict, or an awaitable of one

    def _execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: object,  # any object: only passed on to the completers and graphql-core
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: PositionContext | None,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._fields_plan(parent_type, grouped_field_set)
        done: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        type_name = parent_type.name
        for response_name, details in grouped_field_set.items():
            entry = plan.get(response_name)
            if entry is not None:
                try:
                    if entry.__class__ is _Field:
                        done[response_name] = entry.complete(self, source_value, Path(path, response_name, type_name))
                    else:
                        done[response_name] = entry(source_value)
                    continue
                except Exception:
                    if entry.__class__ is _Field:
                        plan[response_name] = None  # not again in this request
            rest[response_name] = details
        if not rest:
            return done
        results = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if not isinstance(results, dict):  # an awaitable of the dict
            pending = results

            async def merged() -> dict[str, Any]:
                return _in_order(grouped_field_set, done, await pending)

            return merged()
        return _in_order(grouped_field_set, done, results)

    # Plans are made once per request for each (object type, selection); graphql-core memoizes the
    # selections of a list's items, so all items share one plan.

    def _fields_plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> dict[str, Any]:
        """Response name -> leaf completer, _Field (a whole subtree in one pass) or None (standard).
        (Typed Any: _execute_fields tells them apart by `__class__ is`, which mypy does not narrow.)"""
        plans: dict[tuple[GraphQLObjectType, int], tuple[GroupedFieldSet, dict[str, Any]]]
        plans = self.__dict__.setdefault("_fields_plans", {})
        key = (parent_type, id(grouped_field_set))
        found = plans.get(key)
        if found is not None:
            return found[1]
        plan = {name: self._lean_field(parent_type, details) for name, details in grouped_field_set.items()}
        plans[key] = (grouped_field_set, plan)  # the set is kept alive so its id is not reused
        return plan

    def _lean_field(self, parent_type: GraphQLObjectType, details: FieldDetailsList) -> _Completion | None:
        """A field (with its whole selection) that can be completed in one pass, or None."""
        node = details[0].node
        name = node.name.value
        if node.arguments or any(d.name.value == "stream" for d in node.directives or ()):
            return None
        if name == "__typename":
            return lambda source, n=parent_type.name: n
        leaf = _plan(parent_type).get(name)
        if leaf is not None:
            return leaf
        field_def = parent_type.fields.get(name)
        if field_def is None or field_def.args:
            return None
        definition = strawberry_field(field_def)
        if definition is None or definition.is_async or not is_strawberry_wrapper(field_def.resolve):
            return None
        guards = tuple(extension for extension in definition.extensions if isinstance(extension, Guard))
        if len(guards) != len(definition.extensions):  # another extension than Guard
            return None
        value = self._lean_value(field_def.type, details)
        if value is None:
            return None
        return _Field(definition, field_def, [d.node for d in details], parent_type, guards, value)

    def _lean_value(self, output_type: GraphQLOutputType, details: FieldDetailsList) -> _Lean | None:
        if isinstance(output_type, GraphQLNonNull):
            return self._lean_core(output_type.of_type, details, True)
        return self._lean_core(output_type, details, False)

    def _lean_core(self, output_type: GraphQLOutputType, details: FieldDetailsList, non_null: bool) -> _Lean | None:
        if isinstance(output_type, GraphQLList):
            item = self._lean_value(output_type.of_type, details)
            return _List(item, non_null) if item is not None else None
        if is_leaf_type(output_type):
            return _Leaf(output_type, non_null)
        if not isinstance(output_type, GraphQLObjectType):
            return None  # an interface or union: its runtime type is resolved the standard way
        grouped, defer_usages = self.collect_subfields(output_type, details)[:2]
        if defer_usages:
            return None
        lean = _Object(output_type, non_null)
        for response_name, sub_details in grouped.items():
            field = self._lean_field(output_type, sub_details)
            if field is None:
                return None
            lean.fields.append((response_name, field))
        return lean


def _in_order(grouped_field_set: GroupedFieldSet, done: dict[str, Any], results: dict[str, Any]) -> dict[str, Any]:
    """Both parts, in the order of the selection (the answer's keys keep the document's order)."""
    if not done:
        return results
    out: dict[str, Any] = {}
    for name in grouped_field_set:
        if name in done:
            out[name] = done[name]
        elif name in results:
            out[name] = results[name]
    return out


# --- Whole subtrees completed in one pass -------------------------------------------------------
#
# Below a root field that prefetched its data (schema/prefetch.py), every object's relations are
# already loaded, and graphql-core's machinery per object and per field (collecting, a path, an
# info object, strawberry's resolver wrapper and extension chain, complete_value for each level of
# NonNull / List / Object) is most of a request's CPU. A field whose whole selection below it is
# made of such fields is completed here in one recursive pass, with the same resolvers, the same
# access guards (schema.permissions.Guard) and the same type checks.
#
# The pass is all or nothing for the field where it starts: anything unusual below it (an
# exception, an awaitable because a value was not prefetched, a null on a non-null field, a value
# of the wrong type) abandons the pass, and graphql-core executes that field the standard way, so
# errors, paths and nulls come out exactly as the standard way makes them. Resolvers on this path
# are synchronous reads, so running one again is harmless. A field that fell back once in a request
# is not tried again in that request.


class _Leaf:
    __slots__ = ("coerce", "non_null")

    def __init__(self, leaf_type: GraphQLLeafType, non_null: bool) -> None:
        self.coerce, self.non_null = _coercer(leaf_type), non_null

    def complete(self, context: ExecutionContext, value: Any, path: LeanPath) -> Any:
        if value is None:
            if self.non_null:
                raise _Slow
            return None
        return self.coerce(value)


class _List:
    __slots__ = ("item", "non_null")

    def __init__(self, item: _Lean, non_null: bool) -> None:
        self.item, self.non_null = item, non_null

    def complete(self, context: ExecutionContext, value: Any, path: LeanPath) -> Any:
        if value is None:
            if self.non_null:
                raise _Slow
            return None
        if not isinstance(value, (list, tuple)):
            raise _Slow
        complete = self.item.complete
        return [complete(context, item, (path, index, None)) for index, item in enumerate(value)]


class _Object:
    __slots__ = ("type", "non_null", "is_type_of", "fields", "checked")

    def __init__(self, object_type: GraphQLObjectType, non_null: bool) -> None:
        self.type, self.non_null = object_type, non_null
        self.is_type_of = object_type.is_type_of
        self.fields: list[tuple[str, Any]] = []  # (response name, _Field or leaf completer)
        # Classes that passed is_type_of: strawberry's depends only on the class and a cast mark.
        self.checked: set[type] = set()

    def complete(self, context: ExecutionContext, value: Any, path: LeanPath) -> Any:
        if value is None:
            if self.non_null:
                raise _Slow
            return None
        if self.is_type_of is not None and (value.__class__ not in self.checked or is_cast(value)):
            if not self.is_type_of(value, None):  # type: ignore[arg-type]  # A7: strawberry's ignores info
                raise _Slow
            if not is_cast(value):
                self.checked.add(value.__class__)
        out: dict[str, Any] = {}
        type_name = self.type.name
        for response_name, field in self.fields:
            if field.__class__ is _Field:
                out[response_name] = field.complete(context, value, (path, response_name, type_name))
            else:
                out[response_name] = field(value)
        return out


class _Field:
    """A non-leaf field: its resolver called as strawberry calls it, then its value completed."""

    __slots__ = ("definition", "field_def", "nodes", "parent_type", "guards", "call", "get", "value")

    def __init__(
        self,
        definition: StrawberryField,
        field_def: GraphQLField,
        nodes: list[FieldNode],
        parent_type: GraphQLObjectType,
        guards: tuple[Guard, ...],
        value: _Lean,
    ) -> None:
        self.definition, self.field_def, self.nodes = definition, field_def, nodes
        self.parent_type, self.guards, self.value = parent_type, guards, value
        python_name, default_resolver = definition.python_name, definition.default_resolver
        self.get: Callable[[Any], Any] = (
            attrgetter(python_name)
            if default_resolver is getattr
            else lambda source: default_resolver(source, python_name)
        )
        self.call = resolver_call(definition)

    def complete(self, context: ExecutionContext, source: Any, path: LeanPath) -> Any:
        if self.call is None and not self.guards:
            value = self.get(source)
        else:
            info = LazyInfo(context, self, path)
            for guard in self.guards:
                if not guard.allowed(source, info):
                    return self.value.complete(context, guard.empty(), path)
            value = self.get(source) if self.call is None else self.call(source, info)
        if context.is_awaitable(value):
            if inspect.iscoroutine(value):
                value.close()
            raise _Slow
        return self.value.complete(context, value, path)


# How a field of a one-pass subtree is completed: a leaf, a list, an object (each with `complete`).
_Lean = _Leaf | _List | _Object
# A field's entry in a plan: a leaf completer (`value -> output`), or a subtree completed in one pass.
_Completion = Callable[[Any], Any] | _Field
