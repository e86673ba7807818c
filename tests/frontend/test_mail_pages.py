"""E-mail on Min side, through the portal: give an address, confirm it by the link in the mail (double
opt-in), get a mail, unsubscribe with one click without signing in; the address stays out of the audit
trail and the logs, is in the data download; the development mailbox page."""

from __future__ import annotations

import json
import logging
import re

from sqlalchemy import delete, select
from sqlmodel import col

from backend.db import new_session
from backend.mail import queue_notification_mail, sender
from backend.models import Account, AuditEvent, MailAddress
from tests.frontend.html import csrf_of, soup_of
from tests.mail.smtp import mailbox  # noqa: F401 - pytest fixture: the SMTP server the sender sends to

ADDRESS = "ny.beboer+portal@example.org"


async def _account_id(subject: str) -> int:
    async with new_session() as s:
        account_id = (await s.execute(select(col(Account.id)).where(col(Account.subject) == subject))).scalar_one()
        assert account_id is not None
        return account_id


async def _address(account_id: int) -> MailAddress | None:
    async with new_session() as s:
        return await s.get(MailAddress, account_id)


async def test_address_with_double_opt_in_and_one_click_unsubscribe(client, sign_in_as, mailbox, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    cookies = await sign_in_as("beboer-ny")
    account_id = await _account_id("beboer-ny")
    try:
        token = await csrf_of(client, "/min-side", cookies)
        bad = await client.post(
            "/min-side/e-mail", data={"csrf_token": token, "e-mail": "ikke en adresse"}, cookies=cookies
        )
        assert bad.status_code == 400 and "navn@eksempel.dk" in bad.text
        given = await client.post("/min-side/e-mail", data={"csrf_token": token, "e-mail": ADDRESS}, cookies=cookies)
        assert given.status_code == 303 and given.headers["location"] == "/min-side?besked=e-mail-sendt"
        row = await _address(account_id)
        assert row is not None and row.confirmed_at is None and row.token_hash and row.address == ADDRESS
        async with new_session() as s:  # not confirmed yet: no notification mail
            assert not await queue_notification_mail(
                s, account_id=account_id, kind="K", subject="S", sentence="T", link_path="/min-side"
            )

        assert await sender.send_due() == 1
        (confirmation,) = mailbox.messages()
        text = confirmation.get_body(preferencelist=("plain",)).get_content()
        link = re.search(r"https://portal\.example(/post/bekraeft/\S+)", text).group(1)
        assert row.token_hash not in text  # the mail has the token, the database only its hash
        page = await client.get(link)  # a mail scanner following the link confirms nothing
        assert page.status_code == 200 and (await _address(account_id)).confirmed_at is None
        assert soup_of(page).find("form", attrs={"method": "post"})
        assert (await client.post(link)).status_code == 200
        assert (await _address(account_id)).confirmed_at is not None
        assert (await client.post(link)).status_code == 400  # once

        async with new_session() as s:
            assert await queue_notification_mail(
                s,
                account_id=account_id,
                kind="INPUT_ANSWERED",
                subject="Dit input er besvaret",
                sentence="Dit input er besvaret.",
                link_path="/min-side",
            )
            await s.commit()
        assert await sender.send_due() == 1
        mail = next(m for m in mailbox.messages() if m["Subject"] == "Dit input er besvaret")
        unsubscribe = mail["List-Unsubscribe"].strip()[1:-1].removeprefix("https://portal.example")
        shown = await client.get(unsubscribe)
        assert shown.status_code == 200 and (await _address(account_id)).mail_on  # no change on GET
        one_click = await client.post(
            unsubscribe,
            content=mail["List-Unsubscribe-Post"],
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert one_click.status_code == 204 and not (await _address(account_id)).mail_on
        assert (await client.post(unsubscribe[:-3] + "abc")).status_code == 404  # a token we did not make

        export = await client.post("/min-side/data", data={"csrf_token": token}, cookies=cookies)
        assert json.loads(export.text)["mail_address"]["address"] == ADDRESS
        shown = await client.post("/min-side/data", data={"csrf_token": token, "visning": "side"}, cookies=cookies)
        assert ADDRESS in soup_of(shown).select_one("#mail-data-heading").parent.get_text()

        async with new_session() as s:
            events = list(
                (
                    await s.execute(
                        select(AuditEvent).where(
                            col(AuditEvent.object_type) == "MailAddress", col(AuditEvent.object_id) == account_id
                        )
                    )
                ).scalars()
            )
        actions = [e.action for e in events]
        assert actions[-3:] == ["mail.addressGiven", "mail.consentGiven", "mail.consentWithdrawn"]
        assert all(ADDRESS not in json.dumps([e.before, e.after, e.reason]) for e in events)
        # The portal's logs (not the test's own SMTP server's, "mail.log", which stands for the provider's).
        portal_logs = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
        assert "mail.log" in {r.name for r in caplog.records} and ADDRESS.split("@")[0] not in portal_logs

        mailbox_page = await client.get("/udvikling/post")
        assert mailbox_page.status_code == 200 and "Bekræft din e-mailadresse" in mailbox_page.text

        removed = await client.post("/min-side/e-mail/fjern", data={"csrf_token": token}, cookies=cookies)
        assert removed.status_code == 303 and await _address(account_id) is None
    finally:
        async with new_session() as s:
            await s.execute(delete(MailAddress).where(col(MailAddress.account_id) == account_id))
            await s.commit()


async def test_the_development_mailbox_is_absent_in_production(client, monkeypatch):
    from backend.settings import get_settings

    monkeypatch.setattr(get_settings(), "environment", "production")
    assert (await client.get("/udvikling/post")).status_code == 404
