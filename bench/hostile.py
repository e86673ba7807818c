"""S5, the hostile mix: what the query limits leave to someone who wants to slow the portal down.

2 connections send about the most expensive query an anonymous caller may send
(`queries/s5.hostile.graphql`, each request with a new comment so that the public cache never
answers it), while 7 connections run S1 and 7 run S2, all at once against the portal. The same 7 + 7
run once more before, without the hostile connections: S2 alone slows S1 down on two cores, so what
the hostile query adds is measured against that run as well as against S1 and S2 alone (the runs
before). Also printed: the memory of every process of the portal over the run (first sample, peak
and last), and each row carries the peak of each process in its run.
"""

from __future__ import annotations

import json
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.procs import MemorySampler
from bench.scenarios import QUERIES

HOSTILE_CONNECTIONS = 2
EACH_CONNECTIONS = 7  # S1 and S2 each: 16 connections in all


def hostile_body(tmp: Path) -> Path:
    path = tmp / "s5-hostile.json"
    document = (QUERIES / "s5.hostile.graphql").read_text(encoding="utf-8")
    path.write_text(json.dumps({"query": "# __N__\n" + document}), encoding="utf-8")
    return path


def run_mix(
    *, portal, targets: dict, alone: dict, tmp: Path, duration: int, run_wrk, result_type, rounds: int = 1
) -> tuple[dict[str, list], list[str]]:
    """Run the mix `rounds` times (each: the calm mix, then the mix with the hostile connections); `alone`
    maps S1/S2 to their results alone. Returns each row's results by round, and lines for the report (from
    the medians over the rounds)."""
    hostile = {
        "url": targets["S1"]["url"],
        "script": "hostile.lua",
        "args": [str(hostile_body(tmp))],
        "threads": 1,
        "connections": HOSTILE_CONNECTIONS,
    }
    mixed = {
        "S1 in mix": {**targets["S1"], "threads": 1, "connections": EACH_CONNECTIONS},
        "S2 in mix": {**targets["S2"], "threads": 1, "connections": EACH_CONNECTIONS},
    }
    connections = {"hostile": HOSTILE_CONNECTIONS}

    def row_of(name: str, out: dict, sampled: MemorySampler):
        seconds = out["duration_us"] / 1e6
        row = result_type("S5", name, processes=len(sampled.samples))
        row.requests = out["requests"]
        row.rps = out["requests"] / seconds if seconds else 0.0
        row.p50, row.p95, row.p99 = (out[k] / 1000 for k in ("p50_us", "p95_us", "p99_us"))
        rejected = out.get("rejected", 0)
        row.errors = sum(out["errors"].values()) + (0 if name == "hostile" else rejected)
        row.extra = {
            "wrk_errors": out["errors"],
            "rejected": rejected,
            "connections": connections.get(name, EACH_CONNECTIONS),
        }
        row.memory = sampled.peaks()
        return row

    by_name: dict[str, list] = {}
    mix_memory: list[MemorySampler] = []
    for _ in range(rounds):
        # The same S1 and S2 connections without the hostile ones first: what the hostile query adds is
        # the difference between the two runs (beside it, S2 slows S1 down on the same two cores).
        calm_outs, calm_memory = _run_together(
            portal, {name.replace("in mix", "calm"): t for name, t in mixed.items()}, duration, run_wrk
        )
        outs, memory = _run_together(portal, {"hostile": hostile, **mixed}, duration, run_wrk)
        mix_memory.append(memory)
        for name, out in calm_outs.items():
            by_name.setdefault(name, []).append(row_of(name, out, calm_memory))
        for name, out in outs.items():
            by_name.setdefault(name, []).append(row_of(name, out, memory))

    def median(name: str, figure: str) -> float:
        return statistics.median(getattr(r, figure) for r in by_name[name])

    requests = sum(r.requests for r in by_name["hostile"])
    limited = sum(r.extra["rejected"] for r in by_name["hostile"])
    lines = [
        f"S5 hostile mix, {rounds} rounds of {duration} s (figures: medians): {HOSTILE_CONNECTIONS} connections send "
        f"the hostile query (anonymous, a new comment each time), {EACH_CONNECTIONS} run S1 and {EACH_CONNECTIONS} "
        "run S2 at the same time",
        f"  hostile: {requests} requests in all, {limited} answered 429 (its budget per minute spent), "
        f"{requests - limited} executed; p50 {median('hostile', 'p50'):.0f} ms, p99 {median('hostile', 'p99'):.0f} ms",
    ]
    for scenario in ("S1", "S2"):
        mix, calm, base = f"{scenario} in mix", f"{scenario} calm", alone.get(scenario)
        p99, calm_p99 = median(mix, "p99"), median(calm, "p99")
        line = f"  {mix}: p99 {p99:.1f} ms"
        if base is not None and base.p99:
            line += f" vs {base.p99:.1f} ms alone (x{p99 / base.p99:.2f})"
        if calm_p99:
            line += f", vs {calm_p99:.1f} ms in the same mix without the hostile query (x{p99 / calm_p99:.2f})"
        line += (
            f"; {median(mix, 'rps'):.1f} req/s on {EACH_CONNECTIONS} connections "
            f"({median(calm, 'rps'):.1f} without the hostile query"
        )
        lines.append(line + (f", {base.rps:.1f} on 16 alone)" if base is not None else ")"))
    samples: dict[int, list[int]] = {}
    for memory in mix_memory:
        for pid, taken in memory.samples.items():
            samples.setdefault(pid, []).extend(taken)
    roles = {pid: role for memory in mix_memory for pid, role in memory.roles.items()}
    lines.append(
        "  memory per portal process over the hostile mixes (first / peak / last sample, MB): "
        + "; ".join(
            f"{roles[pid]} {pid} {s[0] / 1024:.0f} / {max(s) / 1024:.0f} / {s[-1] / 1024:.0f}"
            for pid, s in sorted(samples.items())
        )
    )
    return by_name, lines


def _run_together(portal, runs: dict, duration: int, run_wrk) -> tuple[dict, MemorySampler]:
    """Run wrk for every entry of `runs` at once: their outputs, and the memory of the portal's processes
    sampled meanwhile."""
    with MemorySampler(portal.process.pid) as memory, ThreadPoolExecutor(len(runs)) as pool:
        futures = {
            name: pool.submit(
                run_wrk,
                t["url"],
                t["script"],
                t["args"],
                duration,
                threads=t["threads"],
                connections=t["connections"],
            )
            for name, t in runs.items()
        }
        outs = {name: future.result() for name, future in futures.items()}
    return outs, memory
