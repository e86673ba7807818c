"""The sender: takes due rows from the outbox and hands them to the SMTP server (SMTP_URL) with aiosmtplib.

Runs in the server processes (started by the app's lifespan). A row is claimed in a short transaction
(on PostgreSQL with FOR UPDATE SKIP LOCKED, so two workers never take the same row; on SQLite one process
sends, chosen by a file lock) by moving its next_attempt_at a lease ahead; then sent; then marked sent.
A sender that dies between sending and marking leaves the row to come back after the lease: it is sent
again with the same Message-ID (at least once, never as a different mail). A refusal for good (5xx)
marks the row failed; anything else backs off and tries again, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import clock
from backend.db import new_session
from backend.mail.compose import CONFIRM_KIND, digest_subject, mail_for
from backend.models import Account, MailAddress, MailDigestItem, MailStatus, OutboxMail, pk
from backend.settings import get_settings

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claimed row comes back after this when its sender died before marking it
MAX_ATTEMPTS = 8
BATCH = 50
MARK_EVERY = 10  # sent rows are marked in groups of this many
CONNECTIONS = 4  # SMTP connections a sender uses side by side
DIGEST_LINES = 200  # a digest longer than this goes as several mails
KEEP_SENT = timedelta(days=30)  # sent and dropped rows are pruned after this; failed ones after KEEP_FAILED
KEEP_FAILED = timedelta(days=90)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the attempts so far: 30 s, 1 min, 2 min, ... at most 6 hours."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=6))


@dataclass(frozen=True)
class SmtpTarget:
    hostname: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://host:port or smtps://user:password@host:port")
        use_tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if use_tls else 25),
            use_tls=use_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            use_tls=self.use_tls,
            username=self.username,
            password=self.password,
            timeout=30,
        )


@dataclass
class Claimed:
    row: OutboxMail
    to: str


def _is_sqlite() -> bool:
    return get_settings().is_sqlite


async def claim(session: AsyncSession, *, now: datetime, batch: int = BATCH, lease: timedelta = LEASE) -> list[Claimed]:
    """Take up to `batch` due rows for this sender (committed: another sender skips them until the lease
    ends). Rows whose address is gone or whose mail is off are dropped here, unsent."""
    query = (
        select(OutboxMail)
        .where(col(OutboxMail.status) == MailStatus.PENDING, col(OutboxMail.next_attempt_at) <= now)
        .order_by(col(OutboxMail.next_attempt_at), col(OutboxMail.id))
        .limit(batch)
    )
    if not _is_sqlite():
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.execute(query)).scalars())
    if not rows:
        await session.commit()
        return []
    addresses = {
        a.account_id: a
        for a in (
            await session.execute(
                select(MailAddress).where(col(MailAddress.account_id).in_({r.account_id for r in rows}))
            )
        ).scalars()
    }
    claimed = []
    for row in rows:
        address = addresses.get(row.account_id)
        if row.kind == CONFIRM_KIND:  # the opt-in mail goes to the address before it is confirmed
            usable = address is not None and address.confirmed_at is None and address.token_hash is not None
        else:
            usable = address is not None and address.confirmed_at is not None and address.mail_on
        if address is None or not usable:
            row.status, row.lines = MailStatus.DROPPED, []
            continue
        row.attempts += 1
        row.next_attempt_at = now + lease
        claimed.append(Claimed(row, address.address))
    await session.commit()
    return claimed


async def _finish(row_id: int, **values: object) -> None:
    async with new_session() as session:
        await session.execute(update(OutboxMail).where(col(OutboxMail.id) == row_id).values(**values))
        await session.commit()


async def _mark_sent(rows: list[OutboxMail]) -> None:
    """Mark rows sent, in one statement (a commit per mail would cost more than sending it)."""
    if not rows:
        return
    async with new_session() as session:
        ids = [pk(r) for r in rows]
        await session.execute(
            update(OutboxMail)
            .where(col(OutboxMail.id).in_(ids))
            .values(status=MailStatus.SENT, sent_at=clock.now(), last_error=None)
        )
        # The opt-in mail's link holds the token: not kept once it went.
        confirmations = [pk(r) for r in rows if r.kind == CONFIRM_KIND]
        if confirmations:
            await session.execute(update(OutboxMail).where(col(OutboxMail.id).in_(confirmations)).values(lines=[]))
        await session.commit()
    rows.clear()


async def _retry_later(row: OutboxMail, error: str) -> None:
    if row.attempts >= MAX_ATTEMPTS:
        await _finish(pk(row), status=MailStatus.FAILED, last_error=error[:200])
    else:
        await _finish(pk(row), next_attempt_at=clock.now() + backoff(row.attempts), last_error=error[:200])


def _refusal(exc: Exception) -> tuple[int | None, str]:
    """The SMTP reply code of a refusal and a short description without addresses."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        return exc.recipients[0].code, f"recipient refused: {exc.recipients[0].code}"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code, f"{type(exc).__name__}: {exc.code}"
    return None, type(exc).__name__


