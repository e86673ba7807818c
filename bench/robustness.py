"""Robustness checks at the end of `make bench`, on the benchmark's own PostgreSQL cluster.

1. Restart under load: residents keep submitting inputs while PostgreSQL is restarted. Every
   submission the portal acknowledged (HTTP 200, an id, no errors) must be in the database
   afterwards, and the portal must answer again by itself, without being restarted.
2. SIGTERM: requests in flight when the portal is told to stop are answered before it exits.

This client is Python on purpose: it checks outcomes, it does not measure throughput.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import threading
import time
from pathlib import Path
from typing import TypedDict

import httpx

WRITERS = 8
DURATION = 16.0
RESTART_AT = 4.0


class _Restart(TypedDict):
    start: float | None  # seconds into the load
    end: float | None
    error: str | None


async def _load_with_restart(url: str, tokens: list[tuple[str, str]], pg, say) -> dict:
    from bench.scenarios import SUBMIT

    acknowledged: list[str] = []
    failures: list[tuple[float, str]] = []
    successes_at: list[float] = []
    restart: _Restart = {"start": None, "end": None, "error": None}
    started = time.monotonic()
    counter = 0

    def do_restart() -> None:
        restart["start"] = time.monotonic() - started
        try:
            pg.restart("fast")
        except Exception as exc:
            restart["error"] = str(exc)
        restart["end"] = time.monotonic() - started

    async def writer(n: int, client: httpx.AsyncClient) -> None:
        nonlocal counter
        while time.monotonic() - started < DURATION:
            counter += 1
            bearer, group = tokens[counter % len(tokens)]
            body = {
                "query": SUBMIT,
                "variables": {
                    "input": {
                        "groupId": group,
                        "title": f"Genstartstest {n}-{counter}",
                        "body": f"Input {n}-{counter} skrevet mens databasen genstartes.",
                    }
                },
            }
            at = time.monotonic() - started
            try:
                response = await client.post("/graphql", json=body, headers={"Authorization": bearer})
                payload = response.json().get("data") or {}
                result = payload.get("residentInputSubmit") or {}
                if response.status_code == 200 and not result.get("errors") and result.get("residentInput"):
                    acknowledged.append(result["residentInput"]["id"])
                    successes_at.append(at)
                else:
                    failures.append((at, f"HTTP {response.status_code}: {response.text[:160]}"))
            except (httpx.HTTPError, ValueError) as exc:
                failures.append((at, f"{type(exc).__name__}: {exc}"))
                await asyncio.sleep(0.05)

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        timer = threading.Timer(RESTART_AT, do_restart)
        timer.start()
        await asyncio.gather(*(writer(n, client) for n in range(WRITERS)))
        timer.join()
    return {"acknowledged": acknowledged, "failures": failures, "successes_at": successes_at, "restart": restart}


def restart_under_load(*, portal_url: str, pg, db, auth, say) -> bool:
    from bench.scenarios import RESIDENT_ACCOUNTS
    from bench.tokens import mint_like
    from schema import ids

    template = auth.bearer(RESIDENT_ACCOUNTS[0])
    if template is None or auth.keys_file is None:
        say(f"restart test skipped: {auth.unavailable}")
        return True
    rows = db.rows(
        "SELECT a.subject, a.display_name, MIN(g.group_id) FROM account a "
        "JOIN residency r ON r.account_id = a.id JOIN followupgroupestate g ON g.estate_id = r.estate_id "
        "WHERE a.subject LIKE 'gen-beboer-%%' AND r.until IS NULL GROUP BY a.id ORDER BY a.id DESC LIMIT 800"
    )
    bearers = mint_like(template, auth.keys_file, "dev-borger", [(r[0], r[1]) for r in rows])
    tokens = [(b, ids.encode("FollowUpGroup", r[2])) for b, r in zip(bearers, rows, strict=True)]
    say(f"restart under load: {WRITERS} writers for {DURATION:.0f} s, PostgreSQL restarted after {RESTART_AT:.0f} s")
    out = asyncio.run(_load_with_restart(portal_url, tokens, pg, say))
    pks = [ids.decode(gid, "ResidentInput")[1] for gid in out["acknowledged"]]
    found = set()
    for i in range(0, len(pks), 1000):
        chunk = pks[i : i + 1000]
        found |= {r[0] for r in db.rows("SELECT id FROM residentinput WHERE id = ANY(%s)", (chunk,))}
    lost = sorted(set(pks) - found)
    restart = out["restart"]
    after = [t for t in out["successes_at"] if restart["end"] and t >= restart["end"]]
    recovered_in = (min(after) - restart["end"]) if after else None
    late_failures = [f for f in out["failures"] if restart["end"] and f[0] > restart["end"] + 5]
    say(
        f"  acknowledged {len(pks)}, found in the database {len(found)}, lost {len(lost)}; "
        f"failed during the restart {len(out['failures'])}; restart took "
        f"{(restart['end'] or 0) - (restart['start'] or 0):.1f} s; "
        f"first success {recovered_in if recovered_in is None else round(recovered_in, 2)} s after it; "
        f"{len(after)} acknowledged after it"
    )
    if out["failures"]:
        say(f"  e.g. {out['failures'][0][1]}")
    ok = not lost and restart["error"] is None and len(after) > 0 and not late_failures and len(pks) > 0
    if late_failures:
        say(f"  still failing 5 s after the restart: {late_failures[0][1]}")
    say(f"restart under load: {'OK' if ok else 'FAILED'}")
    return ok


def _open_in_flight(port: int, body: bytes) -> socket.socket:
    """A POST whose headers are sent and whose body is not: once the server answers "100 Continue"
    the application is running and waiting for the body, i.e. the request is in flight."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Accept: application/json\r\nExpect: 100-continue\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    seen = b""
    while b"\r\n\r\n" not in seen:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("the server closed the connection before 100 Continue")
        seen += chunk
    if not seen.startswith(b"HTTP/1.1 100"):
        raise RuntimeError(f"expected 100 Continue, got {seen[:80]!r}")
    return sock


