"""The benchmark's figures: one run (Result), a scenario's server over its rounds (Row), and the report:
the table of medians and spreads, the ratios of medians, time per object for S2 and S2b, S4's
acknowledged submissions, the memory of each process and the goals of issue #14."""

from __future__ import annotations

import math
import os
import statistics
from dataclasses import dataclass, field, replace

FIGURES = ("rps", "p50", "p95", "p99", "sql_per_request")
WORKER_GOAL_MB = 150
FLAT = 1.10  # "flat": time per object grows by at most 10 % from 10 to 50 plans


@dataclass
class Result:
    """One run of a scenario against a server."""

    scenario: str
    server: str
    processes: int
    round: int = 1
    requests: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    errors: int = 0
    sql_per_request: float | None = None
    memory: list[dict] = field(default_factory=list)  # each process: pid, role, peak_mb
    response_bytes: int = 0
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Row:
    """A scenario's server over its rounds: medians and spreads (min-max) of each figure."""

    scenario: str
    server: str
    rounds: list[Result] = field(default_factory=list)

    def values(self, figure: str) -> list[float]:
        """The figure of each round (a Result field, or an entry of its `extra`)."""
        out = []
        for r in self.rounds:
            if figure != "rps" and not r.requests:
                continue  # a run that finished no request has no latency
            value = getattr(r, figure) if figure in FIGURES else r.extra.get(figure)
            if value is not None:
                out.append(value)
        return out

    def median(self, figure: str) -> float | None:
        values = self.values(figure)
        return statistics.median(values) if values else None

    def cell(self, figure: str) -> str:
        values = self.values(figure)
        if not values:
            return "n/a"
        if len(values) == 1:
            return _num(values[0])
        return f"{_num(statistics.median(values))} [{_num(min(values))}-{_num(max(values))}]"

    def peaks(self) -> dict[int, tuple[str, float]]:
        """Each process's highest peak over the rounds (MB), by pid, with its role."""
        out: dict[int, tuple[str, float]] = {}
        for r in self.rounds:
            for p in r.memory:
                out[p["pid"]] = (p["role"], max(p["peak_mb"], out.get(p["pid"], ("", 0.0))[1]))
        return out

    def peak(self, role: str) -> float:
        return max((mb for r, mb in self.peaks().values() if r == role), default=0.0)

    def typical(self) -> Result:
        """A result with the medians (as S5 compares its mix with S1 and S2 alone)."""
        out = replace(self.rounds[0])
        for figure in FIGURES:
            setattr(out, figure, self.median(figure))
        return out

    def as_json(self) -> dict:
        figures = (*FIGURES, "acknowledged_rps")
        return {
            "scenario": self.scenario,
            "server": self.server,
            "rounds": [r.__dict__ for r in self.rounds],
            "median": {f: self.median(f) for f in figures},
            "min": {f: min(self.values(f), default=None) for f in figures},
            "max": {f: max(self.values(f), default=None) for f in figures},
            "peak_mb": {str(pid): {"role": role, "peak_mb": mb} for pid, (role, mb) in self.peaks().items()},
        }


def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def _mb(x: float) -> str:
    return f"{x:.0f}" if x else "-"


def ratio(a: float | None, b: float | None) -> float:
    """a / b, NaN when either is unknown or b is 0 (a goal decided by NaN is not met)."""
    return a / b if a is not None and b else float("nan")


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


Rows = dict[tuple[str, str], Row]


