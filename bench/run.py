"""`make bench`: national-scale data in PostgreSQL, the portal beside PostGraphile and a floor, wrk.

Steps (each prints a line): its own PostgreSQL cluster (so restarts and pg_stat_statements
disturb nobody), a fresh database, migrations, demo data, the national data set, the servers,
a probe of every scenario, the load runs, the table, then the robustness checks.

Each scenario runs BENCH_ROUNDS rounds against each of its servers, interleaved (portal, peer, floor,
portal, ...), so that a slow moment of the shared machine falls on every server alike; the table gives
the median and the spread (min-max) of each figure, and every ratio is one of medians.

Environment (all optional): BENCH_ROUNDS (default 3), BENCH_DURATION (s per run, default 8),
BENCH_WARMUP (s, once per scenario and server before its first round, default 2),
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
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

# Run as a script (`python bench/run.py`): these imports need the repository root on sys.path first.
from bench import cluster  # noqa: E402 - after sys.path names the repository root
from bench.procs import MemorySampler, Server, cpu_seconds, free_port, portal_command, uvicorn  # noqa: E402 - after sys.path names the repository root
from bench.report import Result, Row, report  # noqa: E402 - after sys.path names the repository root
from bench.scenarios import SCENARIOS, query_costs  # noqa: E402 - after sys.path names the repository root

PY = str(ROOT / ".venv" / "bin" / "python")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DB_NAME = os.environ.get("BENCH_DB", "hp_bench")


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


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


def settle(server: Server, db, timeout: float = 30.0) -> float:
    """Wait until the server and the database are idle: a server goes on with the requests a finished
    wrk run left in flight (a deep query runs for seconds), which would otherwise fall on the next run,
    often another server's. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = cpu_seconds(server.process.pid)
        time.sleep(0.25)
        busy = (cpu_seconds(server.process.pid) - before) / 0.25
        active = db.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        if busy < 0.05 and not active:
            break
    return time.monotonic() - started


def measure(server: Server, url: str, script: str, args: list[str], db, result: Result) -> Result:
    """One fixed-length wrk run with each process's peak memory and the SQL statement count."""
    result.processes = len(server.pids())
    db.reset_statements()
    with MemorySampler(server.process.pid) as memory:
        out = run_wrk(url, script, args, DURATION)
    statements = db.statements()
    seconds = out["duration_us"] / 1e6
    result.requests = out["requests"]
    result.rps = out["requests"] / seconds if seconds else 0.0
    result.p50, result.p95, result.p99 = (out[k] / 1000 for k in ("p50_us", "p95_us", "p99_us"))
    result.errors = sum(out["errors"].values()) + out.get("rejected", 0)
    result.extra = {"wrk_errors": out["errors"], "rejected": out.get("rejected", 0), "seconds": seconds}
    if out["requests"] and statements is not None:
        result.sql_per_request = statements / out["requests"]
    result.memory = memory.peaks()
    return result


