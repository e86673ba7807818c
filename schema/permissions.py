"""Declarative access on fields: every Query and Mutation field says who may use it.

- `public("why")`: anyone, signed in or not.
- `requires(policy.rule, arg="attribute", ...)`: enforced here before the resolver runs; the rule is
  called as `rule(actor, arg=getattr(source, attribute), ...)`. When it says no, the field resolves
  to what an absent value looks like: null, an empty list or an empty connection.
- `checked(policy.rule_or_filter, ...)`: the resolver applies these policy functions itself (list
  fields filter in SQL with `policy.*_filter`; services check `policy.can_*`). Declared so the
  rules are visible on the field and a test can list them.

Use as keyword arguments of strawberry.field / strawberry.mutation:
    @strawberry.field(description="...", **requires(policy.can_read_financing, plan_id="pk"))
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from strawberry.extensions.field_extension import FieldExtension, SyncExtensionResolver
from strawberry.types import Info
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField

ACCESS = "access"

# A policy function: a rule `(actor, **values) -> bool`, or a filter that gives a SQL condition.
Rule = Callable[..., object]


@dataclass(frozen=True)
class Access:
    kind: str  # public | requires | checked
    rules: tuple[Rule, ...] = ()
    note: str = ""


def public(note: str = "") -> dict[str, Any]:
    return {"metadata": {ACCESS: Access("public", (), note)}}


def checked(*rules: Rule, note: str = "") -> dict[str, Any]:
    if not rules:
        raise ValueError("checked() needs at least one policy function")
    return {"metadata": {ACCESS: Access("checked", tuple(rules), note)}}


def requires(rule: Rule, **args: str) -> dict[str, Any]:
    return {"metadata": {ACCESS: Access("requires", (rule,), "")}, "extensions": [Guard(rule, args)]}


def access_of(field: object) -> Access | None:
    metadata = getattr(field, "metadata", None) or {}
    access = metadata.get(ACCESS)
    return access if isinstance(access, Access) else None


class Guard(FieldExtension):
    """Runs a policy rule before the resolver; a refusal looks exactly like an absent value."""

    def __init__(self, rule: Rule, args: dict[str, str]) -> None:
        self.rule = rule
        self.args = args
        self.empty: Callable[[], Any] = lambda: None

    def apply(self, field: StrawberryField) -> None:
        field_type = field.type
        if isinstance(field_type, StrawberryOptional):
            self.empty = lambda: None
        elif isinstance(field_type, StrawberryList):
            self.empty = list
        elif hasattr(field_type, "empty"):  # a connection
            self.empty = field_type.empty
        else:
            raise TypeError(f"{field.python_name}: a guarded field must be nullable, a list or a connection")

    def allowed(self, source: Any, info: Info) -> bool:
        values = {name: getattr(source, attribute) for name, attribute in self.args.items()}
        return bool(self.rule(info.context.actor, **values))

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        if not self.allowed(source, info):
            return self.empty()
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        if not self.allowed(source, info):
            return self.empty()
        result = next_(source, info, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result
