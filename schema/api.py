"""The GraphQL schema: combines the domains' queries (and mutations, subscriptions) into `schema`.

`execute()` runs a document in-process as a given actor (the portal and tests use it).
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext as OperationContext
from strawberry.types import ExecutionResult, Info

from backend import observability, policy
from backend.actor import Actor
from backend.settings import get_settings
from schema import fast_fields, limits, public_cache
from schema.activities.mutations import ActivitiesMutation
from schema.activities.queries import ActivitiesQuery
from schema.audit.queries import AuditQuery
from schema.context import Context
from schema.document_cache import DocumentCache
from schema.engine_internals import mark_fast
from schema.execution import ExecutionContext
from schema.extensions import (
    NoAnonymousIntrospection,
    NoteOperation,
    OperationLimits,
    ReleaseSessionAfterOperation,
    log_errors,
    mask_unexpected_errors,
)
from schema.geography.queries import GeographyQuery
from schema.node import Node, resolve_node
from schema.notifications.mutations import NotificationsMutation
from schema.participation.mutations import ParticipationMutation
from schema.participation.queries import ParticipationQuery
from schema.participation.residency_mutations import ResidencyMutation
from schema.permissions import checked
from schema.plans.mutations import PlansMutation
from schema.plans.queries import PlansQuery
from schema.reports.queries import ReportsQuery
from schema.scalars import SCALAR_OVERRIDES
from schema.subscriptions import Subscription


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: OperationContext | None = None) -> None:
        log_errors(errors)


@strawberry.type(
    description="The Helhedsplan API: boligsociale helhedsplaner, their activities, partners and follow-up groups."
)
class Query(PlansQuery, ActivitiesQuery, ParticipationQuery, GeographyQuery, AuditQuery, ReportsQuery):
    @strawberry.field(
        description="Any object by its global id (null when it does not exist or you may not see it).",
        **checked(policy.plan_filter, policy.activity_filter, note="each type's own read rule"),
    )
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")]
    ) -> Node | None:
        node: Node | None = await resolve_node(info.context, id)  # each type's fetcher gives one of its own
        return node


@strawberry.type(
    description="Changes: every mutation has its own payload with typed errors and runs in one transaction."
)
class Mutation(ParticipationMutation, ActivitiesMutation, PlansMutation, ResidencyMutation, NotificationsMutation):
    pass


def build_schema(*, fast_execution: bool) -> strawberry.Schema:
    """The schema; with `fast_execution` it completes plain fields in one pass (schema/execution.py),
    resolves Node ids directly (schema/fast_fields.py) and prefetches below root lists
    (schema/prefetch.py). Without it, plain strawberry and graphql-core run: same answers, slower."""
    built = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            DocumentCache,
            *limits.extensions(),
            NoAnonymousIntrospection,
            OperationLimits,
            ReleaseSessionAfterOperation,
            NoteOperation,
            mask_unexpected_errors,
        ],
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=ExecutionContext if fast_execution else None,
    )
    if fast_execution:
        fast_fields.install(built)
        mark_fast(built)
    return built


schema = build_schema(fast_execution=get_settings().fast_execution)


async def execute(
    document: str,
    variables: dict[str, Any] | None = None,
    *,
    actor: Actor | None = None,
    operation_name: str | None = None,
    request: Any = None,
) -> ExecutionResult:
    """Run a GraphQL document in-process as `actor` (None: not signed in), on its own session."""

    async def run() -> ExecutionResult:
        context = Context(actor=actor, request=request)
        try:
            return await schema.execute(
                document, variable_values=variables, context_value=context, operation_name=operation_name
            )
        finally:
            await context.close()

    observability.note_operation(operation_name)  # also when the answer comes from the cache
    if actor is None:  # public results are the same for everyone: see schema/public_cache.py
        return await public_cache.execute_public(run, document, variables, operation_name)
    return await run()
