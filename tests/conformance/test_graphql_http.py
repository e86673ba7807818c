"""GraphQL over HTTP: the graphql-http audit against a running server, and the media types by hand."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from auth import devidp
from schema.over_http import is_request_error, negotiate

HERE = Path(__file__).resolve().parent
FRONTEND = HERE.parent.parent / "frontend"


def test_negotiation_follows_the_order_the_client_lists():
    assert negotiate("application/graphql-response+json, application/json") == "application/graphql-response+json"
    assert negotiate("application/json, application/graphql-response+json") == "application/json"
    assert negotiate("*/*") == "application/json"
    assert negotiate(None) == "application/json"
    assert negotiate("application/graphql-response+json;charset=utf-8") == "application/graphql-response+json"


def test_a_field_error_is_not_a_request_error():
    from graphql import GraphQLError

    assert is_request_error(None, [GraphQLError("bad document")])
    assert not is_request_error(None, [GraphQLError("boom", path=["plans"])])
    assert not is_request_error({"plans": None}, [GraphQLError("bad document")])


def test_graphql_http_audit_passes_every_audit(live_server):
    if not (FRONTEND / "node_modules" / "graphql-http").is_dir():
        pytest.fail(
            "frontend/node_modules/graphql-http is missing: run `make test` (it installs frontend/package.json)"
        )
    out = subprocess.run(
        [devidp.node_executable(), str(HERE / "graphql_http_audit.cjs"), f"{live_server}/graphql"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    audits = json.loads(out.stdout)
    assert len(audits) >= 50
    not_ok = [f"{a['status']}: {a['name']}: {a.get('reason')}" for a in audits if a["status"] != "ok"]
    assert not_ok == []


def test_request_errors_answer_400_without_data_for_graphql_response_json(live_server):
    accept = {"Accept": "application/graphql-response+json"}
    bad = httpx.post(f"{live_server}/graphql", json={"query": "{ plans { nope } }"}, headers=accept)
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in bad.json() and bad.json()["errors"]
    legacy = httpx.post(f"{live_server}/graphql", json={"query": "{ plans { nope } }"})
    assert legacy.status_code == 200 and legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["data"] is None
    good = httpx.post(f"{live_server}/graphql", json={"query": "{ __typename }"}, headers=accept)
    assert good.status_code == 200 and good.json() == {"data": {"__typename": "Query"}}