async def deliver(batch: Sequence[Claimed]) -> int:
    """Send the claimed rows over up to CONNECTIONS SMTP connections side by side (an SMTP transaction is
    several round trips: one connection at a time mostly waits). Returns how many went."""
    slices = [list(batch[i::CONNECTIONS]) for i in range(min(CONNECTIONS, len(batch)))]
    return sum(await asyncio.gather(*(_deliver_over_one_connection(s) for s in slices)))


async def _deliver_over_one_connection(batch: Sequence[Claimed]) -> int:
    """Send rows over one SMTP connection. Returns how many went.

    Sent rows are marked every MARK_EVERY mails and at the end: a sender that dies in between sends at most
    those again, with their own Message-IDs, after the lease."""
    if not batch:
        return 0
    sent = 0
    target = SmtpTarget.parse(get_settings().smtp_url)
    pending = list(batch)
    went: list[OutboxMail] = []
    try:
        async with target.client() as smtp:
            while pending:
                item = pending[0]
                try:
                    await smtp.send_message(mail_for(item.row, item.to))
                except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as exc:
                    code, error = _refusal(exc)
                    if code is not None and 500 <= code < 600:
                        await _finish(pk(item.row), status=MailStatus.FAILED, last_error=error)
                    else:
                        await _retry_later(item.row, error)
                    pending.pop(0)
                    continue
                went.append(pending.pop(0).row)
                sent += 1
                if len(went) >= MARK_EVERY:
                    await _mark_sent(went)
    except (OSError, aiosmtplib.SMTPException) as exc:
        # The server is away (or went away): the rest of the batch tries again later.
        _code, error = _refusal(exc)
        log.warning("the mail server could not be reached (%s); %d mails wait", error, len(pending))
        for item in pending:
            await _retry_later(item.row, error)
    finally:
        await _mark_sent(went)
    return sent


def digest_cut(now: datetime, hour: int) -> datetime:
    """The latest digest moment not after `now`: today's digest hour in Copenhagen, or yesterday's."""
    local = now.astimezone(clock.LOCAL_TZ)
    cut = clock.start_of_day(local.date()).replace(hour=hour)
    return cut if cut <= local else clock.start_of_day(local.date() - timedelta(days=1)).replace(hour=hour)


async def make_digests(session: AsyncSession, *, now: datetime) -> int:
    """Turn the digest items written before the last digest moment into one mail per account (committed)."""
    cut = digest_cut(now, get_settings().mail_digest_hour)
    query = (
        select(MailDigestItem)
        .where(col(MailDigestItem.created_at) < cut)
        .order_by(col(MailDigestItem.account_id), col(MailDigestItem.id))
    )
    if not _is_sqlite():
        query = query.with_for_update(skip_locked=True)
    items = list((await session.execute(query)).scalars())
    if not items:
        await session.commit()
        return 0
    by_account: dict[int, list[MailDigestItem]] = {}
    for item in items:
        by_account.setdefault(item.account_id, []).append(item)
    found = await session.execute(
        select(col(Account.id), col(Account.language)).where(col(Account.id).in_(list(by_account)))
    )
    languages = {account_id: code for account_id, code in found.all()}
    made = 0
    for account_id, account_items in by_account.items():
        code = languages.get(account_id) or "da"
        for start in range(0, len(account_items), DIGEST_LINES):
            chunk = account_items[start : start + DIGEST_LINES]
            session.add(
                OutboxMail(
                    account_id=account_id,
                    kind="DIGEST",
                    language=code,
                    subject=digest_subject(code, now)[:300],
                    lines=[{"text": i.text, "link": i.link} for i in chunk],
                )
            )
            made += 1
    await session.execute(delete(MailDigestItem).where(col(MailDigestItem.id).in_([pk(i) for i in items])))
    await session.commit()
    return made


