"""Live updates across processes: a subscription on one uvicorn process receives the event of a mutation
made through another process on the same database (SQLite file or PostgreSQL, as the run uses)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import httpx
import pytest
from websockets.asyncio.client import connect

from auth import sessions
from backend.db import new_session
from schema.ids import decode
from tests.mutations.helpers import gid
from tests.servers import Server
from tests.services.world import build_world

WAIT_FOR_EVENT = 5.0  # seconds per attempt; the subscription may not be listening yet on the first one
ATTEMPTS = 6


@pytest.fixture(scope="module")
def servers():
    pair = [Server().start(), Server().start()]
    try:
        yield pair
    finally:
        for server in pair:
            server.stop()


async def cookie_header(account_id: int) -> str:
    async with new_session() as s:
        raw = await sessions.create(s, account_id=account_id, data={}, lifetime=timedelta(hours=1))
    return f"{sessions.SESSION_COOKIE}={raw}"


class Subscriber:
    """A graphql-transport-ws client with one subscription."""

    def __init__(self, server: Server, cookie: str | None, query: str, variables: dict | None = None):
        self.server, self.cookie, self.query, self.variables = server, cookie, query, variables or {}

    async def __aenter__(self):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await connect(self.server.ws_url, subprotocols=["graphql-transport-ws"], additional_headers=headers)
        await self.ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await self.ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": self.query, "variables": self.variables}})
        )
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def next(self, timeout: float) -> dict | None:
        """The next `next` payload's data, or None when nothing came within the timeout."""
        try:
            while True:
                message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
                if message["type"] == "next":
                    assert not message["payload"].get("errors"), message
                    return message["payload"]["data"]
                if message["type"] in ("error", "complete"):
                    raise AssertionError(message)
        except TimeoutError:
            return None


