"""The audit log through the API: staff of the plan only, field names but never values."""

from __future__ import annotations

import uuid

from backend import audit
from backend.db import session_scope
from schema.ids import encode

QUERY = """query($plan: ID) { auditEvents(first: 100, planId: $plan) { totalCount
  nodes { action actorKind objectType objectId changedFields plan { id } } } }"""


async def test_audit_events_are_for_the_plans_staff_only(run, actor):
    fsb = await actor("fsb-medarbejder")
    plan_id = sorted(fsb.plan_ids)[0]
    action = f"test.audit.{uuid.uuid4().hex[:8]}"
    async with session_scope() as session:
        await audit.record(
            session,
            actor=fsb,
            action=action,
            object_type="Activity",
            object_id=1,
            plan_id=plan_id,
            before={"status": "PLANNED", "title": "[personal]"},
            after={"status": "ACTIVE", "title": "[personal]"},
        )
    variables = {"plan": encode("Plan", plan_id)}
    for allowed in (fsb, await actor("kommune-tmf")):
        events = [e for e in (await run(QUERY, variables, allowed))["auditEvents"]["nodes"] if e["action"] == action]
        assert events == [
            {
                "action": action,
                "actorKind": "HOUSING_ORGANISATION",
                "objectType": "Activity",
                "objectId": encode("Activity", 1),
                "changedFields": ["status"],
                "plan": {"id": encode("Plan", plan_id)},
            }
        ]
    for name in (None, "beboer-tingbjerg", "partner-ssp", "lbf-tilsyn", "3b-medarbejder"):
        who = await actor(name) if name else None
        if who is not None and plan_id in who.plan_ids:
            continue
        events = (await run(QUERY, variables, who))["auditEvents"]["nodes"]
        assert all(e["action"] != action for e in events), name
