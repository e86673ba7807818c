"""Mutations leave audit events that the right staff can read through the API, without personal data."""

from __future__ import annotations

from sqlalchemy import select

from backend.models import AuditEvent
from tests.mutations.helpers import gid, gql, payload_of
from tests.services.world import build_world, scalar

AUDIT = """query($plan: ID, $after: String) { auditEvents(first: 100, planId: $plan, after: $after) { totalCount
  pageInfo { hasNextPage endCursor } nodes { action actorKind objectType objectId changedFields } } }"""


async def all_events(variables: dict, actor) -> list[dict]:
    out, after = [], None
    while True:
        page = (await gql(AUDIT, {**variables, "after": after}, actor=actor))["auditEvents"]
        out.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return out
        after = page["pageInfo"]["endCursor"]


async def test_audit_events_of_mutations_by_actor():
    w = await build_world()
    submitted = payload_of(
        await gql(
            """mutation($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) {
             residentInput { id } errors { code } } }""",
            {"input": {"groupId": gid("FollowUpGroup", w.group_id), "title": "Privat titel", "body": "Privat tekst"}},
            actor=w.actor("resident"),
        )
    )
    input_id = submitted["residentInput"]["id"]
    await gql(
        """mutation($input: ResidentInputHideInput!) { residentInputHide(input: $input) { errors { code } } }""",
        {"input": {"inputId": input_id, "reason": "Personangreb"}},
        actor=w.actor("municipality"),
    )
    await gql(
        """mutation($input: ActivityUpdateInput!) { activityUpdate(input: $input) { errors { code } } }""",
        {"input": {"activityId": gid("Activity", w.activity_id), "status": "PAUSED"}},
        actor=w.actor("partner"),
    )

    variables = {"plan": gid("Plan", w.plan_id)}
    # (On SQLite a deleted plan's id can come back, with its old events: look at this test's objects.)
    ours = {input_id, gid("Activity", w.activity_id)}
    every = await all_events(variables, w.actor("housing"))
    events = [e for e in every if e["objectId"] in ours]
    actions = {(e["action"], e["actorKind"]) for e in events}
    assert {
        ("residentInput.submit", "RESIDENT"),
        ("residentInput.hide", "MUNICIPALITY"),
        ("activity.update", "PARTNER"),
    } <= actions
    update = next(e for e in events if e["action"] == "activity.update")
    assert update["objectId"] == gid("Activity", w.activity_id) and "status" in update["changedFields"]
    assert len(await all_events(variables, w.actor("municipality"))) == len(every)
    for outsider in ("anonymous", "resident", "partner", "other_housing", "fund"):
        assert (await gql(AUDIT, variables, actor=w.actor(outsider)))["auditEvents"]["totalCount"] == 0, outsider

    # The log keeps ids and that personal fields changed, never their values; the hiding reason is kept.
    row = await scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "residentInput.submit", AuditEvent.plan_id == w.plan_id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert "Privat" not in str(row.after) and row.after["title"] == "[personal]"
    hide = await scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "residentInput.hide", AuditEvent.plan_id == w.plan_id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert hide.reason == "Personangreb" and hide.actor_account_id == w.accounts["municipality"]
