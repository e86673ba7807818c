"""WebSockets whose rights end when their sign-in ends.

A WebSocket authenticates once, when it opens; its rights are derived again
- for each operation on it (the actor of that moment runs the operation),
- for each event before it is delivered (schema/subscriptions.py), and
- when its sign-in ends: logout or account erase in any process (the `sessionEnded` live event of
  backend/events.py), or the token's `exp` / the session's end (a timer).
When the sign-in has ended the server closes the socket with CLOSE_SIGNED_OUT; no operation or event
runs after that.

Close codes a client can act on (graphql-transport-ws leaves 4000-4999 to the application; these
follow HTTP's meanings, like the protocol's own 4401 and 4403):
- 4401 "Sign-in ended": logged out, account erased, token or session expired. Get a new token or
  sign in again, then reconnect; reconnecting with the same credentials fails the same way.
- 4403 "Forbidden": the connection was refused at `connection_init` (strawberry's own).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from auth.request import Identity, SignInEnded
from backend import events
from schema.context import Context

CLOSE_SIGNED_OUT = 4401
SIGNED_OUT_REASON = "Sign-in ended"


class IdentityCheckedHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with the connection's identity checked again (see the module's doc)."""

    async def handle(self) -> None:
        self.context.sign_in_ended = asyncio.Event()
        watcher = asyncio.create_task(self._close_when_sign_in_ends())
        try:
            await super().handle()
        finally:
            watcher.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await watcher

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # Every operation runs with the rights of this moment, or not at all once the sign-in ended.
        if self.connection_acknowledged:
            try:
                await self.context.refresh_actor()
            except SignInEnded:
                return  # refresh_actor has told the watcher, which closes the socket
        await super().handle_subscribe(message)

    async def _close_when_sign_in_ends(self) -> None:
        identity, sign_in_ended = self.context.identity, self.context.sign_in_ended
        if identity is None or identity.account_id is None or sign_in_ended is None:
            return  # anonymous: nothing can end (sign_in_ended is set by handle())
        waits = [
            asyncio.create_task(sign_in_ended.wait()),
            asyncio.create_task(self._until_signed_out_elsewhere(identity)),
        ]
        try:
            await asyncio.wait(waits, timeout=identity.seconds_left(), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with suppress(Exception):  # the client may be gone already
            await self.websocket.close(code=CLOSE_SIGNED_OUT, reason=SIGNED_OUT_REASON)

    @staticmethod
    async def _until_signed_out_elsewhere(identity: Identity) -> None:
        """Returns when a logout or erase in any process has ended this connection's sign-in."""
        async for event in events.subscribe([events.SESSION_ENDED]):
            if event.get("account_id") != identity.account_id:
                continue
            try:
                await identity.current_actor()
            except SignInEnded:
                return
