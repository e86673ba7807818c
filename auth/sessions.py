"""Server-side browser sessions in the WebSession table, and CSRF tokens bound to them.

The cookie holds only a random id; the table stores its SHA-256, so a leaked database does not
hand out live sessions. Any process sharing the database sees the same sessions, they survive a
restart, and deleting the row signs out everywhere at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from backend import events
from backend.models import WebSession, utcnow
from backend.settings import get_settings

SESSION_COOKIE = "hp_session"
# The portal language cookie (frontend/i18n.py); set at sign-in from the language the account chose.
LANGUAGE_COOKIE = "sprog"
LOGIN_COOKIE = "hp_login"  # the pending sign-in (state, nonce, PKCE verifier), only on /auth/
SESSION_LIFETIME = timedelta(hours=8)
LOGIN_LIFETIME = timedelta(minutes=10)
# Anyone can start a sign-in without signing in: the rows of pending ones are bounded in number.
MAX_PENDING_LOGINS = 10_000
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def hash_id(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def create(session: AsyncSession, *, account_id: int | None, data: dict, lifetime: timedelta) -> str:
    """Store a new session row and return the raw id for the cookie (commits)."""
    raw = new_session_id()
    now = utcnow()
    session.add(
        WebSession(id_hash=hash_id(raw), account_id=account_id, data=data, created_at=now, expires_at=now + lifetime)
    )
    await session.commit()
    return raw


class TooManyPendingLogins(Exception):
    """More sign-ins are under way than MAX_PENDING_LOGINS: refuse to start another one for now."""


async def create_pending_login(session: AsyncSession, data: dict) -> str:
    """Store a pending sign-in (expires after LOGIN_LIFETIME) and return the raw id for its cookie.

    Expired pending sign-ins are pruned first; beyond MAX_PENDING_LOGINS live ones it raises
    TooManyPendingLogins, so anonymous requests cannot grow the table without bound. (Parallel
    requests may pass the count together by a few: a bound, not an exact quota.)
    """
    pending = col(WebSession.account_id).is_(None)
    await session.execute(delete(WebSession).where(pending, col(WebSession.expires_at) <= utcnow()))
    live = (await session.execute(select(func.count()).select_from(WebSession).where(pending))).scalar_one()
    if live >= MAX_PENDING_LOGINS:
        await session.commit()
        raise TooManyPendingLogins()
    return await create(session, account_id=None, data=data, lifetime=LOGIN_LIFETIME)


async def load(session: AsyncSession, raw: str | None) -> WebSession | None:
    """The live session row for a cookie value, or None (unknown, expired or malformed)."""
    if not raw or len(raw) > 100:
        return None
    row = (
        await session.execute(select(WebSession).where(col(WebSession.id_hash) == hash_id(raw)))
    ).scalar_one_or_none()
    if row is None or _aware(row.expires_at) <= utcnow():
        return None
    return row


async def take(session: AsyncSession, raw: str | None) -> WebSession | None:
    """Load and delete in one go: a pending sign-in can be used once only (commits)."""
    row = await load(session, raw)
    if raw:
        # a DELETE's result is a CursorResult (with its rowcount); SQLAlchemy types execute() as the general Result
        result = cast(
            "CursorResult[Any]",
            await session.execute(delete(WebSession).where(col(WebSession.id_hash) == hash_id(raw))),
        )
        await session.commit()
        if result.rowcount != 1:
            return None  # someone else took it first
    return row


async def destroy(session: AsyncSession, raw: str | None) -> None:
    """Sign a session out (commits); the account's open WebSockets in every process hear of it."""
    if raw:
        account_id = (
            await session.execute(select(col(WebSession.account_id)).where(col(WebSession.id_hash) == hash_id(raw)))
        ).scalar_one_or_none()
        await session.execute(delete(WebSession).where(col(WebSession.id_hash) == hash_id(raw)))
        if account_id is not None:
            await events.publish(session, events.SESSION_ENDED, account_id=account_id)
        await session.commit()


async def purge_expired(session: AsyncSession) -> None:
    await session.execute(delete(WebSession).where(col(WebSession.expires_at) <= utcnow()))
    await session.commit()


def set_cookie(response: Response, name: str, raw: str, *, max_age: int, path: str = "/") -> None:
    response.set_cookie(
        name, raw, max_age=max_age, path=path, httponly=True, samesite="lax", secure=not get_settings().is_development
    )


def clear_cookie(response: Response, name: str, *, path: str = "/") -> None:
    response.delete_cookie(name, path=path, httponly=True, samesite="lax", secure=not get_settings().is_development)


# ---------------------------------------------------------------- CSRF
def _csrf_for(raw_session_id: str | None) -> str:
    # Bound to the session: an HMAC of its id, so every process with the same secret agrees and the
    # token changes when the session does (sign-in rotates the id).
    key = get_settings().secret_key.encode("utf-8")
    message = b"csrf:" + (hash_id(raw_session_id).encode("ascii") if raw_session_id else b"anonymous")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def csrf_token(request: HTTPConnection) -> str:
    """The CSRF token for forms on this page; put it in a hidden field named `csrf_token`.

    Without a session the token is the same for everyone: anonymous forms carry no authority.
    """
    return _csrf_for(request.cookies.get(SESSION_COOKIE))


def verify_csrf(request: HTTPConnection, token: object) -> bool:
    if not token or not isinstance(token, str):
        return False
    return hmac.compare_digest(token, csrf_token(request))


async def verify_csrf_form(request: Request) -> bool:
    """Check the `csrf_token` form field (or the X-CSRF-Token header) of a POST."""
    token = request.headers.get(CSRF_HEADER)
    if not token:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    return verify_csrf(request, token)
