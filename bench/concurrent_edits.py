"""Concurrent edits of one activity through a served portal: is any edit lost silently?

    .venv/bin/python -m bench.concurrent_edits                   # the embedded default (SQLite)
    .venv/bin/python -m bench.concurrent_edits --postgres        # PostgreSQL (DATABASE_URL's server,
                                                                 #  default 127.0.0.1:5432)

A fresh database (migrations and the demo data: a temporary SQLite file, or a database of its own on
the PostgreSQL server, dropped afterwards), the portal served by uvicorn on it, and a housing staff
member of the demo signed in (a web session cookie). Then 400 `activityUpdate`s of one activity, 16 at
a time, in two rounds:

1. **with expectedVersion**: each edit first reads the activity's version and sends it back; an edit
   whose version has moved on must be answered CONFLICT, and nothing of it stored;
2. **without**: last write wins, as before versions; every edit is stored and counts up.

For each round it prints the edits sent, acknowledged, conflicts, other answers, and the payloads that
show their own write (the description the request sent, at a version it made): that must be every
acknowledged one. Afterwards it checks the database: the version counted every acknowledged edit, and
the audit log holds exactly one event per acknowledged edit. Exit status 1 when a check fails.
Not part of `make test` (it serves the app and takes about a minute); the lead runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.procs import Server, free_port, portal_command

ROOT = Path(__file__).resolve().parent.parent
EDITS = 400
AT_A_TIME = 16
STAFF_SUBJECT = "fsb-medarbejder"  # a housing organisation's staff member of the demo data

READ = "query($id: ID!) { node(id: $id) { ... on Activity { version } } }"
UPDATE = """mutation($input: ActivityUpdateInput!) { activityUpdate(input: $input) {
  activity { description version } errors { code conflict { currentVersion changedBy } } } }"""


@dataclass
class Round:
    name: str
    sent: int = 0
    acknowledged: int = 0
    conflicts: int = 0
    own_write: int = 0
    other: list[str] = field(default_factory=list)
    versions: set[int] = field(default_factory=set)


def prepare_database(url: str) -> None:
    """Migrations and the demo data, as `backend.cli migrate` and `load-demo` do."""
    os.environ["DATABASE_URL"] = url
    from backend import cli, db

    db.reset_engines()
    cli.migrate()
    cli.load_demo(force=True)


async def staff_cookie_and_activity() -> tuple[str, int, int]:
    """A web session of the staff member, one activity of their plans, and its version now."""
    from sqlalchemy import select
    from sqlmodel import col

    from auth import sessions
    from backend.actor import load_actor
    from backend.db import get_async_engine, new_session
    from backend.models import Account, Activity

    async with new_session() as s:
        account = (await s.execute(select(Account).where(col(Account.subject) == STAFF_SUBJECT))).scalar_one()
        actor = await load_actor(s, account)
        activity = (
            (
                await s.execute(
                    select(Activity).where(col(Activity.plan_id).in_(sorted(actor.plan_ids))).order_by(col(Activity.id))
                )
            )
            .scalars()
            .first()
        )
        if activity is None or activity.id is None:
            raise RuntimeError(f"{STAFF_SUBJECT} has no activity in the demo data")
        raw = await sessions.create(s, account_id=account.id, data={}, lifetime=timedelta(hours=1))
        await s.commit()
    await get_async_engine().dispose()
    return raw, activity.id, activity.version


async def run_round(client: httpx.AsyncClient, name: str, activity_gid: str, *, expected: bool) -> Round:
    result = Round(name)
    numbers = iter(range(EDITS))

    async def post(query: str, variables: dict) -> dict:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return body["data"]

    async def editor() -> None:
        for n in numbers:
            description = f"{name}: edit {n} ({uuid.uuid4().hex[:8]})"
            given: dict = {"activityId": activity_gid, "description": description}
            if expected:
                given["expectedVersion"] = (await post(READ, {"id": activity_gid}))["node"]["version"]
            result.sent += 1
            try:
                payload = (await post(UPDATE, {"input": given}))["activityUpdate"]
            except (httpx.HTTPError, RuntimeError) as error:
                result.other.append(f"{type(error).__name__}: {str(error)[:200]}")
                continue
            if payload["errors"]:
                codes = [e["code"] for e in payload["errors"]]
                if codes == ["CONFLICT"]:
                    result.conflicts += 1
                else:
                    result.other.append(",".join(codes))
                continue
            result.acknowledged += 1
            written = payload["activity"]
            result.versions.add(written["version"])
            made_it = not expected or written["version"] == given["expectedVersion"] + 1
            if written["description"] == description and made_it:
                result.own_write += 1

    await asyncio.gather(*(editor() for _ in range(AT_A_TIME)))
    return result


def stored_state(url: str, activity_id: int) -> tuple[int, int]:
    """The activity's version and the number of its update events in the audit log."""
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version FROM activity WHERE id = :id"), {"id": activity_id}).scalar_one()
        events = conn.execute(
            text(
                "SELECT count(*) FROM auditevent WHERE object_type = 'Activity' AND object_id = :id "
                "AND action = 'activity.update'"
            ),
            {"id": activity_id},
        ).scalar_one()
    engine.dispose()
    return int(version), int(events)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of the embedded SQLite")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    args = parser.parse_args(argv)

    scratch = tempfile.mkdtemp(prefix="hp_edits_")
    admin_url = None
    if args.postgres:
        base = make_url(os.environ.get("DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        name = f"hp_edits_{uuid.uuid4().hex[:10]}"
        admin_url = base.set(drivername="postgresql+psycopg")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{scratch}/helhedsplan.db"
    server = None
    try:
        prepare_database(url)
        cookie, activity_id, start_version = asyncio.run(staff_cookie_and_activity())
        from auth.sessions import SESSION_COOKIE
        from schema.ids import encode

        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "development", "LOAD_DEMO_DATA": "false"}
        server = Server.start(
            "portal",
            portal_command(port, args.workers),
            cwd=ROOT,
            env=env,
            ready_url=f"http://127.0.0.1:{port}/readyz",
        )

        async def both_rounds() -> list[Round]:
            limits = httpx.Limits(max_connections=AT_A_TIME)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", cookies={SESSION_COOKIE: cookie}, limits=limits, timeout=60
            ) as client:
                activity_gid = encode("Activity", activity_id)
                return [
                    await run_round(client, "with expectedVersion", activity_gid, expected=True),
                    await run_round(client, "without expectedVersion", activity_gid, expected=False),
                ]

        rounds = asyncio.run(both_rounds())
        database = "PostgreSQL" if args.postgres else "SQLite (embedded default)"
        print(f"\n{EDITS} activityUpdate, {AT_A_TIME} at a time, {args.workers} workers, {database}\n")
        print(f"{'round':<26}{'sent':>6}{'acknowledged':>14}{'conflicts':>11}{'other':>7}{'own write':>11}")
        for r in rounds:
            print(f"{r.name:<26}{r.sent:>6}{r.acknowledged:>14}{r.conflicts:>11}{len(r.other):>7}{r.own_write:>11}")
        for r in rounds:
            for line in r.other[:5]:
                print(f"  {r.name}: {line}")
        acknowledged = sum(r.acknowledged for r in rounds)
        version, events = stored_state(url, activity_id)
        print(f"\nversion {start_version} -> {version} (+{version - start_version}); audit events {events}")
        checks = {
            "every acknowledged payload shows its own write": all(r.own_write == r.acknowledged for r in rounds),
            "no two acknowledged edits made the same version": all(len(r.versions) == r.acknowledged for r in rounds),
            "every edit acknowledged or answered CONFLICT": all(
                not r.other and r.acknowledged + r.conflicts == r.sent for r in rounds
            ),
            "the version counted every acknowledged edit": version - start_version == acknowledged,
            "one audit event per acknowledged edit": events == acknowledged,
        }
        for check, ok in checks.items():
            print(f"{'ok  ' if ok else 'FAIL'} {check}")
        if not all(checks.values()):
            print("\nthe portal's log, last lines with an error:")
            print("\n".join([line for line in server.log if "rror" in line or "File" in line or "SQL" in line][-30:]))
        return 0 if all(checks.values()) else 1
    finally:
        if server is not None:
            server.stop()
        from backend import db

        db.reset_engines()
        if admin_url is not None:
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
            admin.dispose()
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
