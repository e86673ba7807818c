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


def count_objects(value) -> int:
    """The objects with an id in a GraphQL answer: the same count for the portal and PostGraphile, whose
    connections and link rows (no id) differ in shape but not in what they return."""
    if isinstance(value, dict):
        return ("id" in value) + sum(count_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_objects(v) for v in value)
    return 0


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
        target["objects"] = count_objects(check_graphql(status, answer, f"{self.name} {target['url']}")["data"])
        return answer

    def run_args(self, target: dict, run: int) -> list[str]:
        """wrk's arguments for a run: 0 is the warm-up, then the rounds (the same request, unless a
        scenario gives each run its own)."""
        return target["args"]

    def after(self, result, target: dict, run: int) -> None:
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


def for_plans(document: str, plans: int) -> str:
    """An S2 query (queries/s2.*.graphql ask for 10 plans) for `plans` plans."""
    if document.count("(first: 10") != 1:
        raise ProbeFailed("an S2 query should have one 'first: 10', the plans'")
    return document.replace("(first: 10", f"(first: {plans}")


@dataclass
class PlansDeep(Scenario):
    plans: int = 10

    def body(self, tmp: Path, name: str, query_file: str) -> Path:
        path = graphql_body(tmp, name, query_file)
        request = json.loads(path.read_text(encoding="utf-8"))
        request["query"] = for_plans(request["query"], self.plans)
        path.write_text(json.dumps(request), encoding="utf-8")
        return path

    def targets(self, *, portal, postgraphile, db, auth, tmp, **_):
        token = auth.bearer(STAFF_ACCOUNT)
        if token is None:
            self.notes.append(f"{self.name} ran anonymous: {auth.unavailable}")
        mine = self.body(tmp, f"{self.name.lower()}-portal", "s2.portal.graphql")
        theirs = self.body(tmp, f"{self.name.lower()}-postgraphile", "s2.postgraphile.graphql")
        return {
            "portal": {"url": f"{portal}/graphql", "script": "post.lua", "args": [str(mine), token or ""]},
            "postgraphile": {"url": f"{postgraphile}/graphql", "script": "post.lua", "args": [str(theirs)]},
        }

    def probe(self, target: dict) -> bytes:
        answer = super().probe(target)
        (plans,) = json.loads(answer)["data"].values()
        if len(plans["nodes"]) != self.plans:
            raise ProbeFailed(f"{self.name} {target['url']}: {len(plans['nodes'])} plans, not {self.plans}")
        return answer


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
# PostGraphile's peer (bench/postgraphile.sql, submit_resident_input): told the resident's subject.
SUBMIT_PEER = (
    "mutation Submit($input: SubmitResidentInputInput!) { submitResidentInput(input: $input) "
    "{ result { id status createdAt } } }"
)
# Residents per run and server: each may send 10 inputs an hour, so 300 bound a run at 3,000
# acknowledged submissions (375/s over 8 s, past the goal of 300/s); no run reuses another's residents.
# Each sends several in a run, as a client signed in once does: a token's first request in a worker
# reads its account (2-3 statements more), the next ones find it in the worker's cache (auth/actor_cache.py).
RESIDENTS_PER_RUN = 300
TITLE, TEXT = "Belastningstest __RUN__ __N__", "Input __N__ fra belastningstesten: mere lys på stierne, tak."


