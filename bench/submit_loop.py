"""Resident input submissions through the ASGI app in-process: statements per submission and submissions
per second on PostgreSQL (issue #14, goal 4). A quick check for a developer, not `make bench`.

    .venv/bin/python -m bench.submit_loop [--residents 100] [--each 8] [--concurrency 16]
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

It makes a database of its own on that server (migrations, demo data; dropped at the end), starts the
development OpenID Provider for real signed tokens, gives each resident a home in an estate of a public
plan's follow-up group, sends one warm-up submission per resident, then `each` more per resident (under
the hourly limit of 10), `concurrency` at a time, and counts the statements the app's engine ran
(SQLAlchemy's before_cursor_execute; BEGIN and COMMIT are not statements there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

SUBMIT = """mutation($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) {
  residentInput { id status createdAt } errors { code } } }"""


def _database(server_url: str) -> tuple[str, str]:
    name = f"hp_submit_loop_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop(server_url: str, name: str) -> None:
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tokens(keys_file: Path, idp_url: str, subjects: list[str]) -> list[str]:
    from joserfc import jwt
    from joserfc.jwk import ECKey, RSAKey

    from auth import devidp

    issuer = devidp.dev_config()["issuers"]["dev-borger"]
    jwk = json.loads(keys_file.read_text())["dev-borger"]
    key = (ECKey if jwk["kty"] == "EC" else RSAKey).import_key(jwk)
    head = {"alg": jwk["alg"], "typ": "at+jwt", "kid": jwk["kid"]}
    now = int(time.time())
    claims = {"iss": idp_url + issuer["path"], "aud": "urn:helhedsplan:api", "iat": now, "exp": now + 3600}
    claims |= {"client_id": issuer["client_id"], "scope": "api"}
    return [
        jwt.encode(head, {**claims, "sub": sub, "name": "Bænkebeboer", "jti": sub}, key, algorithms=[jwk["alg"]])
        for sub in subjects
    ]


async def _residents(subjects: list[str]) -> int:
    """Accounts living in an estate of a public plan's group; that group's id."""
    from sqlalchemy import select
    from sqlmodel import col

    from backend import clock, policy
    from backend.db import new_session
    from backend.models import Account, ActorKind, FollowUpGroup, FollowUpGroupEstate, Plan, Residency, pk

    async with new_session() as s:
        group_id, estate_id = (
            await s.execute(
                select(col(FollowUpGroupEstate.group_id), col(FollowUpGroupEstate.estate_id))
                .join(FollowUpGroup, col(FollowUpGroup.id) == col(FollowUpGroupEstate.group_id))
                .join(Plan, col(Plan.id) == col(FollowUpGroup.plan_id))
                .where(col(Plan.status).in_(policy.PUBLIC_PLAN_STATUSES))
                .order_by(col(FollowUpGroupEstate.group_id))
                .limit(1)
            )
        ).one()
        accounts = [
            Account(issuer="dev-borger", subject=sub, kind=ActorKind.RESIDENT, display_name="B") for sub in subjects
        ]
        s.add_all(accounts)
        await s.flush()
        since = clock.today() - timedelta(days=30)
        s.add_all(Residency(account_id=pk(a), estate_id=estate_id, since=since, confirmed_by="STAFF") for a in accounts)
        await s.commit()
    return group_id


async def _run(args: argparse.Namespace, idp_url: str, keys_file: Path) -> None:
    import httpx

    from backend import changes, listener
    from backend.app import create_app
    from backend.db import get_async_engine
    from schema.ids import encode

    subjects = [f"loop-{i}-{uuid.uuid4().hex[:6]}" for i in range(args.residents)]
    group = encode("FollowUpGroup", await _residents(subjects))
    tokens = _tokens(keys_file, idp_url, subjects)
    changes.ensure_listening()
    await listener.wait_connected()
    gate = asyncio.Semaphore(args.concurrency)
    failures: list[object] = []

    async def submit(client: httpx.AsyncClient, token: str, title: str) -> None:
        async with gate:
            variables = {"input": {"groupId": group, "title": title, "body": "Flere bænke ved legepladsen."}}
            response = await client.post(
                "/graphql", json={"query": SUBMIT, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
            )
            payload = (
                response.json().get("data", {}).get("residentInputSubmit") if response.status_code == 200 else None
            )
            if not payload or payload["errors"]:
                failures.append(response.text[:200])

    statements: list[str] = []
    engine = get_async_engine().sync_engine
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://loop") as client:
        await asyncio.gather(*(submit(client, t, "Opvarmning") for t in tokens))
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        started = time.perf_counter()
        await asyncio.gather(*(submit(client, t, f"Bænk {n}") for n in range(args.each) for t in tokens))
        elapsed = time.perf_counter() - started
    total = args.each * len(tokens)
    print(f"{total} submissions, {args.concurrency} at a time, in {elapsed:.2f} s: {total / elapsed:.0f}/s")
    print(f"statements per submission: {len(statements) / total:.2f} ({len(statements)} in all)")
    print(f"refused or failed: {len(failures)}" + (f", e.g. {failures[0]}" if failures else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument("--each", type=int, default=8, help="submissions per resident after the warm-up (<= 9)")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    name, url = _database(args.url)
    keys_file = Path(tempfile.mkdtemp(prefix="submit-loop-")) / "keys.json"
    os.environ |= {"DATABASE_URL": url, "ENVIRONMENT": "test", "MAIL_SENDER": "false"}
    from alembic import command
    from alembic.config import Config

    from auth import devidp
    from auth.issuers import reset_issuers
    from backend import demo
    from backend.settings import ROOT

    idp = devidp.start(0, keys_file=keys_file)
    try:
        os.environ["DEV_IDP_URL"] = idp.url
        reset_issuers()
        command.upgrade(Config(str(ROOT / "alembic.ini"), attributes={"configure_logger": False}), "head")
        demo.load_if_empty()
        asyncio.run(_run(args, idp.url, keys_file))
    finally:
        idp.stop()
        _drop(args.url, name)


if __name__ == "__main__":
    main()
