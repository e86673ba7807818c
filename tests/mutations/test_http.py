"""Over real HTTP (the ASGI app): mutations with a session cookie, and the report downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from auth import sessions
from backend.db import new_session
from tests.mutations.helpers import gid
from tests.services.world import build_world

SUBMIT = """mutation($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) {
  residentInput { id status } errors { field code message messageEn } } }"""


async def cookie_for(account_id: int) -> dict:
    async with new_session() as s:
        raw = await sessions.create(s, account_id=account_id, data={}, lifetime=timedelta(hours=1))
    return {sessions.SESSION_COOKIE: raw}


@pytest.fixture
async def world():
    return await build_world(with_numbers=True)


async def post(client, query, variables, cookies=None):
    client.cookies.clear()
    for k, v in (cookies or {}).items():
        client.cookies.set(k, v)
    try:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    finally:
        client.cookies.clear()
    assert response.status_code == 200, response.text
    return response.json()


async def test_submit_over_http_as_anonymous_and_as_resident(client, world):
    variables = {"input": {"groupId": gid("FollowUpGroup", world.group_id), "title": "Via HTTP", "body": "Hej"}}
    anonymous = await post(client, SUBMIT, variables)
    assert anonymous["data"]["residentInputSubmit"]["errors"][0]["code"] == "NOT_FOUND"
    signed_in = await post(client, SUBMIT, variables, await cookie_for(world.accounts["resident"]))
    assert signed_in["data"]["residentInputSubmit"]["errors"] == []
    assert signed_in["data"]["residentInputSubmit"]["residentInput"]["status"] == "RECEIVED"


async def test_huge_body_over_http_is_a_clear_error(client, world):
    # Beyond the service's 5,000 characters: its own typed error.
    variables = {"input": {"groupId": gid("FollowUpGroup", world.group_id), "title": "Stor", "body": "ø" * 6_000}}
    data = await post(client, SUBMIT, variables, await cookie_for(world.accounts["resident"]))
    assert [(e["field"], e["code"]) for e in data["data"]["residentInputSubmit"]["errors"]] == [("body", "TOO_LONG")]
    # Beyond what any request may carry (schema/limits.py): 413 before anything is read.
    variables["input"]["body"] = "ø" * 200_000
    client.cookies.clear()
    response = await client.post(
        "/graphql",
        json={"query": SUBMIT, "variables": variables},
        headers={
            "Cookie": f"{sessions.SESSION_COOKIE}={(await cookie_for(world.accounts['resident']))[sessions.SESSION_COOKIE]}"
        },
    )
    assert response.status_code == 413


REPORT = """query($plan: ID!) { annualReport(planId: $plan, year: 2025) { financingValid budgetTotal csvUrl csvRfc4180Url
  xlsxUrl } }"""


async def get(client, path, cookies=None):
    client.cookies.clear()
    for k, v in (cookies or {}).items():
        client.cookies.set(k, v)
    try:
        return await client.get(path)
    finally:
        client.cookies.clear()


@pytest.mark.parametrize(
    "kind,allowed",
    [
        ("anonymous", False),
        ("resident", False),
        ("partner", False),
        ("other_housing", False),
        ("housing", True),
        ("municipality", True),
        ("fund", True),
    ],
)
async def test_report_query_and_files_by_actor(client, world, kind, allowed):
    cookies = await cookie_for(world.accounts[kind]) if kind != "anonymous" else None
    data = await post(client, REPORT, {"plan": gid("Plan", world.plan_id)}, cookies)
    report = data["data"]["annualReport"]
    csv_path = f"/reports/{world.plan_id}/2025.csv"
    xlsx_path = f"/reports/{world.plan_id}/2025.xlsx"
    if not allowed:
        assert report is None
        for path in (csv_path, xlsx_path):
            assert (await get(client, path, cookies)).status_code == 404
        return
    assert report["financingValid"] is True and report["budgetTotal"] == "4000000.00"
    # The links are on the address the request came to (the test client's), not BASE_URL.
    assert report["csvUrl"] == "http://testserver" + csv_path
    assert report["xlsxUrl"] == "http://testserver" + xlsx_path
    assert report["csvRfc4180Url"] == f"http://testserver{csv_path}?dialekt=rfc4180"
    response = await get(client, csv_path, cookies)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["I alt", "100", "100", "4000000,00", "3630000,50", "90,8"] in rows
    response = await get(client, csv_path + "?dialekt=rfc4180", cookies)
    assert "rfc4180" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert ["I alt", "100", "100", "4000000.00", "3630000.50", "90.8"] in rows
    response = await get(client, xlsx_path, cookies)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Finansiering"]
    total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "I alt")
    assert total[1:5] == (100, 100, 4_000_000, pytest.approx(3_630_000.5))


@pytest.mark.parametrize(
    "path",
    [
        "/reports/999999999/2025.csv",
        "/reports/1/1900.csv",
        "/reports/1/2025.pdf",
        "/reports/1/2025.xlsx.exe",
        "/reports/{plan}/2025.csv?dialekt=tsv",
        "/reports/{plan}/2025.xlsx?sprog=xx",
    ],
)
async def test_report_files_unknown_are_404(client, world, path):
    cookies = await cookie_for(world.accounts["fund"])
    assert (await get(client, path.format(plan=world.plan_id), cookies)).status_code == 404


async def test_report_year_out_of_range_is_a_clear_graphql_error(client, world):
    data = await post(
        client,
        "query($p: ID!) { annualReport(planId: $p, year: 99999) { year } }",
        {"p": gid("Plan", world.plan_id)},
        await cookie_for(world.accounts["fund"]),
    )
    assert data["data"]["annualReport"] is None and "year" in data["errors"][0]["message"]
