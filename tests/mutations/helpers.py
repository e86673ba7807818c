"""Running GraphQL in-process as an actor, and small checks shared by the mutation tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from backend.models import AgreementKind, AuditEvent
from backend.services import groups, inputs, plans
from schema.api import execute
from schema.ids import encode
from tests.services.world import World, call, scalar


async def gql(document: str, variables: dict | None = None, *, actor=None) -> dict:
    """The data of a GraphQL operation run as `actor`; fails on any GraphQL-level error."""
    result = await execute(document, variables, actor=actor)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def audit_count() -> int:
    return await scalar(select(func.count()).select_from(AuditEvent))


def gid(type_name: str, pk: int) -> str:
    return encode(type_name, pk)


def payload_of(data: dict) -> dict:
    (payload,) = data.values()
    return payload


# Objects some mutation tests start from, in a test's own world.
async def an_input(w: World) -> dict:
    row = await call(inputs.submit, actor=w.actor("resident"), group_id=w.group_id, title="Titel", body="Tekst")
    return {"input": row.id}


async def a_sub_agreement(w: World) -> dict:
    row = await call(
        plans.create_agreement_version,
        actor=w.actor("housing"),
        plan_id=w.plan_id,
        kind=AgreementKind.SUB_AGREEMENT,
        title="Delaftale",
        focus_area_id=w.focus_area_id,
    )
    return {"agreement": row.id}


async def a_meeting(w: World) -> dict:
    row = await call(
        groups.create_meeting,
        actor=w.actor("housing"),
        group_id=w.group_id,
        starts_at=datetime(2026, 5, 1, 17, tzinfo=UTC),
    )
    return {"meeting": row.id}