class InputSubmissions(Scenario):
    """Resident input submissions: signed-in residents (each its own token) writing to their own group;
    beside the portal, PostGraphile's mutation of a function doing the same work."""

    def targets(self, *, portal, postgraphile, db, auth, tmp, threads=2, rounds=1, **_):
        from schema import ids

        template_token = auth.bearer(RESIDENT_ACCOUNTS[0])
        if template_token is None or auth.keys_file is None:
            return {"portal": {"skip": f"skipped: {auth.unavailable or 'no signing keys of the provider'}"}}
        runs = rounds + 1  # the warm-up and the rounds, each with residents of its own
        rows = db.rows(
            "SELECT a.subject, a.display_name, MIN(g.group_id) FROM account a "
            "JOIN residency r ON r.account_id = a.id JOIN followupgroupestate g ON g.estate_id = r.estate_id "
            "WHERE a.subject LIKE 'gen-beboer-%%' AND r.until IS NULL GROUP BY a.id ORDER BY a.id LIMIT %s",
            (2 * runs * RESIDENTS_PER_RUN,),
        )
        size = len(rows) // (2 * runs)
        portal_sets = [rows[2 * k * size : (2 * k + 1) * size] for k in range(runs)]
        peer_sets = [rows[(2 * k + 1) * size : (2 * k + 2) * size] for k in range(runs)]
        from bench.tokens import mint_like

        bearers = iter(
            mint_like(
                template_token, auth.keys_file, "dev-borger", [(r[0], r[1]) for rows in portal_sets for r in rows]
            )
        )

        def residents(server: str, sets: list[list[tuple]], line) -> list[str]:
            files = []
            for k, chosen in enumerate(sets):
                path = tmp / f"s4-{server}-{k}.tsv"
                path.write_text("".join(line(r) for r in chosen), encoding="utf-8")
                files.append(str(path))
            return files

        def template(server: str, document: str, variables: dict) -> str:
            path = tmp / f"s4-{server}.json"
            text = json.dumps({"query": document, "variables": {"input": {**variables, "title": TITLE, "body": TEXT}}})
            if server == "postgraphile":
                text = text.replace('"__GROUP__"', "__GROUP__")  # its groupId is the group's Int primary key
            path.write_text(text, encoding="utf-8")
            return str(path)

        mine = template("portal", SUBMIT, {"groupId": "__GROUP__"})
        theirs = template("postgraphile", SUBMIT_PEER, {"subject": "__SUBJECT__", "groupId": "__GROUP__"})
        self.db = db
        self.notes.append(
            f"S4: {size} residents per run and server, none in two runs (the portal's with their own tokens, "
            "signed with the development provider's key), each submission a new text; the peer is told the "
            "resident's subject and trusts its caller, the portal verifies a signed token on every request"
        )

        def target(url: str, server: str, document: str, files: list[str]) -> dict:
            return {
                "url": f"{url}/graphql",
                "script": "submit.lua",
                "args": [document, files[0], str(threads), f"{server}-warm-up"],
                "runs": [[document, f, str(threads), f"{server}-r{k}"] for k, f in enumerate(files)],
            }

        return {
            "portal": target(
                portal,
                "portal",
                mine,
                residents("portal", portal_sets, lambda r: f"{next(bearers)}\t{ids.encode('FollowUpGroup', r[2])}\t\n"),
            ),
            "postgraphile": target(
                postgraphile,
                "postgraphile",
                theirs,
                residents("postgraphile", peer_sets, lambda r: f"\t{r[2]}\t{r[0]}\n"),
            ),
        }

    def run_args(self, target: dict, run: int) -> list[str]:
        return target["runs"][run]

    def probe(self, target: dict) -> bytes:
        template, residents, _, tag = target["args"]
        auth, group, subject = Path(residents).read_text().splitlines()[-1].split("\t")
        body = Path(template).read_text().replace("__RUN__", tag).replace("__N__", "probe")
        body = body.replace("__GROUP__", group).replace("__SUBJECT__", subject)
        status, answer = _post(target["url"], body.encode(), {"Authorization": auth} if auth else {})
        data = check_graphql(status, answer, f"{self.name} probe")
        (payload,) = data["data"].values()
        if payload.get("errors") or "createdAt" not in json.dumps(payload):
            raise ProbeFailed(f"{self.name}: submission refused: {payload}")
        return answer

    def after(self, result, target: dict, run: int) -> None:
        tag = target["runs"][run][3]
        stored = self.db.scalar("SELECT COUNT(*) FROM residentinput WHERE title LIKE %s", (f"Belastningstest {tag} %",))
        acknowledged = result.requests - result.errors
        result.extra.update(
            acknowledged=acknowledged, acknowledged_rps=acknowledged / result.extra["seconds"], stored=stored
        )
        result.note = f"{stored} stored, {acknowledged} acknowledged"


SCENARIOS: list[Scenario] = [
    AreaActivities("S1", "anonymous: 50 activities of an urban area with partners and next 3 occurrences"),
    PlansDeep(
        "S2",
        "staff: 10 plans -> sub-agreements, 20 activities -> partners, goals -> indicators -> measurements",
        floor=False,  # its goal is PostGraphile's; a floor's rounds would cost time and tell nothing new
    ),
    PlansDeep("S2b", "staff: S2 for 50 plans", floor=False, plans=50),
    AreaPage("S3", "anonymous: the portal's area page (HTML)"),
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
        f"S2b {cost(for_plans(read('s2.portal.graphql'), 50)):,}; "
        f"S3 UrbanAreaPage {cost(documents()['UrbanAreaPage'], 'UrbanAreaPage'):,}; S4 {cost(SUBMIT):,}; "
        f"S5 hostile {cost(read('s5.hostile.graphql')):,}"
    )
