"""The actor behind an HTTP request or WebSocket: a bearer token first, then the session cookie.

A request with an Authorization header that does not hold a valid token is refused with
AuthenticationError (HTTP 401), never treated as anonymous. An unknown or expired session cookie
is simply no session: the browser is anonymous until it signs in again.

A long-lived connection (a WebSocket) keeps its `Identity`, which says how it signed in, and asks it
for the actor again whenever rights matter (`Identity.current_actor`): after a logout, an erased
account or the token's `exp`, that raises SignInEnded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from auth import actor_cache, sessions
from auth.accounts import account_for_claims
from auth.errors import AuthenticationError
from auth.tokens import validate_access_token
from backend import observability
from backend.actor import Actor, load_actor
from backend.db import new_session
from backend.models import Account, WebSession, utcnow


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
    """Whether `actor_for_request` would act on a credential here: any Authorization header (a
    malformed or empty one is refused with 401, never anonymous) or a session cookie (even one that
    turns out unknown). False means the caller is anonymous, whatever the header bytes look like;
    caches of public answers decide with this, from the same parsing as the sign-in itself."""
    return "authorization" in connection.headers or session_id(connection) is not None


async def _session_account(connection: HTTPConnection, session: AsyncSession) -> Account | None:
    row = await sessions.load(session, session_id(connection))
    if row is None or row.account_id is None:
        return None
    return await session.get(Account, row.account_id)


async def _bearer_actor(token: str, session: AsyncSession) -> tuple[Actor, datetime]:
    """The actor of a bearer token and the token's end; AuthenticationError when invalid. Signature and
    expiry are checked every time; the account and its scope come from this worker's cache when it has them."""
    issuer, claims = await validate_access_token(token)
    expires = int(claims["exp"])
    key = actor_cache.key_of(token)
    actor = actor_cache.get(key)
    if actor is None:
        taken = actor_cache.ticket()
        actor = await load_actor(session, await account_for_claims(session, issuer, claims))
        actor_cache.put(key, actor, expires, taken)
    observability.note_actor(actor)  # the request's log line names the actor's kind
    return actor, datetime.fromtimestamp(expires, UTC)


async def actor_for_token(token: str, session: AsyncSession) -> Actor:
    """The actor of a bearer access token given some other way (e.g. a WebSocket's connection_init
    payload, since browsers cannot set headers on WebSockets); AuthenticationError when invalid."""
    actor, _expires = await _bearer_actor(token, session)
    return actor


async def actor_for_request(connection: HTTPConnection, session: AsyncSession) -> Actor | None:
    token = bearer_token(connection)
    if token is not None:
        return await actor_for_token(token, session)
    account = await _session_account(connection, session)
    if account is None:
        return None
    actor = await load_actor(session, account)
    observability.note_actor(actor)
    return actor


class SignInEnded(Exception):
    """The sign-in a connection was made with has ended: logged out, erased or expired."""


@dataclass(frozen=True)
class Identity:
    """How a connection signed in, so that its rights can be derived again later."""

    account_id: int | None = None  # None: anonymous, which never ends
    session_hash: str | None = None  # signed in with a session cookie: that row must still exist
    expires_at: datetime | None = None  # the token's exp or the session's end

    def seconds_left(self) -> float | None:
        if self.expires_at is None:
            return None
        return max(0.0, (self.expires_at - utcnow()).total_seconds())

    async def current_actor(self) -> Actor | None:
        """The actor with the rights of this moment (own short session); SignInEnded when it has ended."""
        if self.account_id is None:
            return None
        if self.expires_at is not None and self.expires_at <= utcnow():
            raise SignInEnded("the sign-in has expired")
        async with new_session() as session:
            if self.session_hash is not None:
                row = await session.get(WebSession, self.session_hash)
                if row is None or row.account_id != self.account_id:
                    raise SignInEnded("signed out")
            account = await session.get(Account, self.account_id)
            if account is None:
                raise SignInEnded("the account has been erased")
            return await load_actor(session, account)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def identify(connection: HTTPConnection, session: AsyncSession) -> tuple[Identity, Actor | None]:
    """The identity and actor of a connection (bearer token first, then the session cookie)."""
    token = bearer_token(connection)
    if token is not None:
        actor, expires_at = await _bearer_actor(token, session)
        return Identity(actor.account_id, expires_at=expires_at), actor
    row = await sessions.load(session, connection.cookies.get(sessions.SESSION_COOKIE))
    account = await session.get(Account, row.account_id) if row is not None and row.account_id is not None else None
    if account is None or row is None:
        return Identity(), None
    identity = Identity(account.id, session_hash=row.id_hash, expires_at=_aware(row.expires_at))
    return identity, await load_actor(session, account)
