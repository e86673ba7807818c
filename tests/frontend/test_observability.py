"""Operating the portal: a resident's words never reach the log (in-process, and as the JSON lines of a
real server), and the metrics of a server with two workers are the sum of both."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from backend.observability import JsonFormatter
from schema.ids import encode
from tests.conftest import _Client
from tests.frontend.html import csrf_of
from tests.mutations.test_http import cookie_for
from tests.servers import start_server, stop_server
from tests.services.world import build_world, drop_built_worlds

# Distinctive words of a resident: a neighbour's name and her needs (personal data of a third person).
SENTENCE = "Min nabo Birthe Kragelund-Østergaard i opgang 7B har brug for hjælp med sin rollator"
WORDS = ("Kragelund", "rollator")

SUBMIT = """mutation Submit($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) {
  residentInput { id } errors { field code } } }"""


async def submit_everywhere(client: httpx.AsyncClient, group: str, cookies: dict) -> None:
    """The resident's sentence through every door: accepted and refused, the portal and the API."""
    tag = uuid.uuid4().hex[:8]  # the same words twice would be refused as a duplicate
    page = f"/foelgegrupper/{group}"
    token = await csrf_of(client, page, cookies)
    accepted = await client.post(
        page, data={"csrf_token": token, "titel": "Hjælp", "tekst": f"{SENTENCE} ({tag})"}, cookies=cookies
    )
    assert accepted.status_code == 303, accepted.text[:300]
    refused = await client.post(
        page, data={"csrf_token": token, "titel": SENTENCE * 10, "tekst": SENTENCE * 200}, cookies=cookies
    )
    assert refused.status_code == 400
    api = await client.post(
        "/graphql",
        cookies=cookies,
        json={
            "query": SUBMIT,
            "variables": {"input": {"groupId": group, "title": "Hjælp", "body": f"{SENTENCE} [{tag}]"}},
        },
    )
    assert api.json()["data"]["residentInputSubmit"]["errors"] == []
    # A variable of the wrong type: graphql-core's message quotes the value (the client's own, for the client).
    wrong_type = await client.post(
        "/graphql",
        cookies=cookies,
        json={"query": SUBMIT, "variables": {"input": {"groupId": group, "title": "Hjælp", "body": [SENTENCE]}}},
    )
    assert "Kragelund" in wrong_type.text
    # Inline literals in documents that do not validate or parse: the error's text shows the source line.
    inline = f'residentInputSubmit(input: {{groupId: "{group}", title: "Hjælp", body: "{SENTENCE}"}})'
    invalid = await client.post(
        "/graphql", cookies=cookies, json={"query": f"mutation {{ {inline} {{ nosuchfield }} }}"}
    )
    assert invalid.json()["errors"]
    unparsable = await client.post(
        "/graphql", cookies=cookies, json={"query": f"mutation {{ {inline} {{ errors {{ code }} }}"}
    )
    assert unparsable.json()["errors"]


@pytest.fixture
async def resident():
    """A resident of their own (the demo residents' submissions are rate limited) and their group's id."""
    world = await build_world()
    yield await cookie_for(world.accounts["resident"]), encode("FollowUpGroup", world.group_id)
    await drop_built_worlds()


def leaks(lines: list[str]) -> list[str]:
    return [line for line in lines if any(word in line for word in WORDS)]


async def test_a_residents_words_never_reach_the_log(client, resident, caplog):
    cookies, group = resident
    with caplog.at_level(logging.DEBUG):  # every logger, every level
        await submit_everywhere(client, group, cookies)
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert leaks(lines) == []
    requests = [json.loads(line) for line in lines if '"logger":"helhedsplan.request"' in line]
    assert {(r["route"], r["actor"]) for r in requests} >= {
        ("/foelgegrupper/{id}", "RESIDENT"),
        ("/graphql", "RESIDENT"),
    }
    assert any(r["graphql_errors"] for r in requests)  # the refused documents are counted, not quoted


# ---------------------------------------------------------------- a real server: 2 workers, JSON logs
@pytest.fixture(scope="module")
def json_server(database_url):
    process, url = start_server(workers=2, env={"LOG_FORMAT": "json"})
    yield process, url
    stop_server(process)


def metric(text: str, name: str, **labels) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_the_metrics_of_both_workers_are_summed(json_server):
    _process, url = json_server
    # Request ids start with a random prefix per worker: a new connection each time, until both answered.
    workers: set[str] = set()
    sent = 0
    while len(workers) < 2 and sent < 500:
        with httpx.Client() as fresh:
            answer = fresh.get(f"{url}/healthz")
        workers.add(answer.headers["x-request-id"].split("-")[0])
        sent += 1
    assert len(workers) == 2, "one worker answered every connection"
    text = httpx.get(f"{url}/metrics").text
    assert metric(text, "helhedsplan_workers") == 2
    assert metric(text, "helhedsplan_request_duration_seconds_count", route="/healthz", status="200") == sent


async def test_the_servers_json_log_holds_requests_and_no_residents_words(json_server, resident):
    process, url = json_server
    cookies, group = resident
    async with _Client(base_url=url, timeout=30) as client:  # the suite's client: cookies per request
        await submit_everywhere(client, group, cookies)
    lines = [line for line in Path(process.log_path).read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    requests = [e for e in entries if e["logger"] == "helhedsplan.request"]
    assert {(e["method"], e["route"], e["status"], e["actor"]) for e in requests} >= {
        ("POST", "/foelgegrupper/{id}", 303, "RESIDENT"),
        ("POST", "/graphql", 200, "RESIDENT"),
    }
    assert all(isinstance(e["sql_statements"], int) and e["request_id"] and e["duration_ms"] >= 0 for e in requests)
    assert not any(e["route"].startswith("/foelgegrupper/") and e["route"] != "/foelgegrupper/{id}" for e in requests)
    assert leaks(lines) == []
