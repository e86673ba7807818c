"""The actor behind an HTTP request or WebSocket (placeholder: anonymous until sign-in lands)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from backend.actor import Actor


async def actor_for_request(connection: HTTPConnection, session: AsyncSession) -> Actor | None:
    return None
