"""Whole subtrees completed in one pass (schema/execution.py) answer exactly as graphql-core does,
also where the pass must give up: an error, a null on a non-null field, an awaitable, a guard.

A small schema of its own, so every irregularity can be provoked on purpose; the same document runs
with the portal's execution context and with strawberry's own, and the answers and errors (message
and path) must be equal.
"""

from __future__ import annotations

import asyncio
import json

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution import ExecutionContext
from schema.permissions import requires


def _may_see(actor, secret_id) -> bool:
    return actor == "insider" and secret_id % 2 == 0


@strawberry.type
class Leaf:
    name: str
    number: int | None
    weight: float | None
    secret_id: strawberry.Private[int]

    @strawberry.field
    def size(self) -> int | None:
        return 2**40 if self.name == "w" else len(self.name)

    @strawberry.field
    def shout(self) -> str:
        if self.name == "boom":
            raise ValueError("boom is not a name")
        return self.name.upper()

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        return f"{info.field_name} at {'/'.join(map(str, info.path.as_list()))} of {info._raw_info.parent_type.name}"

    @strawberry.field
    def must(self) -> str:
        # a null in a non-null field, on purpose: the engine must report it as graphql-core does
        return None if self.name == "hole" else self.name  # type: ignore[return-value]  # the null is the test

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return f"later {self.name}"

    @strawberry.field(**requires(_may_see, secret_id="secret_id"))
    def secret(self) -> str | None:
        return f"secret {self.secret_id}"

    @strawberry.field
    def pending(self) -> str:
        future = asyncio.get_running_loop().create_future()
        future.set_result(f"pending {self.name}")
        return future  # type: ignore[return-value]  # an awaitable where a str is declared, as resolvers may


@strawberry.type
class Branch:
    title: str
    names: strawberry.Private[list[str]]

    @strawberry.field
    def leaves(self, info: strawberry.Info) -> list[Leaf] | None:
        return [
            Leaf(
                name=n, number=i if i % 3 else None, weight=float("nan") if n == "z" else i / 2 if i else 0, secret_id=i
            )
            for i, n in enumerate(self.names)
        ]

    @strawberry.field
    def strict_leaves(self) -> list[Leaf]:
        # leaves() never reads its info; strawberry.field types the method as the field or its value
        return self.leaves(None) or []  # type: ignore[arg-type,return-value]


@strawberry.type
class Query:
    @strawberry.field
    def branches(self) -> list[Branch]:
        return [Branch(title="a", names=["x", "y", "z", "w"]), Branch(title="b", names=["boom", "hole", "q"])]


SCHEMA = strawberry.Schema(query=Query)

DOCUMENTS = {
    "plain": "{ branches { title leaves { __typename name number shout } } }",
    "info beyond the context": "{ branches { leaves { name here: where } } }",
    "error": "{ branches { title leaves { name shout } } }",
    "non-null": "{ branches { title strictLeaves { name must } } }",
    "awaitable": "{ branches { leaves { name later } } }",
    "future": "{ branches { leaves { name pending } } }",
    "guard": "{ branches { leaves { name secret } } }",
    "scalars out of range": "{ branches { leaves { name number weight size } } }",
    "alias and fragment": "{ b: branches { t: title ...F } } fragment F on Branch { leaves { n: name shout } }",
}


async def _answer(document: str, execution_context, actor) -> str:
    SCHEMA.execution_context_class = execution_context
    result = await SCHEMA.execute(document, context_value=type("C", (), {"actor": actor})())
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or ())
    return json.dumps({"data": result.data, "errors": errors})


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize("actor", ["insider", None])
async def test_same_answer_as_graphql_core(name, actor):
    document = DOCUMENTS[name]
    standard = await _answer(document, StrawberryGraphQLCoreExecutionContext, actor)
    lean = await _answer(document, ExecutionContext, actor)
    assert lean == standard


async def test_the_irregular_cases_are_really_provoked():
    """Guards the test above: the documents do produce the errors and refusals it compares."""
    error = json.loads(await _answer(DOCUMENTS["error"], ExecutionContext, None))
    assert error["errors"] == [["boom is not a name", ["branches", 1, "leaves", 0, "shout"]]]
    assert error["data"]["branches"][1]["leaves"] is None  # the non-null error nulls the list
    assert error["data"]["branches"][0]["leaves"][0] == {"name": "x", "shout": "X"}
    hole = json.loads(await _answer(DOCUMENTS["non-null"], ExecutionContext, None))
    assert hole["errors"][0][1] == ["branches", 1, "strictLeaves", 1, "must"]
    guard = json.loads(await _answer(DOCUMENTS["guard"], ExecutionContext, "insider"))
    secrets = [leaf["secret"] for leaf in guard["data"]["branches"][0]["leaves"]]
    assert secrets == ["secret 0", None, "secret 2", None]
    scalars = json.loads(await _answer(DOCUMENTS["scalars out of range"], ExecutionContext, None))
    assert {tuple(path[-1:]) for _, path in scalars["errors"]} == {("weight",), ("size",)}
    assert scalars["data"]["branches"][0]["leaves"][1] == {"name": "y", "number": 1, "weight": 0.5, "size": 1}
    where = json.loads(await _answer(DOCUMENTS["info beyond the context"], ExecutionContext, None))
    assert where["data"]["branches"][1]["leaves"][2]["here"] == "where at branches/1/leaves/2/here of Leaf"
    later = json.loads(await _answer(DOCUMENTS["future"], ExecutionContext, None))
    assert later["data"]["branches"][1]["leaves"][2] == {"name": "q", "pending": "pending q"}


async def test_the_one_pass_is_really_taken(monkeypatch):
    """Guards the comparison: on the plain document the leaves are completed in one pass."""
    from schema import execution

    calls = []
    standard = execution._Field.complete
    monkeypatch.setattr(execution._Field, "complete", lambda self, *a: calls.append(1) or standard(self, *a))
    answer = json.loads(await _answer(DOCUMENTS["plain"], ExecutionContext, None))
    assert answer["data"]["branches"][0]["leaves"][1] == {"__typename": "Leaf", "name": "y", "number": 1, "shout": "Y"}
    assert len(calls) >= 2 + 7  # each branch's leaves, each leaf's shout
