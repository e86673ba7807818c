"""Running GraphQL in-process as an actor, and small checks shared by the mutation tests."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.models import AuditEvent
from schema.api import execute
from schema.ids import encode
from tests.services.world import scalar


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
