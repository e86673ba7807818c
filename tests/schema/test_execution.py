"""Leaf fields completed in one step (schema/execution.py) give exactly graphql-core's answer.

The widest query of the suite, as actors that see different things, runs with the schema's
execution context and with strawberry's own: the answers (values, nulls, key order) must be equal.
"""

from __future__ import annotations

import json

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.context import Context
from schema.execution import ExecutionContext
from tests.schema import engines
from tests.schema.test_n_plus_one import DEEP

# These run deep queries far above a client's cost limit: they test the executor, not the limits.
pytestmark = pytest.mark.usefixtures("without_cost_limit")

MORE = """
query More {
  fundingGenerations { __typename id name startYear endYear focusAreas { id name position } }
  plans(first: 5) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { __typename id first: name name updatedAt status summary period { start end }
      financing { year party sharePercent budget spent } milestones { year title done }
      goals { indicators { baseline target direction unit dataSource measurements { period value note } } } } }
}
"""


async def _answer(actor, document: str, execution_context) -> str:
    schema = engines.fast()
    schema.execution_context_class = execution_context
    context = Context(actor=actor)
    try:
        result = await schema.execute(document, context_value=context)
    finally:
        schema.execution_context_class = ExecutionContext
        await context.close()
    errors = [(e.message, e.path) for e in result.errors or ()]
    return json.dumps({"data": result.data, "errors": errors}, default=str)


@pytest.mark.parametrize("account", ["kommune-tmf", "fsb-medarbejder", "partner-ssp", "lbf-tilsyn", None])
async def test_answers_equal_with_and_without_the_leaf_fast_path(actor, account):
    who = await actor(account) if account else None
    assert engines.fast().execution_context_class is ExecutionContext
    for document in (DEEP, MORE):
        standard = await _answer(who, document, StrawberryGraphQLCoreExecutionContext)
        fast = await _answer(who, document, ExecutionContext)
        assert fast == standard
        assert '"plans"' in fast
