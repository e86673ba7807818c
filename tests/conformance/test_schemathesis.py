"""schemathesis in GraphQL mode against the running API: generated queries and mutations, no server error.

Every Query and Mutation field gets a handful of generated documents (hypothesis, via schemathesis),
sent over real HTTP by an anonymous caller (so mutations are refused, not applied); a 5xx
answer or a GraphQL error that hides an internal failure fails the test.
"""

from __future__ import annotations

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

EXAMPLES_PER_FIELD = 6

# The API's own scalars: well-formed values mostly, and some that are not, to see them refused cleanly.
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False).map(str),
        st.text(max_size=12),
    ).map(schemathesis.graphql.nodes.String),
)
schemathesis.graphql.scalar(
    "JSON", st.one_of(st.integers(), st.text(max_size=10)).map(str).map(schemathesis.graphql.nodes.String)
)


def _operations(url: str):
    schema = schemathesis.graphql.from_url(f"{url}/graphql", timeout=30)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) > 20
    return operations


def _send_generated(operation, live_server: str, session: requests.Session, sent: dict, problems: list[str]) -> None:
    """Send this field's generated documents and note every answer that hides an internal failure."""

    @settings(
        max_examples=EXAMPLES_PER_FIELD,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(base_url=live_server, session=session, timeout=30)
        sent["count"] += 1
        sent["by_status"][response.status_code] = sent["by_status"].get(response.status_code, 0) + 1
        if response.status_code >= 500:
            problems.append(f"{operation.label}: HTTP {response.status_code}: {case.body!r:.300}")
            return
        body = response.json()
        for error in body.get("errors") or []:
            message = str(error.get("message", ""))
            # An unexpected exception surfaces as its Python text; the API's own errors are sentences.
            if any(marker in message for marker in ("Traceback", "Internal", "psycopg", "sqlalchemy", "NoneType")):
                problems.append(f"{operation.label}: {message[:300]}")

    run()


def test_generated_requests_get_no_server_error(live_server):
    operations = _operations(live_server)
    session = requests.Session()
    sent = {"count": 0, "by_status": {}}
    problems: list[str] = []

    for operation in operations:
        _send_generated(operation, live_server, session, sent, problems)

    print(f"schemathesis: {sent['count']} requests over {len(operations)} fields, by status {sent['by_status']}")
    assert sent["count"] >= 200, sent
    assert problems == [], "\n".join(problems[:20])
