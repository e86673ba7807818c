"""notificationReceived across processes: a notification written by a mutation on one uvicorn process reaches
its recipient's subscription on another, and nobody else's."""

from __future__ import annotations

import uuid

from tests.mutations.helpers import gid
from tests.mutations.test_subscriptions import (  # noqa: F401 - `servers` is a pytest fixture
    SUBMIT,
    WAIT_FOR_EVENT,
    Subscriber,
    cookie_header,
    post,
    servers,
    until_received,
)
from tests.services.world import build_world

RECEIVED = "subscription { notificationReceived { id kind text readAt subject { __typename id } } }"
ANSWER = """mutation($input: ResidentInputAnswerInput!) { residentInputAnswer(input: $input) {
  residentInput { id } errors { code } } }"""


async def test_the_recipient_receives_the_notification_written_through_another_process(servers):  # noqa: F811
    a, b = servers
    w = await build_world()
    resident, other = await cookie_header(w.accounts["resident"]), await cookie_header(w.accounts["other_resident"])
    staff = await cookie_header(w.accounts["housing"])

    async def answered():
        title = f"Spørgsmål {uuid.uuid4().hex[:6]}"
        group = gid("FollowUpGroup", w.group_id)
        submitted = await post(b, resident, SUBMIT, {"input": {"groupId": group, "title": title, "body": title}})
        input_id = submitted["residentInput"]["id"]
        await post(b, staff, ANSWER, {"input": {"inputId": input_id, "body": "Svar"}})
        return input_id

    async with Subscriber(a, resident, RECEIVED) as mine, Subscriber(a, other, RECEIVED) as theirs:
        data, sent = await until_received(mine, answered)
        got = data["notificationReceived"]
        assert got["kind"] == "INPUT_ANSWERED" and got["readAt"] is None
        assert got["subject"]["__typename"] == "ResidentInput" and got["subject"]["id"] in sent
        assert got["text"] == f"Dit input til Følgegruppe {w.tag} er besvaret."
        # The other resident's subscription got nothing of it.
        assert await theirs.next(WAIT_FOR_EVENT) is None


async def test_staff_receive_notifications_of_new_input_and_the_actor_none_of_their_own(servers):  # noqa: F811
    a, b = servers
    w = await build_world()
    resident, staff = await cookie_header(w.accounts["resident"]), await cookie_header(w.accounts["municipality"])

    async def submit():
        title = f"Nyt {uuid.uuid4().hex[:6]}"
        group = gid("FollowUpGroup", w.group_id)
        payload = await post(b, resident, SUBMIT, {"input": {"groupId": group, "title": title, "body": title}})
        return payload["residentInput"]["id"]

    async with Subscriber(a, staff, RECEIVED) as sub, Subscriber(a, resident, RECEIVED) as author:
        data, sent = await until_received(sub, submit)
        assert data["notificationReceived"]["kind"] == "INPUT_RECEIVED"
        assert data["notificationReceived"]["subject"]["id"] in sent
        assert await author.next(WAIT_FOR_EVENT) is None  # the author is not told of their own input
