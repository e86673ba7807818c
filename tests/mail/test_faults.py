"""Faults: the sender killed in the middle of a batch and restarted, and PostgreSQL dropping its
connections, lose no mail, and a mail that arrives twice arrives with the same Message-ID."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlmodel import col

from backend import clock
from backend.db import new_session
from backend.mail import queue_notification_mail
from backend.mail.compose import message_id
from backend.models import MailAddress, MailStatus, OutboxMail
from tests.services.world import build_world

ROOT = Path(__file__).resolve().parents[2]
MAILS = 30


async def _queue_many(account_id: int) -> None:
    async with new_session() as s:
        s.add(MailAddress(account_id=account_id, address="fault@example.org", confirmed_at=clock.now()))
        for n in range(MAILS):
            await queue_notification_mail(
                s, account_id=account_id, kind="K", subject=f"Besked {n}", sentence="Der er nyt.", link_path="/"
            )
        await s.commit()


async def _rows(account_id: int) -> list[OutboxMail]:
    async with new_session() as s:
        query = select(OutboxMail).where(col(OutboxMail.account_id) == account_id)
        return list((await s.execute(query)).scalars())


def _start_sender(mailbox) -> subprocess.Popen:
    env = {
        **os.environ,
        "SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "BASE_URL": "https://portal.example",
        "ENVIRONMENT": "test",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "backend.mail.sender", "--lease", "2", "--batch", "10"], cwd=ROOT, env=env
    )


async def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def _all_arrived_once_each(account_id: int, mailbox) -> None:
    rows = await _rows(account_id)
    assert len(rows) == MAILS and all(r.status == MailStatus.SENT for r in rows)
    arrived = [m["Message-ID"] for m in mailbox.messages() if m["To"] == "fault@example.org"]
    assert set(arrived) == {message_id(r) for r in rows}  # every mail, and no other id
    return None


async def test_a_sender_killed_mid_batch_and_restarted_loses_nothing(mailbox):
    w = await build_world()
    account_id = w.accounts["resident"]
    await _queue_many(account_id)
    mailbox.store.delay = 0.05  # a slow server, so the kill lands in the middle of a batch
    first = _start_sender(mailbox)
    try:

        async def some_arrived() -> bool:
            return len(mailbox.messages()) >= 5

        await _wait_for(some_arrived)
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        first.kill()
    assert len(mailbox.messages()) < MAILS
    second = _start_sender(mailbox)
    try:

        async def all_sent() -> bool:
            return all(r.status == MailStatus.SENT for r in await _rows(account_id))

        await _wait_for(all_sent)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=10)
    await _all_arrived_once_each(account_id, mailbox)


async def test_postgresql_dropping_connections_loses_nothing(mailbox, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only: the server drops the sender's connections (pg_terminate_backend)")
    w = await build_world()
    account_id = w.accounts["resident"]
    await _queue_many(account_id)
    mailbox.store.delay = 0.05
    running = _start_sender(mailbox)
    try:
        for _ in range(5):  # what a restart does to the sender: every connection to the database goes
            await asyncio.sleep(0.3)
            async with new_session() as s:
                await s.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                await s.commit()

        async def all_sent() -> bool:
            return all(r.status == MailStatus.SENT for r in await _rows(account_id))

        await _wait_for(all_sent)
    finally:
        running.send_signal(signal.SIGTERM)
        running.wait(timeout=10)
    await _all_arrived_once_each(account_id, mailbox)
