"""An unexpected failure (a database error, a bug) reaches the client as a plain message, never its
text, which could show SQL, bound values or internals; the server logs the real error. The API's
own errors keep their messages."""

from __future__ import annotations

import logging

from schema.api import execute
from schema.extensions import UNEXPECTED_ERROR
from schema.ids import encode
from schema.plans import loaders as plan_loaders

SECRET = "SELECT body FROM residentinput WHERE author = 'Jens Hansen'"


async def test_an_unexpected_error_is_masked_for_the_client_and_logged(monkeypatch, caplog):
    async def broken(self, keys):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(plan_loaders.VisiblePlanByIdLoader, "batch_load", broken)
    with caplog.at_level(logging.ERROR):
        result = await execute(f'{{ plan(id: "{encode("Plan", 1)}") {{ name }} fundingGenerations {{ name }} }}')
    assert result.errors, "the broken loader must fail the field"
    assert {e.message for e in result.errors} == {UNEXPECTED_ERROR}
    assert [e.path for e in result.errors] == [["plan"]]
    assert SECRET not in repr([e.formatted for e in result.errors])
    assert result.data["plan"] is None and result.data["fundingGenerations"]  # the rest is still answered
    assert SECRET in caplog.text  # the server keeps the real error


async def test_the_apis_own_errors_keep_their_message():
    result = await execute('{ node(id: "not-an-id") { id } }')
    assert result.errors and "not a global id" in result.errors[0].message
    result = await execute("{ plans(first: 1) { nodes { nosuchfield } } }")
    assert result.errors and "nosuchfield" in result.errors[0].message
