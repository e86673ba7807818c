"""/graphql over HTTP (JSON, GET, GraphiQL) and over WebSocket (graphql-transport-ws)."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx; it is only used for WebSocket here
    from starlette.testclient import TestClient


async def test_post_json(client):
    response = await client.post("/graphql", json={"query": "{ urbanAreas(first: 2) { totalCount nodes { name } } }"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["urbanAreas"]["totalCount"] >= 3
    assert len(body["data"]["urbanAreas"]["nodes"]) == 2


async def test_get_query(client):
    response = await client.get("/graphql", params={"query": "{ boards(level: CITY) { nodes { name level } } }"})
    assert response.status_code == 200
    boards = response.json()["data"]["boards"]["nodes"]
    assert boards and all(b["level"] == "CITY" for b in boards)


async def test_graphiql_is_served_to_browsers(client):
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_mutation_over_get_is_refused(client):
    response = await client.get("/graphql", params={"query": "mutation { __typename }"})
    assert response.status_code in (400, 405)


def test_websocket_speaks_graphql_transport_ws(app):
    # Not `with TestClient(app)`: that would run the app's shutdown, which closes the shared engine.
    test_client = TestClient(app)
    with test_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        assert ws.accepted_subprotocol == "graphql-transport-ws"
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}})
        message = ws.receive_json()
        assert message == {"id": "1", "type": "next", "payload": {"data": {"__typename": "Query"}}}
        assert ws.receive_json() == {"id": "1", "type": "complete"}
