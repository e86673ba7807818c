"""Issue 12 §4 and §6 in real Chromium against a real server whose sender sends to a real SMTP server
(aiosmtpd, as `make run` starts): a resident gives an address on Min side, confirms it by the link in the
mail, gets a mail with the right headers, finds it at /udvikling/post, and unsubscribes with one click."""

from __future__ import annotations

import re

from sqlalchemy import delete, select, update
from sqlmodel import col

from backend.db import new_session
from backend.mail import queue_notification_mail
from backend.models import Account, MailAddress
from frontend.i18n import translations
from tests.frontend.conftest import run_axe
from tests.frontend.test_browser import new_context
from tests.mail.smtp import arrived, mailbox, sending_server  # noqa: F401 - pytest fixtures: the SMTP server, a server sending to it

ADDRESS = "journey@example.org"


async def test_a_resident_confirms_an_address_gets_mail_and_unsubscribes(
    browser,
    sign_in_as,
    mailbox,  # noqa: F811 - the imported pytest fixture
    sending_server,  # noqa: F811 - the imported pytest fixture
    axe_source,
):
    _ = translations("da").gettext
    url = sending_server
    async with new_session() as s:
        account_id = (await s.execute(select(col(Account.id)).where(col(Account.subject) == "beboer-ny"))).scalar_one()
        # Mails go out in the account's language: no choice kept from another test, so Danish.
        await s.execute(update(Account).where(col(Account.id) == account_id).values(language=None))
        await s.commit()
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

        confirmation = await arrived(mailbox, ADDRESS, "Bekræft din e-mailadresse")
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
        mail = await arrived(mailbox, ADDRESS, "Dit input er besvaret")
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
        async with new_session() as s:
            await s.execute(delete(MailAddress).where(col(MailAddress.account_id) == account_id))
            await s.commit()
