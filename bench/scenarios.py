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
from datetime import UTC, datetime
from pathlib import Path

QUERIES = Path(__file__).resolve().parent / "queries"
AREA_SLUG = "gellerup"  # a generated area: 200 activities, none from the demo data
STAFF_ACCOUNT = "kommune-tmf"  # municipality staff of København (code 101)
RESIDENT_ACCOUNTS = ("beboer-tingbjerg", "beboer-urbanplanen")


class ProbeFailed(RuntimeError):
    pass


def _post(url: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
    base = {"Content-Type": "application/json", "Accept": "application/json"} if body is not None else {}
    request = urllib.request.Request(
        url, data=body, method="POST" if body is not None else "GET", headers={**base, **headers}
    )
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
        now = datetime.now(UTC).replace(second=0, microsecond=0).isoformat()
        mine = graphql_body(
            tmp, "s1-portal", "s1.portal.graphql", {"area": ids.encode("UrbanArea", area_pk), "now": now}
        )
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


class AreaPage(Scenario):
    """The portal's area page as HTML, anonymous (it runs its GraphQL operations in-process)."""

    def targets(self, *, portal, db, **_):
        from schema import ids

        area_pk = db.scalar("SELECT id FROM urbanarea WHERE slug = %s", (AREA_SLUG,))
        return {
            "portal": {"url": f"{portal}/omraader/{ids.encode('UrbanArea', area_pk)}", "script": "get.lua", "args": []}
        }

    def probe(self, target: dict) -> bytes:
        status, answer = _post(target["url"], None, {"Accept": "text/html"})
        if status != 200 or b"<html" not in answer[:500].lower():
            raise ProbeFailed(f"{self.name} {target['url']}: HTTP {status}: {answer[:300]!r}")
        return answer


SUBMIT = (
    "mutation Submit($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) "
    "{ residentInput { id status createdAt } errors { field code message } } }"
)
RESIDENTS = 1000


class InputSubmissions(Scenario):
    """Resident input submissions: signed-in residents (each its own token) writing to their own group."""

    def targets(self, *, portal, db, auth, tmp, threads=2, **_):
        from schema import ids

        template_token = auth.bearer(RESIDENT_ACCOUNTS[0])
        if template_token is None or auth.keys_file is None:
            return {"portal": {"skip": f"skipped: {auth.unavailable or 'no signing keys of the provider'}"}}
        rows = db.rows(
            "SELECT a.subject, a.display_name, MIN(g.group_id) FROM account a "
            "JOIN residency r ON r.account_id = a.id JOIN followupgroupestate g ON g.estate_id = r.estate_id "
            "WHERE a.subject LIKE 'gen-beboer-%%' AND r.until IS NULL GROUP BY a.id ORDER BY a.id LIMIT %s",
            (RESIDENTS,),
        )
        from bench.tokens import mint_like

        bearers = mint_like(template_token, auth.keys_file, "dev-borger", [(r[0], r[1]) for r in rows])
        tokens_file = tmp / "s4-tokens.tsv"
        tokens_file.write_text(
            "".join(f"{b}\t{ids.encode('FollowUpGroup', r[2])}\n" for b, r in zip(bearers, rows, strict=True))
        )
        template = tmp / "s4-submit.json"
        template.write_text(
            json.dumps(
                {
                    "query": SUBMIT,
                    "variables": {
                        "input": {
                            "groupId": "__GROUP__",
                            "title": "Belastningstest __N__",
                            "body": "Input __N__ fra belastningstesten: mere lys på stierne, tak.",
                        }
                    },
                }
            )
        )
        self.db = db
        self.notes.append(
            f"S4: {len(rows)} residents with their own tokens (signed with the development provider's key), "
            "each submission a new text; 'errors' counts rejected submissions too"
        )
        return {
            "portal": {
                "url": f"{portal}/graphql",
                "script": "submit.lua",
                "args": [str(template), str(tokens_file), str(threads)],
                "tokens": str(tokens_file),
            }
        }

    def probe(self, target: dict) -> bytes:
        first = Path(target["tokens"]).read_text().splitlines()[-1]
        bearer, group = first.split("\t")
        body = Path(target["args"][0]).read_text().replace("__N__", "probe").replace("__GROUP__", group)
        status, answer = _post(target["url"], body.encode(), {"Authorization": bearer})
        data = check_graphql(status, answer, f"{self.name} probe")
        payload = data["data"]["residentInputSubmit"]
        if payload["errors"] or not payload["residentInput"]:
            raise ProbeFailed(f"{self.name}: submission refused: {payload}")
        return answer

    def after(self, result, target: dict) -> None:
        stored = self.db.scalar("SELECT COUNT(*) FROM residentinput WHERE title LIKE 'Belastningstest %%'")
        result.note = f"{stored} submissions stored in all"


SCENARIOS: list[Scenario] = [
    AreaActivities("S1", "anonymous: 50 activities of an urban area with partners and next 3 occurrences"),
    PlansDeep(
        "S2", "staff: 10 plans -> sub-agreements, 20 activities -> partners, goals -> indicators -> measurements"
    ),
    AreaPage("S3", "anonymous: the portal's area page (HTML)", floor=False),
    InputSubmissions("S4", "residents: input submissions (writes)", floor=False),
]


def query_costs() -> str:
    """The cost (schema/cost.py) of what each scenario asks, beside the limit that applies to it."""
    from graphql import parse

    from frontend.operations import documents
    from schema import limits
    from schema.api import schema
    from schema.cost import query_cost
    from schema.engine_internals import graphql_schema

    def cost(document: str, name: str | None = None) -> int:
        return query_cost(graphql_schema(schema), parse(document), name, {})

    def read(name: str) -> str:
        return (QUERIES / name).read_text(encoding="utf-8")

    anonymous, staff = limits.ANONYMOUS_COST_LIMIT, limits.STAFF_COST_LIMIT
    return (
        f"query cost (schema/cost.py; limit {anonymous:,} anonymous and residents, {staff:,} staff): "
        f"S1 {cost(read('s1.portal.graphql')):,}; S2 {cost(read('s2.portal.graphql')):,}; "
        f"S3 UrbanAreaPage {cost(documents()['UrbanAreaPage'], 'UrbanAreaPage'):,}; S4 {cost(SUBMIT):,}; "
        f"S5 hostile {cost(read('s5.hostile.graphql')):,}"
    )
