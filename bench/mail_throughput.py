"""Mails sent per second by the sender (backend/mail/sender.py) against a local aiosmtpd server.

Run by the lead on a quiet machine: `.venv/bin/python bench/mail_throughput.py [--mails 5000]`. It makes a
scratch SQLite database (or uses DATABASE_URL when it points at PostgreSQL: a fresh database there),
queues the mails as the notifications do (one outbox row each, accounts with confirmed addresses, as
many accounts as a national rollout's active subscribers in a day's burst), starts the development mail
server on a free port and times the sender draining the outbox in batches.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def _wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError("the mail server did not start")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--accounts", type=int, default=1000)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="mailbench_")
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"mailbench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        os.environ["DATABASE_URL"] = make_url(base).set(database=name).render_as_string(hide_password=False)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.db"
    os.environ["ENVIRONMENT"] = "test"

    from alembic import command
    from alembic.config import Config

    from backend import clock
    from backend.db import get_async_engine, new_session, reset_engines
    from backend.mail import queue_notification_mail, sender
    from backend.mail.devserver import free_port
    from backend.models import Account, ActorKind, MailAddress, pk
    from backend.settings import get_settings

    reset_engines()
    command.upgrade(Config(str(Path(__file__).resolve().parent.parent / "alembic.ini")), "head")
    # The mail server in a process of its own, as `make run` starts it (in this one it would share the GIL).
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "backend.mail.devserver", "--port", str(port), "--directory", f"{scratch}/mail"],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
    )
    await _wait_for_port(port)
    settings = get_settings()
    settings.smtp_url = f"smtp://127.0.0.1:{port}"
    settings.base_url = "https://helhedsplan-portalen.dk"

    async with new_session() as s:
        accounts = [
            Account(issuer="bench", subject=f"b{n}", kind=ActorKind.RESIDENT, display_name="B", language="da")
            for n in range(args.accounts)
        ]
        s.add_all(accounts)
        await s.flush()
        for a in accounts:
            s.add(MailAddress(account_id=pk(a), address=f"b{a.id}@example.org", confirmed_at=clock.now()))
        for n in range(args.mails):
            await queue_notification_mail(
                s,
                account_id=accounts[n % len(accounts)].id or 0,
                kind="INPUT_ANSWERED",
                subject="Dit input er besvaret",
                sentence="Dit input til følgegruppen er blevet besvaret.",
                link_path="/min-side",
            )
        await s.commit()

    started = time.perf_counter()
    sent = 0
    while True:
        n = await sender.send_due()
        if n == 0:
            break
        sent += n
    elapsed = time.perf_counter() - started
    server.terminate()
    server.wait()
    await get_async_engine().dispose()
    dialect = "postgresql" if base.startswith("postgres") else "sqlite"
    if base.startswith("postgres"):
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(
        f"mail sender ({dialect}, aiosmtpd on loopback): {sent} mails in {elapsed:.1f} s = {sent / elapsed:.0f} mails/s"
    )


if __name__ == "__main__":
    asyncio.run(main())