def _finish(sock: socket.socket, body: bytes) -> tuple[int, dict | None]:
    sock.sendall(body)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            None,
        )
        if length is not None and len(rest) >= length:
            break
    sock.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1") else 0
    try:
        return status, json.loads(rest)
    except ValueError:
        return status, None


def requests_in_flight_survive_sigterm(port: int, stop, shutting_down, *, count: int = 4, timeout: float = 30) -> dict:
    """Put `count` requests in flight, call `stop()` (which sends SIGTERM), wait until `shutting_down()`
    says every server process has begun its shutdown, then let the requests finish: returns their
    statuses and bodies."""
    body = json.dumps({"query": "query InFlight { partners(first: 3) { totalCount nodes { name } } }"}).encode()
    sockets = [_open_in_flight(port, body) for _ in range(count)]
    stop()
    deadline = time.monotonic() + timeout
    while not shutting_down():
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not begin to shut down after SIGTERM")
        time.sleep(0.05)
    return {"answers": [_finish(sock, body) for sock in sockets]}


def sigterm_finishes_in_flight(*, env: dict, say) -> bool:
    """A second portal (2 workers) gets SIGTERM with requests in flight; each must be answered in full."""
    import subprocess

    from bench.procs import Server, free_port, portal_command

    root = Path(__file__).resolve().parent.parent
    port = free_port()
    server = Server.start(
        "portal-sigterm",
        portal_command(port, 2, log_level="info", graceful_seconds=30),
        cwd=root,
        env=env,
        ready_url=f"http://127.0.0.1:{port}/readyz",
    )
    try:
        # uvicorn logs "Shutting down" in each worker when its graceful shutdown begins.
        out = requests_in_flight_survive_sigterm(
            port,
            lambda: server.signal(signal.SIGTERM),
            lambda: sum("Shutting down" in line for line in list(server.log)) >= 2,
            count=6,
        )
        code = server.process.wait(timeout=60)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        say(f"SIGTERM check: FAILED: {exc}")
        server.stop()
        return False
    answered = [a for a in out["answers"] if a[0] == 200 and a[1] and a[1].get("data")]
    ok = len(answered) == len(out["answers"]) and code in (0, -signal.SIGTERM)
    say(
        f"SIGTERM with {len(out['answers'])} requests in flight: {len(answered)} answered in full, "
        f"exit code {code}: {'OK' if ok else 'FAILED'}"
    )
    return ok


def run_all(*, portal_url: str, portal, pg, db, env: dict, auth, say) -> bool:
    ok = restart_under_load(portal_url=portal_url, pg=pg, db=db, auth=auth, say=say)
    ok = sigterm_finishes_in_flight(env=env, say=say) and ok
    return ok
