"""The sender against a real SMTP server (aiosmtpd): the mail as it arrives, refusals, backoff, digests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import col

from backend import clock
from backend.db import new_session
from backend.mail import queue_notification_mail, sender
from backend.mail.compose import message_id, unsubscribe_token
from backend.models import Account, MailAddress, MailDigestItem, MailStatus, OutboxMail
from backend.services.validation import utc
from tests.services.world import build_world, fetch


async def confirmed(account_id: int, address: str, *, language: str = "da") -> None:
    async with new_session() as s:
        s.add(MailAddress(account_id=account_id, address=address, confirmed_at=clock.now()))
        account = await s.get(Account, account_id)
        assert account is not None
        account.language = language
        await s.commit()


async def queue(account_id: int, sentence: str = "Dit input er besvaret.", *, digest: bool = False) -> None:
    async with new_session() as s:
        assert await queue_notification_mail(
            s,
            account_id=account_id,
            kind="INPUT_ANSWERED",
            subject="Besked",
            sentence=sentence,
            link_path="/min-side",
            digest=digest,
        )
        await s.commit()


async def rows(account_id: int) -> list[OutboxMail]:
    async with new_session() as s:
        query = select(OutboxMail).where(col(OutboxMail.account_id) == account_id).order_by(col(OutboxMail.id))
        return list((await s.execute(query)).scalars())


async def test_a_mail_arrives_with_its_parts_and_headers(mailbox):
    w = await build_world()
    resident = w.accounts["resident"]
    await confirmed(resident, "beboer@example.org", language="ar")
    await queue(resident, "Svar <b>til</b> dig & andre")
    assert await sender.send_due() == 1
    (mail,) = mailbox.messages()
    (row,) = await rows(resident)
    assert row.status == MailStatus.SENT and row.sent_at is not None and row.attempts == 1
    assert mail["To"] == "beboer@example.org" and mail["Message-ID"] == message_id(row)
    assert mail["List-Unsubscribe"].strip() == f"<https://portal.example/post/afmeld/{unsubscribe_token(resident)}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Content-Language"] == "ar"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Svar <b>til</b> dig & andre" in text and "https://portal.example/min-side" in text
    assert "Svar &lt;b&gt;til&lt;/b&gt; dig &amp; andre" in html and "<b>" not in html
    assert '<html lang="ar" dir="rtl">' in html
    assert "افتح في البوابة" in text  # the frame in the recipient's language


async def test_a_refusal_for_good_fails_the_row_and_a_passing_one_backs_off(mailbox):
    w = await build_world()
    gone, busy = w.accounts["resident"], w.accounts["other_resident"]
    await confirmed(gone, "gone@example.org")
    await confirmed(busy, "busy@example.org")
    mailbox.store.refuse = {"gone@example.org": "550 5.1.1 No such user", "busy@example.org": "451 4.3.0 Try later"}
    await queue(gone)
    await queue(busy)
    assert await sender.send_due() == 0
    (failed,) = await rows(gone)
    (later,) = await rows(busy)
    assert failed.status == MailStatus.FAILED and "550" in failed.last_error and "@" not in failed.last_error
    assert later.status == MailStatus.PENDING and later.attempts == 1
    assert utc(later.next_attempt_at) > clock.now() + timedelta(seconds=20)
    # Due again, and the server takes it now: the same row, the same Message-ID.
    mailbox.store.refuse = {}
    async with new_session() as s:
        await s.execute(update(OutboxMail).where(col(OutboxMail.id) == later.id).values(next_attempt_at=clock.now()))
        await s.commit()
    assert await sender.send_due() == 1
    (mail,) = mailbox.messages()
    assert mail["Message-ID"] == message_id(later)


async def test_an_unreachable_server_leaves_the_mail_waiting(mailbox, monkeypatch):
    from backend.mail.devserver import free_port
    from backend.settings import get_settings

    w = await build_world()
    await confirmed(w.accounts["resident"], "beboer@example.org")
    await queue(w.accounts["resident"])
    monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{free_port()}")
    assert await sender.send_due() == 0
    (row,) = await rows(w.accounts["resident"])
    assert row.status == MailStatus.PENDING and row.attempts == 1 and row.last_error


async def test_withdrawn_consent_drops_waiting_mail(mailbox):
    w = await build_world()
    resident = w.accounts["resident"]
    await confirmed(resident, "beboer@example.org")
    await queue(resident)
    async with new_session() as s:
        (await s.get(MailAddress, resident)).mail_on = False
        await s.commit()
    assert await sender.send_due() == 0
    (row,) = await rows(resident)
    assert row.status == MailStatus.DROPPED and mailbox.messages() == []


async def test_digest_items_go_as_one_mail_after_the_digest_hour(mailbox):
    w = await build_world()
    staff = w.accounts["housing"]
    await confirmed(staff, "staff@example.org", language="en")
    for n in range(3):
        await queue(staff, f"New input number {n}", digest=True)
    now = clock.now()
    cut = sender.digest_cut(now, 7)
    assert cut <= now < cut + timedelta(days=1)
    async with new_session() as s:  # written before the last digest moment
        await s.execute(
            update(MailDigestItem)
            .where(col(MailDigestItem.account_id) == staff)
            .values(created_at=cut - timedelta(hours=1))
        )
        await s.commit()
    await queue(staff, "After the cut", digest=True)  # waits for tomorrow's
    async with new_session() as s:
        assert await sender.make_digests(s, now=now) == 1
    assert await sender.send_due() == 1
    (mail,) = mailbox.messages()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert all(f"New input number {n}" in text for n in range(3)) and "After the cut" not in text
    assert mail["Subject"].startswith("News from the Helhedsplan portal")
    async with new_session() as s:
        left = (await s.execute(select(MailDigestItem.text).where(col(MailDigestItem.account_id) == staff))).scalars()
        assert list(left) == ["After the cut"]
    assert (await fetch(MailAddress, staff)).mail_on
