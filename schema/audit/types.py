"""The audit log as the API shows it: who (kind only), what and when; never personal data."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import Private
from strawberry.types import Info

from schema.enums import ActorKind
from schema.ids import encode
from schema.loaders import Resolves
from schema.node import Node
from schema.plans.loaders import PlanByIdLoader

if TYPE_CHECKING:
    from schema.plans.types import Plan

PlanRef = Annotated["Plan", strawberry.lazy("schema.plans.types")]


@strawberry.type(description="A change recorded in the audit log.")
class AuditEvent(Node):
    at: datetime = strawberry.field(description="When it happened.")
    actor_kind: ActorKind | None = strawberry.field(description="What kind of actor did it (null: the system).")
    action: str = strawberry.field(description="What was done, e.g. activity.update.")
    object_type: str = strawberry.field(description="The type of the changed object, e.g. Activity.")
    object_pk: Private[int | None]
    plan_id: Private[int | None]
    before: Private[dict[str, Any] | None]
    after: Private[dict[str, Any] | None]

    @strawberry.field(description="The global id of the changed object (null when it had none).")
    def object_id(self) -> strawberry.ID | None:
        return strawberry.ID(encode(self.object_type, self.object_pk)) if self.object_pk is not None else None

    @strawberry.field(description="The names of the fields that changed (values are not shown).")
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))

    @strawberry.field(description="The plan the change belongs to, if any.")
    def plan(self, info: Info) -> Resolves[PlanRef | None]:
        return PlanByIdLoader(info.context).load(self.plan_id) if self.plan_id else None
