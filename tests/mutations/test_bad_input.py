"""Bad input to residentInputSubmit and friends: a clear error in `errors`, never a crash, nothing half written."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from backend.models import ResidentInput
from schema.api import execute
from tests.mutations.helpers import audit_count, gid, gql, payload_of
from tests.services.world import build_world, fetch, scalar

SUBMIT = """
mutation Submit($input: ResidentInputSubmitInput!) {
  residentInputSubmit(input: $input) {
    residentInput { id status title body language }
    errors { field code message messageEn }
  }
}"""


@pytest.fixture
async def world():
    return await build_world()


async def submit(world, actor_kind="resident", **fields):
    variables = {
        "input": {"groupId": gid("FollowUpGroup", world.group_id), "title": "Titel", "body": "Tekst", **fields}
    }
    return payload_of(await gql(SUBMIT, variables, actor=world.actor(actor_kind)))


async def stored_count(world) -> int:
    return await scalar(select(func.count()).select_from(ResidentInput).where(ResidentInput.group_id == world.group_id))


@pytest.mark.parametrize(
    "fields,field,code",
    [
        ({"body": ""}, "body", "REQUIRED"),
        ({"title": "   "}, "title", "REQUIRED"),
        ({"body": "x" * 5001}, "body", "TOO_LONG"),
        ({"title": "t" * 201}, "title", "TOO_LONG"),
        ({"body": "nul \x00 tegn"}, "body", "INVALID_TEXT"),
        ({"language": "<script>"}, "language", "INVALID"),
        ({"concernsId": "bm9wZQ=="}, "concernsId", "NOT_FOUND"),
    ],
)
async def test_bad_fields_answer_in_errors_and_store_nothing(world, fields, field, code):
    before = await audit_count()
    payload = await submit(world, **fields)
    assert payload["residentInput"] is None
    assert (field, code) in {(e["field"], e["code"]) for e in payload["errors"]}
    assert all(e["message"] and e["messageEn"] for e in payload["errors"])
    assert await stored_count(world) == 0 and await audit_count() == before


async def test_text_beyond_any_rule_is_refused_before_the_service_runs(world):
    # Longer than every string argument may be (schema/limits.py): a request error, nothing stored.
    before = await audit_count()
    variables = {"input": {"groupId": gid("FollowUpGroup", world.group_id), "title": "Titel", "body": "x" * 1_000_000}}
    result = await execute(SUBMIT, variables, actor=world.actor("resident"))
    assert result.data is None and result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert await stored_count(world) == 0 and await audit_count() == before


async def test_several_problems_are_answered_together(world):
    payload = await submit(world, title="", body="x" * 6000)
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {("title", "REQUIRED"), ("body", "TOO_LONG")}


async def test_arabic_text_is_stored_and_read_back(world):
    body = "الرجاء إضافة المزيد من الإضاءة في الممر بجانب المدرسة"
    payload = await submit(world, title="إضاءة", body=body, language="ar")
    assert payload["errors"] == []
    assert payload["residentInput"]["body"] == body and payload["residentInput"]["language"] == "ar"


async def test_html_and_script_are_kept_as_plain_text(world):
    body = '<script>alert(1)</script><img src=x onerror="alert(2)"> & <b>fed</b>'
    payload = await submit(world, title="<h1>Overskrift</h1>", body=body)
    assert payload["errors"] == []
    assert payload["residentInput"]["body"] == body
    assert payload["residentInput"]["title"] == "<h1>Overskrift</h1>"


@pytest.mark.parametrize("group", ["unknown", "forbidden", "malformed", "other type"])
async def test_unknown_or_forbidden_group(world, group):
    group_id = {
        "unknown": gid("FollowUpGroup", 10**9),
        "forbidden": gid("FollowUpGroup", world.other_group_id),
        "malformed": "%%%",
        "other type": gid("Plan", world.plan_id),
    }[group]
    payload = await submit(world, groupId=group_id)
    assert payload["residentInput"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("groupId", "NOT_FOUND")]
    assert await stored_count(world) == 0


async def test_same_submission_twice_concurrently(world):
    variables = {"input": {"groupId": gid("FollowUpGroup", world.group_id), "title": "Samme", "body": "Samme"}}
    results = await asyncio.gather(*(execute(SUBMIT, variables, actor=world.actor("resident")) for _ in range(2)))
    assert all(r.errors is None for r in results), [r.errors for r in results]
    payloads = [r.data["residentInputSubmit"] for r in results]
    ok = [p for p in payloads if not p["errors"]]
    dup = [p for p in payloads if p["errors"]]
    assert len(ok) == 1 and len(dup) == 1, payloads
    assert [e["code"] for e in dup[0]["errors"]] == ["DUPLICATE"] and dup[0]["residentInput"] is None
    assert await stored_count(world) == 1


async def test_missing_required_argument_is_a_graphql_error_not_a_crash(world):
    result = await execute(
        'mutation { residentInputSubmit(input: {title: "t", body: "b"}) { errors { code } } }',
        actor=world.actor("resident"),
    )
    assert result.errors and "groupId" in result.errors[0].message


async def test_edit_answers_typed_errors(world):
    first = await submit(world, body="Første")
    input_id = first["residentInput"]["id"]
    edit = """mutation($input: ResidentInputEditInput!) { residentInputEdit(input: $input) {
        residentInput { body } errors { field code } } }"""
    payload = payload_of(
        await gql(edit, {"input": {"inputId": input_id, "body": "y" * 5001}}, actor=world.actor("resident"))
    )
    assert payload == {"residentInput": None, "errors": [{"field": "body", "code": "TOO_LONG"}]}
    pk = int(__import__("schema.ids", fromlist=["decode"]).decode(input_id)[1])
    assert (await fetch(ResidentInput, pk)).body == "Første"


async def test_financing_errors_name_the_line(world):
    payload = payload_of(
        await gql(
            """mutation($input: FinancingSetInput!) { financingSet(input: $input) { financing { id }
           errors { field code message messageEn } } }""",
            {
                "input": {
                    "planId": gid("Plan", world.plan_id),
                    "year": 2026,
                    "lines": [
                        {"party": "LANDSBYGGEFONDEN", "sharePercent": "75", "budget": "-5"},
                        {"party": "MUNICIPALITY", "sharePercent": "25", "budget": "10"},
                    ],
                }
            },
            actor=world.actor("housing"),
        )
    )
    assert payload["financing"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("lines[0].budget", "OUT_OF_RANGE")]


async def test_concurrent_versions_never_crash_and_never_share_a_number(world):
    create = """mutation($input: AgreementVersionCreateInput!) { agreementVersionCreate(input: $input) {
        agreement { version } errors { code } } }"""
    variables = {"input": {"planId": gid("Plan", world.plan_id), "kind": "EMERGENCY_PLAN", "title": "Beredskab"}}
    results = await asyncio.gather(*(execute(create, variables, actor=world.actor("housing")) for _ in range(3)))
    assert all(r.errors is None for r in results), [r.errors for r in results]
    payloads = [r.data["agreementVersionCreate"] for r in results]
    versions = [p["agreement"]["version"] for p in payloads if p["agreement"]]
    assert versions and len(versions) == len(set(versions))
    assert all([e["code"] for e in p["errors"]] == ["CONFLICT"] for p in payloads if not p["agreement"])
