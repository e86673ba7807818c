"""The foundation query answers with the demo data's real names, over HTTP and in-process."""

from __future__ import annotations

from schema.api import execute

DEMO_QUERY = """
{ plans(first: 10) { totalCount nodes { id name status period { start end } urbanArea { name }
    organisations { name } focusAreas { name }
    activities(first: 5) { nodes { title partners { role partner { name } } } }
    followUpGroups { name } } } }
"""


async def test_demo_query_over_http(graphql):
    body = await graphql(DEMO_QUERY)
    assert "errors" not in body, body.get("errors")
    plans = body["data"]["plans"]
    assert plans["totalCount"] >= 4
    names = {p["name"] for p in plans["nodes"]}
    assert any("Tingbjerg" in n for n in names), names
    assert any("Amagerplanen" in n for n in names), names
    areas = {p["urbanArea"]["name"] for p in plans["nodes"]}
    assert len(areas) >= 3
    tingbjerg = next(p for p in plans["nodes"] if "Tingbjerg" in p["name"])
    assert {"fsb", "SAB"} <= {o["name"] for o in tingbjerg["organisations"]} or any(
        "fsb" in o["name"] for o in tingbjerg["organisations"]
    )
    assert tingbjerg["period"]["start"] < tingbjerg["period"]["end"]
    assert tingbjerg["focusAreas"]
    activities = [a for p in plans["nodes"] for a in p["activities"]["nodes"]]
    assert activities and all(len(p["activities"]["nodes"]) <= 5 for p in plans["nodes"])
    partners = [ap for a in activities for ap in a["partners"]]
    assert partners and all(
        ap["partner"]["name"] and ap["role"] in {"RESPONSIBLE", "CO_RESPONSIBLE", "CONTRIBUTING"} for ap in partners
    )
    assert any(p["followUpGroups"] for p in plans["nodes"])


async def test_demo_query_in_process():
    result = await execute(DEMO_QUERY)
    assert result.errors is None, result.errors
    assert result.data["plans"]["totalCount"] >= 4
