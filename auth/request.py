"""The actor behind an HTTP request or WebSocket: a bearer token first, then the session cookie.

A request with an Authorization header that does not hold a valid token is refused with
AuthenticationError (HTTP 401), never treated as anonymous. An unknown or expired session cookie
is simply no session: the browser is anonymous until it signs in again.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from auth import sessions
from auth.accounts import account_for_claims
from auth.errors import AuthenticationError
from auth.tokens import validate_access_token
from backend.actor import Actor, load_actor
from backend.models import Account


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token of an `Authorization: Bearer` header; None without the header."""
    header = connection.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("the Authorization header must be 'Bearer <access token>'")
    return token


def session_id(connection: HTTPConnection) -> str | None:
    """The session cookie's value, as Starlette parses the Cookie headers (all of them)."""
    return connection.cookies.get(sessions.SESSION_COOKIE)


def carries_credentials(connection: HTTPConnection) -> bool:
    """Whether `account_for_request` would act on a credential here: any Authorization header (a
    malformed or empty one is refused with 401, never anonymous) or a session cookie (even one that
    turns out unknown). False means the caller is anonymous, whatever the header bytes look like;
    caches of public answers decide with this, from the same parsing as the sign-in itself."""
    return "authorization" in connection.headers or session_id(connection) is not None


async def account_for_request(connection: HTTPConnection, session: AsyncSession) -> Account | None:
    token = bearer_token(connection)
    if token is not None:
        issuer, claims = await validate_access_token(token)
        return await account_for_claims(session, issuer, claims)
    row = await sessions.load(session, session_id(connection))
    if row is None or row.account_id is None:
        return None
    return await session.get(Account, row.account_id)


async def actor_for_token(token: str, session: AsyncSession) -> Actor:
    """The actor of a bearer access token given some other way (e.g. a WebSocket's connection_init
    payload, since browsers cannot set headers on WebSockets); AuthenticationError when invalid."""
    issuer, claims = await validate_access_token(token)
    return await load_actor(session, await account_for_claims(session, issuer, claims))


async def actor_for_request(connection: HTTPConnection, session: AsyncSession) -> Actor | None:
    account = await account_for_request(connection, session)
    if account is None:
        return None
    return await load_actor(session, account)