def _table(rows: list[Row]) -> list[str]:
    header = (
        f"{'scenario':<9}{'server':<13}{'runs':>4}  {'req/s':<22}{'p50 ms':<22}{'p99 ms':<22}{'SQL/req':<20}"
        f"{'errors':>7}{'sup MB':>8}{'worker MB':>10}{'bytes':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.scenario:<9}{row.server:<13}{len(row.rounds):>4}  {row.cell('rps'):<22}{row.cell('p50'):<22}"
            f"{row.cell('p99'):<22}{row.cell('sql_per_request'):<20}{sum(r.errors for r in row.rounds):>7}"
            f"{_mb(row.peak('supervisor')):>8}{_mb(row.peak('worker')):>10}{row.rounds[0].response_bytes:>8}"
        )
    lines.append(
        "each cell: median [min-max] over the rounds; errors: summed; sup MB / worker MB: the peak RSS of the "
        "supervisor and of the largest worker (Node: its one process), highest over the rounds"
    )
    return lines


def _ratios(by: Rows) -> list[str]:
    lines = []
    for (name, server), row in by.items():
        for ref in ("postgraphile", "floor"):
            other = by.get((name, ref))
            if server != "portal" or other is None:
                continue
            if name == "S4":
                times = ratio(row.median("acknowledged_rps"), other.median("acknowledged_rps"))
                lines.append(f"{name} portal/{ref}: acknowledged submissions per second x{times:.2f}")
                continue
            lines.append(
                f"{name} portal/{ref}: throughput x{ratio(row.median('rps'), other.median('rps')):.2f}, "
                f"p50 x{ratio(row.median('p50'), other.median('p50')):.2f}, "
                f"p99 x{ratio(row.median('p99'), other.median('p99')):.2f}"
            )
    return lines


def _per_object(by: Rows, objects: dict[tuple[str, str], int]) -> tuple[list[str], dict[str, float]]:
    """Time per returned object in S2 and S2b, and by server how it grows from 10 to 50 plans (the
    larger growth of latency and CPU)."""
    lines = [
        "time per returned object, S2 (10 plans) and S2b (50 plans), from the medians; objects: the JSON "
        "objects with an id in the probe's answer; latency: p50 / objects; CPU: cores x 1 s / (req/s x objects)"
    ]
    growth: dict[str, float] = {}
    cores = os.cpu_count() or 1
    for server in ("portal", "postgraphile"):
        pair = [(by.get((name, server)), objects.get((name, server), 0)) for name in ("S2", "S2b")]
        if any(row is None or not n for row, n in pair):
            continue
        latency = [ratio(row.median("p50"), n) for row, n in pair if row]
        cpu = [ratio(1000 * cores, (row.median("rps") or 0) * n) for row, n in pair if row]
        latency_growth, cpu_growth = ratio(latency[1], latency[0]), ratio(cpu[1], cpu[0])
        growth[server] = math.nan if math.isnan(latency_growth + cpu_growth) else max(latency_growth, cpu_growth)
        lines.append(
            f"  {server}: {pair[0][1]} and {pair[1][1]} objects; latency {latency[0]:.3f} -> {latency[1]:.3f} ms "
            f"per object (x{latency_growth:.2f}); CPU {cpu[0]:.3f} -> {cpu[1]:.3f} ms per object (x{cpu_growth:.2f})"
        )
    return (lines if growth else []), growth


def _writes(by: Rows) -> list[str]:
    lines = []
    for server in ("portal", "postgraphile"):
        row = by.get(("S4", server))
        if row is None or not all("acknowledged" in r.extra for r in row.rounds):
            continue
        requests = sum(r.requests for r in row.rounds)
        acknowledged = sum(r.extra["acknowledged"] for r in row.rounds)
        stored = sum(r.extra["stored"] for r in row.rounds)
        per_write = ratio(sum((r.sql_per_request or 0) * r.requests for r in row.rounds), acknowledged)
        lines.append(
            f"S4 {server}: acknowledged {row.cell('acknowledged_rps')} per second; {acknowledged} of {requests} "
            f"requests acknowledged, {stored} stored; {per_write:.2f} SQL statements per acknowledged write"
        )
    return lines


