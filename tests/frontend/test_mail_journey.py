"""Issue 12 §4 and §6 in real Chromium against a real server whose sender sends to a real SMTP server
(aiosmtpd, as `make run` starts): a resident gives an address on Min side, confirms it by the link in the
mail, gets a mail with the right headers, finds it at /udvikling/post, and unsubscribes with one click."""

from __future__ import annotations

import asyncio
import re
import time

from sqlalchemy import delete, select
from sqlmodel import col

from backend.db import new_session
from backend.mail import queue_notification_mail
from backend.models import Account, MailAddress
from frontend.i18n import translations
from tests.frontend.conftest import run_axe
from tests.frontend.test_browser import new_context
from tests.mail.smtp import mailbox  # noqa: F401 - pytest fixture: the SMTP server the sender sends to
from tests.servers import free_port, start_server, stop_server

ADDRESS = "journey@example.org"


async def _arrived(mailbox, subject: str, timeout: float = 30.0):  # noqa: F811
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mailbox.messages() if m["To"] == ADDRESS and m["Subject"] == subject]
        if found:
            return found[0]
        await asyncio.sleep(0.2)
    raise AssertionError(f"no mail {subject!r} arrived")


async def test_a_resident_confirms_an_address_gets_mail_and_unsubscribes(browser, sign_in_as, mailbox, axe_source):  # noqa: F811
    _ = translations("da").gettext
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server, _url = start_server(
        port=port,
        env={
            "BASE_URL": url,
            "PORT": str(port),
            "MAIL_SENDER": "true",
            "SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
            "DEV_MAIL_DIR": str(mailbox.directory),
        },
    )
    async with new_session() as s:
        account_id = (await s.execute(select(col(Account.id)).where(col(Account.subject) == "beboer-ny"))).scalar_one()
    context = await new_context(browser, url, cookies=await sign_in_as("beboer-ny"))
    try:
        page = await context.new_page()
        await page.goto(f"{url}/min-side")
        await page.locator("#e-mail-adresse").fill(ADDRESS)
        await page.get_by_role("button", name=_("Send bekræftelseslink")).click()
        assert await page.get_by_role("status").inner_text() == _(
            "Vi har sendt en e-mail med et link. Følg linket for at bekræfte adressen."
        )
        assert await run_axe(page, axe_source) == []

        confirmation = await _arrived(mailbox, "Bekræft din e-mailadresse")
        text = confirmation.get_body(preferencelist=("plain",)).get_content()
        link = re.search(re.escape(url) + r"/post/bekraeft/\S+", text).group(0)
        await page.goto(link)
        assert await run_axe(page, axe_source) == []
        await page.get_by_role("button", name=_("Bekræft e-mailadressen")).click()
        assert _("Tak. Din e-mailadresse er bekræftet, og du får besked på e-mail.") in await page.inner_text("main")

        async with new_session() as s:  # what the notifications do when staff answer her input
            assert await queue_notification_mail(
                s,
                account_id=account_id,
                kind="INPUT_ANSWERED",
                subject="Dit input er besvaret",
                sentence="Dit input til Tingbjergs følgegruppe er blevet besvaret.",
                link_path="/min-side",
            )
            await s.commit()
        mail = await _arrived(mailbox, "Dit input er besvaret")
        assert re.fullmatch(r"<outbox\.\d+\.\d+@127\.0\.0\.1>", mail["Message-ID"])
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert {p.get_content_type() for p in mail.iter_parts()} == {"text/plain", "text/html"}

        await page.goto(f"{url}/udvikling/post")
        assert await page.get_by_role("link", name="Dit input er besvaret").count() == 1
        assert await run_axe(page, axe_source) == []

        await page.goto(mail["List-Unsubscribe"].strip()[1:-1])
        await page.get_by_role("button", name=_("Afmeld e-mails")).click()
        assert _("Du får ikke flere e-mails fra portalen.") in await page.inner_text("main")
        async with new_session() as s:
            assert not (await s.get(MailAddress, account_id)).mail_on
    finally:
        await context.close()
        stop_server(server)
        async with new_session() as s:
            await s.execute(delete(MailAddress).where(col(MailAddress.account_id) == account_id))
            await s.commit()
