"""Live connections keep no rights that have ended: a WebSocket's identity is checked again for each
operation, for each event, and when its sign-in ends (logout, erase, token expiry), across processes.

Real uvicorn processes and real WebSocket clients; the sign-out or erase happens through the other process.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

import httpx
import pytest
from sqlalchemy import delete
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from auth import sessions
from backend.db import new_session
from backend.models import PlanOrganisation, WebSession
from schema.live import CLOSE_SIGNED_OUT
from tests.auth.idp import idp  # noqa: F401 - pytest fixture
from tests.mutations.helpers import gid
from tests.mutations.test_subscriptions import (
    ATTEMPTS,
    RECEIVED,
    SUBMIT,
    WAIT_FOR_EVENT,
    Subscriber,
    cookie_header,
    post,
    until_received,
)
from tests.servers import Server
from tests.services.world import build_world

CLOSE_WAIT = 10.0  # seconds: far more than the second a sign-out may take to reach a socket


@pytest.fixture(scope="module")
def servers(idp):  # noqa: F811 - the provider first: the servers trust its issuers
    pair = [Server().start(), Server().start()]
    try:
        yield pair
    finally:
        for server in pair:
            server.stop()


async def closed_with(ws, timeout: float = CLOSE_WAIT) -> int | None:
    """The close code once the server closes the socket (messages before it are skipped); None if it stays open."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None
    return None


async def operation(ws, op_id: str, query: str, variables: dict | None = None) -> dict:
    await ws.send(
        json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})
    )
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


async def log_out(server: Server, cookie: str) -> None:
    async with httpx.AsyncClient(timeout=15) as client:
        page = await client.get(f"{server.url}/auth/logout", headers={"Cookie": cookie})
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found is not None, "the logout page has a CSRF token"
        token = found.group(1)
        response = await client.post(
            f"{server.url}/auth/logout", data={"csrf_token": token}, headers={"Cookie": cookie}
        )
    assert response.status_code == 303, response.text


async def test_logout_in_another_process_closes_the_socket(servers):
    a, b = servers
    w = await build_world()
    staff = await cookie_header(w.accounts["housing"])
    async with Subscriber(a, staff, RECEIVED, {"g": gid("FollowUpGroup", w.group_id)}) as sub:
        viewer = await operation(sub.ws, "v", "{ viewer { kind } }")
        assert viewer["payload"]["data"] == {"viewer": {"kind": "HOUSING_ORGANISATION"}}
        await log_out(b, staff)
        assert await closed_with(sub.ws) == CLOSE_SIGNED_OUT


async def test_each_operation_checks_the_session_again(servers):
    a, _ = servers
    w = await build_world()
    staff = await cookie_header(w.accounts["housing"])
    async with Subscriber(a, staff, RECEIVED) as sub:
        # The session row disappears without any announcement (e.g. removed by hand): the next
        # operation finds it gone, is not run, and the socket closes.
        async with new_session() as s:
            await s.execute(delete(WebSession).where(WebSession.id_hash == sessions.hash_id(staff.split("=", 1)[1])))
            await s.commit()
        await sub.ws.send(json.dumps({"id": "v", "type": "subscribe", "payload": {"query": "{ viewer { kind } }"}}))
        assert await closed_with(sub.ws) == CLOSE_SIGNED_OUT


async def test_erasing_the_account_closes_its_sockets(servers):
    a, b = servers
    w = await build_world()
    resident = await cookie_header(w.accounts["resident"])
    async with Subscriber(a, resident, "subscription { residentInputAnswered { id } }") as sub:
        erase = "mutation { viewerErase(input: {confirm: true}) { erased errors { code } } }"
        payload = await post(b, resident, erase, {})
        assert payload["erased"] is True
        assert await closed_with(sub.ws) == CLOSE_SIGNED_OUT


async def test_a_removed_membership_stops_events(servers):
    a, b = servers
    w = await build_world()
    staff, municipality = await cookie_header(w.accounts["housing"]), await cookie_header(w.accounts["municipality"])
    resident = await cookie_header(w.accounts["resident"])

    async def submit():
        title = f"Hej {uuid.uuid4().hex[:6]}"
        payload = await post(
            b, resident, SUBMIT, {"input": {"groupId": gid("FollowUpGroup", w.group_id), "title": title, "body": title}}
        )
        return payload["residentInput"]["id"]

    async with Subscriber(a, staff, RECEIVED) as former, Subscriber(a, municipality, RECEIVED) as control:
        await until_received(former, submit)  # both listen now
        # The housing organisation leaves the plan: its staff may no longer read the group's inputs.
        async with new_session() as s:
            await s.execute(
                delete(PlanOrganisation).where(
                    PlanOrganisation.plan_id == w.plan_id, PlanOrganisation.organisation_id == w.org_id
                )
            )
            await s.commit()
        sent = await submit()
        # The control receives it (after any earlier inputs still on their way) ...
        for _ in range(ATTEMPTS + 1):
            got = await control.next(WAIT_FOR_EVENT * 2)
            assert got is not None, "the control subscriber received nothing"
            if got["residentInputReceived"]["id"] == sent:
                break
        else:
            raise AssertionError("the control subscriber did not receive the new input")
        # ... and the former member gets nothing of it (earlier inputs drained first).
        while (late := await former.next(2)) is not None:
            assert late["residentInputReceived"]["id"] != sent


async def test_a_token_socket_closes_when_the_token_expires(servers, idp):  # noqa: F811 - the imported pytest fixture
    a, _ = servers
    token = idp.sign("dev-erhverv", idp.claims("dev-erhverv", "fsb-medarbejder", exp=int(time.time()) + 5))
    async with connect(
        a.ws_url, subprotocols=["graphql-transport-ws"], additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        viewer = await operation(ws, "v", "{ viewer { kind } }")
        assert viewer["payload"]["data"] == {"viewer": {"kind": "HOUSING_ORGANISATION"}}
        await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": {"query": RECEIVED}}))
        assert await closed_with(ws, timeout=5 + CLOSE_WAIT) == CLOSE_SIGNED_OUT