def _memory(rows: list[Row]) -> tuple[list[str], tuple[float, str]]:
    """Each process's peak by scenario and server, and the portal's largest worker peak with where."""
    lines = ["memory: peak RSS of each process over the rounds, MB (pid)"]
    worst, seen = (0.0, ""), set()
    for row in rows:
        # S5's rows of one run share its sampling of the portal: the calm mix, then the hostile one.
        mix = "calm" if "calm" in row.server else "hostile"
        label = f"S5 portal, {mix} mix" if row.scenario == "S5" else f"{row.scenario} {row.server}"
        if label in seen:
            continue
        seen.add(label)
        lines.append(f"  {label}: " + ", ".join(f"{role} {mb:.0f} ({pid})" for pid, (role, mb) in row.peaks().items()))
        if row.server == "portal" or row.scenario == "S5":
            worst = max(worst, (row.peak("worker"), label))
    return lines, worst


def _goals(by: Rows, growth: dict[str, float], worst: tuple[float, str]) -> list[str]:
    """Goals 2 to 5 of issue #14, met or not (the first, the total time, is known only at the end)."""
    lines = []
    s2, s2_peer = by.get(("S2", "portal")), by.get(("S2", "postgraphile"))
    if s2 and s2_peer:
        times = ratio(s2.median("rps"), s2_peer.median("rps"))
        p99, p99_peer = s2.median("p99"), s2_peer.median("p99")
        lines.append(
            f"  2. S2 >= 2x PostGraphile, p99 no worse: x{times:.2f}, p99 {p99 or math.nan:.0f} vs "
            f"{p99_peer or math.nan:.0f} ms: {_verdict(times >= 2 and ratio(p99, p99_peer) <= 1)}"
        )
    if "portal" in growth:
        lines.append(
            f"  2. S2b time per object flat or falling from 10 to 50 plans (at most x{FLAT:.2f}, the larger of "
            f"latency and CPU): x{growth['portal']:.2f}: {_verdict(growth['portal'] <= FLAT)}"
        )
    s3, s3_floor = by.get(("S3", "portal")), by.get(("S3", "floor"))
    if s3 and s3_floor:
        times = ratio(s3.median("rps"), s3_floor.median("rps"))
        lines.append(f"  3. S3 >= 0.25x the floor (its own HTML): x{times:.2f}: {_verdict(times >= 0.25)}")
    s4, s4_peer = by.get(("S4", "portal")), by.get(("S4", "postgraphile"))
    if s4 and s4_peer:
        acknowledged = s4.median("acknowledged_rps") or 0.0
        times = ratio(acknowledged, s4_peer.median("acknowledged_rps"))
        sql = s4.median("sql_per_request") or math.nan
        lines.append(
            f"  4. S4 >= 1.0x its peer: x{times:.2f}: {_verdict(times >= 1)}; >= 300 acknowledged/s: "
            f"{acknowledged:.0f}: {_verdict(acknowledged >= 300)}; <= 5 SQL per write: {sql:.2f}: {_verdict(sql <= 5)}"
        )
    if worst[1]:
        lines.append(
            f"  5. <= {WORKER_GOAL_MB} MB peak RSS per worker in every scenario: largest {worst[0]:.0f} MB "
            f"({worst[1]}): {_verdict(worst[0] <= WORKER_GOAL_MB)}"
        )
    return lines


def report(
    rows: list[Row], notes: list[str], objects: dict[tuple[str, str], int], *, rounds: int, duration: int
) -> tuple[str, list[str]]:
    """The report's text, and the lines of the goals: a heading, then goals 2 to 5."""
    by = {(r.scenario, r.server): r for r in rows}
    per_object, growth = _per_object(by, objects)
    memory, worst = _memory(rows)
    sections = [_table(rows), _ratios(by), per_object + _writes(by), memory, [f"note: {n}" for n in notes]]
    text = "\n\n".join("\n".join(section) for section in sections if section)
    heading = f"goals of issue #14 (medians of {rounds} interleaved rounds of {duration} s):"
    return text, [heading, *_goals(by, growth, worst)]