async def post(server: Server, cookie: str, query: str, variables: dict) -> dict:
    async with httpx.AsyncClient(timeout=15) as client:
        response = await client.post(
            f"{server.url}/graphql", json={"query": query, "variables": variables}, headers={"Cookie": cookie}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    assert payload["errors"] == [], payload
    return payload


async def until_received(subscriber: Subscriber, act) -> tuple[dict, list]:
    """Act (a mutation on the other process) until the subscriber receives an event; returns it and the results."""
    results = []
    for _ in range(ATTEMPTS):
        results.append(await act())
        data = await subscriber.next(WAIT_FOR_EVENT)
        if data is not None:
            return data, results
    raise AssertionError("no event arrived")


SUBMIT = """mutation($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) {
  residentInput { id } errors { code } } }"""
RECEIVED = "subscription($g: ID) { residentInputReceived(groupId: $g) { id title group { id } } }"


async def test_staff_receive_new_input_submitted_through_another_process(servers):
    a, b = servers
    w = await build_world()
    staff, outsider = await cookie_header(w.accounts["housing"]), await cookie_header(w.accounts["other_housing"])
    resident, other_resident = (
        await cookie_header(w.accounts["resident"]),
        await cookie_header(w.accounts["other_resident"]),
    )

    async def submit():
        title = f"Live {uuid.uuid4().hex[:6]}"
        payload = await post(
            b, resident, SUBMIT, {"input": {"groupId": gid("FollowUpGroup", w.group_id), "title": title, "body": title}}
        )
        return payload["residentInput"]["id"]

    async with (
        Subscriber(a, staff, RECEIVED, {"g": gid("FollowUpGroup", w.group_id)}) as sub,
        Subscriber(a, outsider, RECEIVED) as other,
    ):
        data, sent = await until_received(sub, submit)
        assert data["residentInputReceived"]["id"] in sent
        assert data["residentInputReceived"]["group"]["id"] == gid("FollowUpGroup", w.group_id)
        # The other plan's staff saw none of those; they do see input to their own group.
        payload = await post(
            b,
            other_resident,
            SUBMIT,
            {"input": {"groupId": gid("FollowUpGroup", w.other_group_id), "title": "Deres", "body": "Deres"}},
        )
        seen = await other.next(WAIT_FOR_EVENT * 2)
        assert seen is not None and seen["residentInputReceived"]["id"] == payload["residentInput"]["id"]


async def test_partner_follows_activity_changes_made_through_another_process(servers):
    a, b = servers
    w = await build_world()
    partner, staff = await cookie_header(w.accounts["partner"]), await cookie_header(w.accounts["housing"])
    update = """mutation($input: ActivityUpdateInput!) { activityUpdate(input: $input) { activity { id } errors { code } } }"""
    counter = iter(range(100))

    async def change():
        await post(
            b,
            staff,
            update,
            {"input": {"activityId": gid("Activity", w.activity_id), "description": f"Ændring {next(counter)}"}},
        )
        return gid("Activity", w.activity_id)

    query = "subscription($p: ID) { activityChanged(planId: $p) { id description } }"
    async with Subscriber(a, partner, query, {"p": gid("Plan", w.plan_id)}) as sub:
        data, _ = await until_received(sub, change)
        assert data["activityChanged"]["id"] == gid("Activity", w.activity_id)
        assert data["activityChanged"]["description"].startswith("Ændring")


async def test_author_receives_the_answer_given_through_another_process(servers):
    a, b = servers
    w = await build_world()
    resident, staff = await cookie_header(w.accounts["resident"]), await cookie_header(w.accounts["housing"])
    submitted = await post(
        b,
        resident,
        SUBMIT,
        {"input": {"groupId": gid("FollowUpGroup", w.group_id), "title": "Spørgsmål", "body": "Hvornår?"}},
    )
    input_id = submitted["residentInput"]["id"]
    answer = """mutation($input: ResidentInputAnswerInput!) { residentInputAnswer(input: $input) {
      residentInput { id } errors { code } } }"""
    counter = iter(range(100))

    async def reply():
        await post(b, staff, answer, {"input": {"inputId": input_id, "body": f"Svar {next(counter)}"}})
        return input_id

    query = "subscription { residentInputAnswered { id status answers { body } } }"
    async with Subscriber(a, resident, query) as sub:
        data, _ = await until_received(sub, reply)
        got = data["residentInputAnswered"]
        assert got["id"] == input_id and got["status"] == "ANSWERED" and got["answers"][0]["body"].startswith("Svar")
        assert decode(got["id"], "ResidentInput")


async def test_answers_reach_only_their_author_and_anonymous_follows_nothing(servers):
    a, b = servers
    w = await build_world()
    resident, other_resident = (
        await cookie_header(w.accounts["resident"]),
        await cookie_header(w.accounts["other_resident"]),
    )
    staff, other_staff = await cookie_header(w.accounts["housing"]), await cookie_header(w.accounts["other_housing"])
    mine = (
        await post(
            b, resident, SUBMIT, {"input": {"groupId": gid("FollowUpGroup", w.group_id), "title": "Mit", "body": "Mit"}}
        )
    )["residentInput"]["id"]
    theirs = (
        await post(
            b,
            other_resident,
            SUBMIT,
            {"input": {"groupId": gid("FollowUpGroup", w.other_group_id), "title": "Deres", "body": "Deres"}},
        )
    )["residentInput"]["id"]
    answer = """mutation($input: ResidentInputAnswerInput!) { residentInputAnswer(input: $input) {
      residentInput { id } errors { code } } }"""
    query = "subscription { residentInputAnswered { id } }"
    counter = iter(range(100))

    async def reply_to_mine():
        await post(b, staff, answer, {"input": {"inputId": mine, "body": f"Svar {next(counter)}"}})

    async with Subscriber(a, resident, query) as author, Subscriber(a, other_resident, query) as other:
        data, _ = await until_received(author, reply_to_mine)
        assert data["residentInputAnswered"]["id"] == mine
        # Events reach every subscriber in order: the other resident's first event is their own answer.
        await post(b, other_staff, answer, {"input": {"inputId": theirs, "body": "Svar til jer"}})
        first = await other.next(WAIT_FOR_EVENT * 2)
        assert first == {"residentInputAnswered": {"id": theirs}}

    async with connect(a.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"id": "1", "type": "complete"}
