"""`make bench`: national-scale data in PostgreSQL, the portal beside PostGraphile and a floor, wrk.

Steps (each prints a line): its own PostgreSQL cluster (so restarts and pg_stat_statements
disturb nobody), a fresh database, migrations, demo data, the national data set, the servers,
a probe of every scenario, the load runs, the table, then the robustness checks.

Environment (all optional): BENCH_DURATION (s per run, default 15), BENCH_WARMUP (3),
BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_WORKERS (portal and floor processes, 2),
BENCH_PG_PORT (5433), BENCH_ONLY (comma list of scenarios, e.g. S1,S2; S5 needs S1 and S2), BENCH_SKIP_ROBUSTNESS=1,
BENCH_KEEP=1 (keep the servers running at the end, for profiling).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

# Run as a script (`python bench/run.py`): these imports need the repository root on sys.path first.
from bench import cluster  # noqa: E402 - after sys.path names the repository root
from bench.procs import Server, free_port, portal_command, tree_rss, uvicorn  # noqa: E402 - after sys.path names the repository root
from bench.scenarios import SCENARIOS, Scenario, query_costs  # noqa: E402 - after sys.path names the repository root

PY = str(ROOT / ".venv" / "bin" / "python")
DURATION = int(os.environ.get("BENCH_DURATION", "15"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DB_NAME = os.environ.get("BENCH_DB", "hp_bench")


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Result:
    scenario: str
    server: str
    processes: int
    requests: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    errors: int = 0
    sql_per_request: float | None = None
    peak_rss_mb: float = 0.0
    response_bytes: int = 0
    note: str = ""
    extra: dict = field(default_factory=dict)


def run_wrk(
    url: str, script: str, args: list[str], duration: int, *, threads: int = THREADS, connections: int = CONNECTIONS
) -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk" / script),
        url,
        "--",
        *args,
    ]
    env = dict(os.environ, WRK_LUA_DIR=str(BENCH / "wrk"))
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=duration + 60)
    for line in out.stdout.splitlines():
        if line.startswith("WRK_RESULT "):
            result = json.loads(line[len("WRK_RESULT ") :])
            if not result["requests"]:
                say(f"wrk finished no request: {out.stdout.strip()} {out.stderr.strip()}")
            return result
    raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")


def measure(scenario: Scenario, server: Server, target: dict, db) -> Result:
    """Warm up, then one fixed-length wrk run with RSS sampling and the SQL statement count."""
    result = Result(scenario.name, server.name, processes=len(server.pids()))
    url, script, args = target["url"], target["script"], target["args"]
    result.response_bytes = target.get("bytes", 0)
    if WARMUP:
        run_wrk(url, script, args, WARMUP)
    db.reset_statements()
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(server.process.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out = run_wrk(url, script, args, DURATION)
    finally:
        stop.set()
        sampler.join()
    statements = db.statements()
    seconds = out["duration_us"] / 1e6
    result.requests = out["requests"]
    result.rps = out["requests"] / seconds if seconds else 0.0
    result.p50, result.p95, result.p99 = (out[k] / 1000 for k in ("p50_us", "p95_us", "p99_us"))
    result.errors = sum(out["errors"].values()) + out.get("rejected", 0)
    result.extra = {"wrk_errors": out["errors"], "rejected": out.get("rejected", 0)}
    if out["requests"] and statements is not None:
        result.sql_per_request = statements / out["requests"]
    result.peak_rss_mb = peak[0] / 1024
    return result


def print_table(results: list[Result], notes: list[str]) -> str:
    lines = []
    header = (
        f"{'scenario':<9}{'server':<13}{'procs':>5}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'SQL/req':>9}{'errors':>8}{'peak RSS MB':>13}{'bytes':>9}"
    )
    lines.append(header)
    lines.append("-" * len(header))
    for r in results:
        sql = f"{r.sql_per_request:.2f}" if r.sql_per_request is not None else "n/a"
        lines.append(
            f"{r.scenario:<9}{r.server:<13}{r.processes:>5}{r.rps:>10.1f}{r.p50:>9.1f}{r.p95:>9.1f}"
            f"{r.p99:>9.1f}{sql:>9}{r.errors:>8}{r.peak_rss_mb:>13.0f}{r.response_bytes:>9}"
        )
    lines.append("")
    by = {(r.scenario, r.server): r for r in results}
    for name in sorted({r.scenario for r in results}):
        project = by.get((name, "portal"))
        if not project:
            continue
        for ref in ("postgraphile", "floor"):
            other = by.get((name, ref))
            if other and other.rps:
                lines.append(
                    f"{name} portal/{ref}: throughput x{project.rps / other.rps:.2f}, "
                    f"p50 x{project.p50 / other.p50 if other.p50 else float('nan'):.2f}"
                )
    lines += [""] + [f"note: {n}" for n in notes]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def main() -> int:
    started = time.monotonic()
    only = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()}
    notes: list[str] = [
        f"wrk -t{THREADS} -c{CONNECTIONS}, {DURATION} s per run after {WARMUP} s warm-up, loopback, "
        f"{os.cpu_count()} cores shared by server, database and wrk",
        "SQL/req: statements per request from pg_stat_statements (BEGIN/COMMIT/ROLLBACK not counted)",
        query_costs(),
    ]
    pg = cluster.ensure()
    say(f"PostgreSQL cluster {pg.name} on port {pg.port}")
    db = pg.fresh_database(DB_NAME)
    env = dict(
        os.environ,
        DATABASE_URL=db.url,
        ENVIRONMENT="development",
        LOAD_DEMO_DATA="false",
        SECRET_KEY="bench-only-secret",
        PYTHONPATH=str(ROOT),
    )
    env.pop("BENCH_ONLY", None)
    say("migrating")
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "alembic"), "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    say("demo data")
    subprocess.run([PY, "-c", "from backend import demo; demo.load_if_empty()"], cwd=ROOT, env=env, check=True)
    say("national data set")
    subprocess.run([PY, "-m", "bench.generate", "--scale", "national"], cwd=ROOT, env=env, check=True)
    db.execute_file(BENCH / "postgraphile.sql")
    db.analyze()

    servers: list[Server] = []
    tmp = Path(tempfile.mkdtemp(prefix="hp_bench_"))
    try:
        idp = None
        try:
            from auth import devidp

            idp_port = free_port()
            env["DEV_IDP_KEYS"] = str(tmp / "dev-idp-keys.json")
            idp = Server.start(
                "dev-idp",
                [devidp.node_executable(), "server.js", "--port", str(idp_port), "--host", "127.0.0.1"],
                cwd=devidp.DEV_IDP_DIR,
                env=env,
                ready_url=None,
                ready_line="dev-idp listening on ",
            )
            servers.append(idp)
            env["DEV_IDP_URL"] = f"http://127.0.0.1:{idp_port}"
        except Exception as exc:
            notes.append(f"no development OpenID Provider ({exc}); staff and resident scenarios run anonymous")
        port = free_port()
        say(f"starting the portal ({WORKERS} uvicorn workers)")
        portal = Server.start(
            "portal",
            portal_command(port, WORKERS, graceful_seconds=20),
            cwd=ROOT,
            env=env,
            ready_url=f"http://127.0.0.1:{port}/readyz",
        )
        servers.append(portal)
        pgl_port = free_port()
        say("starting PostGraphile 5 (Node 22)")
        postgraphile = Server.start(
            "postgraphile",
            [
                str(BENCH / "node_modules" / ".bin" / "node"),
                str(BENCH / "node_modules" / ".bin" / "postgraphile"),
                "-P",
                "postgraphile/presets/amber",
                "-c",
                db.libpq_url,
                "-s",
                "public",
                "-p",
                str(pgl_port),
                "-n",
                "127.0.0.1",
            ],
            cwd=BENCH,
            env=dict(env, GRAPHILE_ENV="production", NODE_ENV="production"),
            ready_line="Server listening",
        )
        servers.append(postgraphile)

        from bench import tokens

        auth = tokens.Tokens(env, db)
        if idp is None:
            auth.unavailable = "no development OpenID Provider"
        targets: dict[tuple[str, str], dict] = {}
        floor_dir = tmp / "floor"
        floor_dir.mkdir()
        for scenario in SCENARIOS:
            if only and scenario.name not in only:
                continue
            say(f"probing {scenario.name}")
            for server_name, target in scenario.targets(
                portal=f"http://127.0.0.1:{port}",
                postgraphile=f"http://127.0.0.1:{pgl_port}",
                db=db,
                auth=auth,
                tmp=tmp,
                threads=THREADS,
            ).items():
                if target.get("skip"):
                    notes.append(f"{scenario.name} {server_name}: {target['skip']}")
                    continue
                body = scenario.probe(target)
                target["bytes"] = len(body)
                targets[(scenario.name, server_name)] = target
                if server_name == "portal" and scenario.floor:
                    (floor_dir / f"{scenario.name.lower()}.json").write_bytes(body)
            notes.extend(scenario.notes)
        floor = None
        if any(floor_dir.iterdir()):
            floor_port = free_port()
            floor = Server.start(
                "floor",
                uvicorn(ROOT, "bench.floor:app", floor_port, workers=WORKERS, log_level="warning"),
                cwd=ROOT,
                env=dict(env, FLOOR_DIR=str(floor_dir)),
                ready_port=floor_port,
            )
            servers.append(floor)
            for path in floor_dir.iterdir():
                name = path.stem.upper()
                portal_target = targets[(name, "portal")]
                targets[(name, "floor")] = {
                    "url": f"http://127.0.0.1:{floor_port}/graphql/{path.stem}",
                    "script": "post.lua",
                    "args": [portal_target["args"][0]],
                    "bytes": path.stat().st_size,
                }
        results: list[Result] = []
        by_server = {s.name: s for s in servers}
        for scenario in SCENARIOS:
            for server_name in ("portal", "postgraphile", "floor"):
                prepared = targets.get((scenario.name, server_name))
                if not prepared:
                    continue
                say(f"{scenario.name} against {server_name}")
                result = measure(scenario, by_server[server_name], prepared, db)
                if server_name == "floor":
                    result.sql_per_request = 0.0
                scenario.after(result, prepared)
                results.append(result)
        if (not only or "S5" in only) and ("S1", "portal") in targets and ("S2", "portal") in targets:
            from bench import hostile

            say("S5: the hostile mix against portal")
            alone = {r.scenario: r for r in results if r.server == "portal"}
            mix, lines = hostile.run_mix(
                portal=portal,
                targets={"S1": targets[("S1", "portal")], "S2": targets[("S2", "portal")]},
                alone=alone,
                tmp=tmp,
                duration=DURATION,
                run_wrk=run_wrk,
                result_type=Result,
            )
            results.extend(mix)
            notes.extend(lines)
        elif not only or "S5" in only:
            notes.append("S5 skipped: it needs S1 and S2 (BENCH_ONLY=S1,S2,S5)")
        say(f"load runs done after {time.monotonic() - started:.0f} s")
        table = print_table(results, notes)
        out_dir = BENCH / "results"
        out_dir.mkdir(exist_ok=True)
        (out_dir / "latest.txt").write_text(table + "\n", encoding="utf-8")
        (out_dir / "latest.json").write_text(json.dumps([r.__dict__ for r in results], indent=2), encoding="utf-8")
        if os.environ.get("BENCH_SKIP_ROBUSTNESS") != "1":
            from bench import robustness

            ok = robustness.run_all(
                portal_url=f"http://127.0.0.1:{port}", portal=portal, pg=pg, db=db, env=env, auth=auth, say=say
            )
            if not ok:
                return 1
        if os.environ.get("BENCH_KEEP") == "1":
            say(f"servers kept: portal :{port}, postgraphile :{pgl_port}; Ctrl-C to stop")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    finally:
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
