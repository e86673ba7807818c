"""FAST_EXECUTION=false runs plain strawberry and graphql-core; the answers must be the same.

Every query the portal runs (frontend/operations/) and the benchmark's queries (bench/queries/) run
as several actors on the schema with the fast engine and on the plain one; data, errors (message and
path) and key order must be equal. CI also runs the schema and API tests with the switch off.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from graphql import OperationDefinitionNode, OperationType, parse

from backend.settings import ROOT
from schema.context import Context
from schema.engine_internals import is_fast
from schema.ids import encode
from tests.schema import engines

DOCUMENTS = sorted((ROOT / "frontend" / "operations").glob("*.graphql")) + sorted(
    (ROOT / "bench" / "queries").glob("*.portal.graphql")
)
# The type of `$id` by operation (the portal passes the page's object).
ID_TYPES = {
    "ActivityPage": "Activity",
    "ActivityCalendar": "Activity",
    "PartnerActivityEdit": "Activity",
    "FollowUpGroupPage": "FollowUpGroup",
    "OwnInput": "ResidentInput",
    "UrbanAreaPage": "UrbanArea",
    "PlanPage": "Plan",
    "StaffPlanOverview": "Plan",
}
ACTORS = [None, "beboer-tingbjerg", "fsb-medarbejder", "partner-bibliotek", "kommune-tmf", "lbf-tilsyn"]
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def _queries() -> list[tuple[str, str, str]]:
    """(file, operation name, document) of every query."""
    out = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.operation == OperationType.QUERY:
                assert definition.name is not None, f"{path.name} has an unnamed query"
                out.append((path.name, definition.name.value, text))
    return out


QUERIES = _queries()


def _variables(operation: str, document: str, pk: int) -> dict:
    definition = next(
        d
        for d in parse(document).definitions
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == operation
    )
    values = {
        "from": (NOW - timedelta(days=30)).isoformat(),
        "to": (NOW + timedelta(days=60)).isoformat(),
        "now": NOW.isoformat(),
        "first": 5,
        "filter": {},
        "partnerId": encode("Partner", pk),
        "area": encode("UrbanArea", pk),
        "id": encode(ID_TYPES.get(operation, "Plan"), pk),
    }
    return {
        d.variable.name.value: values[d.variable.name.value]
        for d in definition.variable_definitions or ()
        if d.variable.name.value in values
    }


async def _answer(schema, actor, document: str, operation: str, variables: dict) -> str:
    context = Context(actor=actor)
    try:
        result = await schema.execute(
            document, variable_values=variables, context_value=context, operation_name=operation
        )
    finally:
        await context.close()
    errors = [(e.message, e.path) for e in result.errors or ()]
    return json.dumps({"data": result.data, "errors": errors}, default=str)


def test_the_two_schemas_differ_only_in_the_engine():
    assert is_fast(engines.fast()) and not is_fast(engines.plain())
    assert engines.fast().as_str() == engines.plain().as_str()
    assert len(QUERIES) >= 15, [q[1] for q in QUERIES]


@pytest.mark.parametrize("account", ACTORS, ids=[a or "anonymous" for a in ACTORS])
async def test_every_portal_and_bench_query_answers_the_same_with_the_engine_off(actor, account):
    who = await actor(account) if account else None
    answered = 0
    for name, operation, document in QUERIES:
        for pk in (1, 2) if "$id" in document or "$partnerId" in document else (1,):
            variables = _variables(operation, document, pk)
            fast = await _answer(engines.fast(), who, document, operation, variables)
            plain = await _answer(engines.plain(), who, document, operation, variables)
            assert fast == plain, f"{name} {operation} {variables} as {account}"
            answered += '"data": {' in fast
    assert answered > len(QUERIES)  # most answers hold data, not only errors or nulls