async def prune(session: AsyncSession, *, now: datetime) -> None:
    await session.execute(
        delete(OutboxMail).where(
            col(OutboxMail.status).in_([MailStatus.SENT, MailStatus.DROPPED]),
            col(OutboxMail.created_at) < now - KEEP_SENT,
        )
    )
    await session.execute(
        delete(OutboxMail).where(
            col(OutboxMail.status) == MailStatus.FAILED, col(OutboxMail.created_at) < now - KEEP_FAILED
        )
    )
    await session.commit()


async def send_due(*, batch: int = BATCH, lease: timedelta = LEASE) -> int:
    """One round: claim due rows and send them. Returns how many were sent."""
    async with new_session() as session:
        claimed = await claim(session, now=clock.now(), batch=batch, lease=lease)
    return await deliver(claimed)


class Sender:
    """The loop in a server process: digests when due, then due mail, then a short sleep when idle."""

    def __init__(self, *, idle: float = 1.0, batch: int = BATCH, lease: timedelta = LEASE) -> None:
        self.idle, self.batch, self.lease = idle, batch, lease
        self._last_housekeeping: datetime | None = None

    async def _housekeeping(self) -> None:
        now = clock.now()
        if self._last_housekeeping is not None and now - self._last_housekeeping < timedelta(minutes=1):
            return
        async with new_session() as session:
            await make_digests(session, now=now)
        if self._last_housekeeping is None or now.minute == 0:
            async with new_session() as session:
                await prune(session, now=now)
        self._last_housekeeping = now

    async def run(self) -> None:
        delay = self.idle
        while True:
            try:
                await self._housekeeping()
                sent = await send_due(batch=self.batch, lease=self.lease)
                delay = self.idle
                if sent >= self.batch:
                    continue  # more may be due: no sleep
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away (restarting): try again with a backoff, lose nothing
                log.warning("the mail sender could not reach the database; it tries again", exc_info=True)
                delay = min(delay * 2, 10.0)
            await asyncio.sleep(delay)


class _State:
    task: asyncio.Task[None] | None = None
    lock: IO[str] | None = None


def _take_sqlite_lock() -> bool:
    """On SQLite one process sends: the one holding the lock file beside the database (freed when it dies)."""
    if _State.lock is not None:
        return True
    db_path = get_settings().sync_database_url.split(":///", 1)[-1]
    lock_path = Path(db_path + ".mail-sender.lock") if db_path and db_path != ":memory:" else None
    if lock_path is None:
        return True
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    _State.lock = handle
    return True


def start() -> None:
    """Start this process's sender in the running event loop, when the settings say so (idempotent)."""
    if not get_settings().mail_sender or (_State.task is not None and not _State.task.done()):
        return
    if _is_sqlite() and not _take_sqlite_lock():
        return
    _State.task = asyncio.get_running_loop().create_task(Sender().run(), name="helhedsplan-mail-sender")


async def stop() -> None:
    task, _State.task = _State.task, None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if _State.lock is not None:
        _State.lock.close()
        _State.lock = None


def main() -> None:
    """`python -m backend.mail.sender`: the sender on its own (the fault tests kill and restart it)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--lease", type=float, default=LEASE.total_seconds(), help="seconds")
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sender = Sender(idle=0.2, batch=args.batch, lease=timedelta(seconds=args.lease))
    asyncio.run(sender.run())


if __name__ == "__main__":
    main()
