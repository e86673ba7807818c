"""The benchmark's scenarios: what each server is asked, and a probe that checks the answer first.

A scenario's `targets` says, per server, the URL, the wrk script and its arguments (or why it is
skipped); `probe` sends one request and refuses an error or an empty answer, so that the load run
measures real answers, not fast failures.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

QUERIES = Path(__file__).resolve().parent / "queries"
AREA_SLUG = "gellerup"  # a generated area: 200 activities, none from the demo data
STAFF_ACCOUNT = "kommune-tmf"  # municipality staff of København (code 101)
RESIDENT_ACCOUNTS = ("beboer-tingbjerg", "beboer-urbanplanen")


class ProbeFailed(RuntimeError):
    pass


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json",
                                              **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def graphql_body(tmp: Path, name: str, query_file: str, variables: dict | None = None) -> Path:
    path = tmp / f"{name}.json"
    document = (QUERIES / query_file).read_text(encoding="utf-8")
    path.write_text(json.dumps({"query": document, "variables": variables or {}}), encoding="utf-8")
    return path


def check_graphql(status: int, body: bytes, what: str) -> dict:
    if status != 200:
        raise ProbeFailed(f"{what}: HTTP {status}: {body[:500]!r}")
    data = json.loads(body)
    if data.get("errors"):
        raise ProbeFailed(f"{what}: {json.dumps(data['errors'])[:800]}")
    if not data.get("data") or not any(data["data"].values()):
        raise ProbeFailed(f"{what}: empty answer {body[:300]!r}")
    return data


@dataclass
class Scenario:
    name: str
    title: str
    floor: bool = True
    notes: list[str] = field(default_factory=list)

    def targets(self, **kw) -> dict[str, dict]:
        raise NotImplementedError

    def probe(self, target: dict) -> bytes:
        body = Path(target["args"][0]).read_bytes()
        auth = target["args"][1] if len(target["args"]) > 1 else ""
        status, answer = _post(target["url"], body, {"Authorization": auth} if auth else {})
        data = check_graphql(status, answer, f"{self.name} {target['url']}")
        if "count" in target:
            target["count"](data)
        return answer

    def after(self, result, target: dict) -> None:
        return None


class AreaActivities(Scenario):
    def targets(self, *, portal, postgraphile, db, auth, tmp, **_):
        from schema import ids

        area_pk = db.scalar("SELECT id FROM urbanarea WHERE slug = %s", (AREA_SLUG,))
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0).isoformat()
        mine = graphql_body(tmp, "s1-portal", "s1.portal.graphql", {"area": ids.encode("UrbanArea", area_pk), "now": now})
        theirs = graphql_body(tmp, "s1-postgraphile", "s1.postgraphile.graphql", {"slug": AREA_SLUG})
        return {
            "portal": {"url": f"{portal}/graphql", "script": "post.lua", "args": [str(mine)]},
            "postgraphile": {"url": f"{postgraphile}/graphql", "script": "post.lua", "args": [str(theirs)]},
        }


class PlansDeep(Scenario):
    def targets(self, *, portal, postgraphile, db, auth, tmp, **_):
        token = auth.bearer(STAFF_ACCOUNT)
        if token is None:
            self.notes.append(f"S2 ran anonymous: {auth.unavailable}")
        mine = graphql_body(tmp, "s2-portal", "s2.portal.graphql")
        theirs = graphql_body(tmp, "s2-postgraphile", "s2.postgraphile.graphql")
        return {
            "portal": {"url": f"{portal}/graphql", "script": "post.lua", "args": [str(mine), token or ""]},
            "postgraphile": {"url": f"{postgraphile}/graphql", "script": "post.lua", "args": [str(theirs)]},
        }


SCENARIOS: list[Scenario] = [
    AreaActivities("S1", "anonymous: 50 activities of an urban area with partners and next 3 occurrences"),
    PlansDeep("S2", "staff: 10 plans -> sub-agreements, 20 activities -> partners, goals -> indicators -> measurements"),
]