def main() -> int:
    started = time.monotonic()
    only = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()}
    notes: list[str] = [
        f"wrk -t{THREADS} -c{CONNECTIONS}, {ROUNDS} rounds of {DURATION} s per scenario and server, interleaved "
        f"(portal, peer, floor, portal, ...), after one {WARMUP} s warm-up per scenario and server; loopback, "
        f"{os.cpu_count()} cores shared by server, database and wrk; load average at the start "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg()),
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
                rounds=ROUNDS,
            ).items():
                if target.get("skip"):
                    notes.append(f"{scenario.name} {server_name}: {target['skip']}")
                    continue
                body = scenario.probe(target)
                target["bytes"] = len(body)
                targets[(scenario.name, server_name)] = target
                if server_name == "portal" and scenario.floor:
                    kind = "html" if target["script"] == "get.lua" else "json"
                    (floor_dir / f"{scenario.name.lower()}.{kind}").write_bytes(body)
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
                page = path.suffix == ".html"
                targets[(name, "floor")] = {
                    "url": f"http://127.0.0.1:{floor_port}/{'page' if page else 'graphql'}/{path.stem}",
                    "script": "get.lua" if page else "post.lua",
                    "args": [] if page else [targets[(name, "portal")]["args"][0]],
                    "bytes": path.stat().st_size,
                }
        by_server = {s.name: s for s in servers}
        rows: list[Row] = []
        for scenario in SCENARIOS:
            mine = [Row(scenario.name, n) for n in ("portal", "postgraphile", "floor") if (scenario.name, n) in targets]
            for round_ in range(1, ROUNDS + 1):
                for row in mine:
                    prepared = targets[(scenario.name, row.server)]
                    server = by_server[row.server]
                    if round_ == 1 and WARMUP:
                        say(f"{scenario.name} warm-up of {row.server}")
                        run_wrk(prepared["url"], prepared["script"], scenario.run_args(prepared, 0), WARMUP)
                        settle(server, db)
                    say(f"{scenario.name} round {round_}/{ROUNDS} against {row.server}")
                    result = Result(scenario.name, row.server, 0, round=round_, response_bytes=prepared["bytes"])
                    measure(
                        server, prepared["url"], prepared["script"], scenario.run_args(prepared, round_), db, result
                    )
                    if row.server == "floor":
                        result.sql_per_request = 0.0
                    scenario.after(result, prepared, round_)
                    result.extra["settled_s"] = round(settle(server, db), 2)
                    row.rounds.append(result)
            rows.extend(mine)
        if (not only or "S5" in only) and ("S1", "portal") in targets and ("S2", "portal") in targets:
            from bench import hostile

            say("S5: the hostile mix against portal")
            alone = {r.scenario: r.typical() for r in rows if r.server == "portal"}
            mix, lines = hostile.run_mix(
                portal=portal,
                targets={"S1": targets[("S1", "portal")], "S2": targets[("S2", "portal")]},
                alone=alone,
                tmp=tmp,
                duration=DURATION,
                run_wrk=run_wrk,
                result_type=Result,
                rounds=ROUNDS,
            )
            rows.extend(Row("S5", name, results) for name, results in mix.items())
            notes.extend(lines)
        elif not only or "S5" in only:
            notes.append("S5 skipped: it needs S1 and S2 (BENCH_ONLY=S1,S2,S5)")
        say(f"load runs done after {time.monotonic() - started:.0f} s")
        objects = {key: t["objects"] for key, t in targets.items() if "objects" in t}
        text, summary = report(rows, notes, objects, rounds=ROUNDS, duration=DURATION)
        print("\n".join([text, "", *summary]), flush=True)
        ending: list[str] = []

        def write(lines: list[str]) -> None:
            """latest.txt and latest.json, with `lines` (the total time, the robustness checks) once known."""
            out_dir = BENCH / "results"
            out_dir.mkdir(exist_ok=True)
            goals = [summary[0], *lines, *summary[1:]]
            (out_dir / "latest.txt").write_text("\n".join([text, "", *goals]) + "\n", encoding="utf-8")
            document = {
                "settings": {
                    "rounds": ROUNDS,
                    "duration_s": DURATION,
                    "warmup_s": WARMUP,
                    "connections": CONNECTIONS,
                    "threads": THREADS,
                    "workers": WORKERS,
                    "cores": os.cpu_count(),
                },
                "rows": [row.as_json() for row in rows],
                "objects": {f"{name} {server}": n for (name, server), n in objects.items()},
                "summary": goals,
            }
            (out_dir / "latest.json").write_text(json.dumps(document, indent=2), encoding="utf-8")

        write([])
        ok = True
        if os.environ.get("BENCH_SKIP_ROBUSTNESS") != "1":
            from bench import robustness

            ok = robustness.run_all(
                portal_url=f"http://127.0.0.1:{port}", portal=portal, pg=pg, db=db, env=env, auth=auth, say=say
            )
        total = time.monotonic() - started
        ending.append(
            f"  1. make bench under 10 minutes: {total / 60:.1f} min in all (data, servers, load runs, S5, "
            f"robustness): {'met' if total < 600 else 'NOT met'}; load average at the end "
            + " / ".join(f"{x:.1f}" for x in os.getloadavg())
        )
        if os.environ.get("BENCH_SKIP_ROBUSTNESS") != "1":
            ending.append(f"     robustness (restart under load, SIGTERM in flight): {'passed' if ok else 'FAILED'}")
        print("\n".join(ending), flush=True)
        write(ending)
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
