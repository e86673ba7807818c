"""Issue 12's acceptance in real Chromium, through the real sign-in at the development OpenID Provider, in
Danish and in English, with axe-core finding nothing on each page on the way: a resident confirms an e-mail
address by the link in the mail the real SMTP server (aiosmtpd) kept, gives input to her follow-up group,
staff answer it in their inbox, she sees the count in the header and the notification and marks it read,
and the notification's mail is there with the right headers and without what anyone wrote or who."""

from __future__ import annotations

import re
import uuid
from html import escape
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlmodel import col

from backend import clock
from backend.db import session_scope
from backend.i18n import translate
from backend.mail.compose import CONFIRM_SUBJECT
from backend.models import Account, FollowUpGroup, MailAddress, Notification, NotificationKind, ResidentInput
from backend.services.inputs import RATE_LIMIT_WINDOW
from backend.services.notifications import MAIL_SUBJECT, SENTENCES
from frontend.i18n import translations
from schema.ids import decode
from tests.frontend.conftest import run_axe
from tests.frontend.test_browser import new_context
from tests.frontend.test_browser_journeys import no_violations, sign_in
from tests.frontend.test_browser_notifications import the_one_unread_notification
from tests.mail.smtp import arrived, mailbox, sending_server  # noqa: F401 - pytest fixtures: the SMTP server, a server sending to it

SHOTS = Path("/work/shots")


@pytest.fixture
async def resident():
    """beboer-tingbjerg as the journey finds her: no address, nothing unread (earlier tests may have left
    notifications), no saved language, room under her hourly input limit (the other tests give input as her
    too); as she was again afterwards, and the journey's inputs older than her hourly limit counts."""
    started = clock.now()
    async with session_scope() as s:
        account = (await s.execute(select(Account).where(col(Account.subject) == "beboer-tingbjerg"))).scalar_one()
        account_id, language = account.id, account.language
        await s.execute(
            update(ResidentInput)
            .where(col(ResidentInput.author_account_id) == account_id)
            .where(col(ResidentInput.created_at) >= started - RATE_LIMIT_WINDOW)
            .values(created_at=started - 2 * RATE_LIMIT_WINDOW)
        )
        await s.execute(delete(MailAddress).where(col(MailAddress.account_id) == account_id))
        await s.execute(
            update(Notification)
            .where(col(Notification.account_id) == account_id, col(Notification.read_at).is_(None))
            .values(read_at=clock.now())
        )
    yield account_id
    async with session_scope() as s:
        await s.execute(delete(MailAddress).where(col(MailAddress.account_id) == account_id))
        await s.execute(update(Account).where(col(Account.id) == account_id).values(language=language))
        await s.execute(
            update(ResidentInput)
            .where(col(ResidentInput.author_account_id) == account_id, col(ResidentInput.created_at) >= started)
            .values(created_at=started - RATE_LIMIT_WINDOW)
        )


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_a_resident_hears_back_in_the_portal_and_by_mail(
    browser,
    demo_ids,
    axe_source,
    resident,
    mailbox,  # noqa: F811 - the imported pytest fixture
    sending_server,  # noqa: F811 - the imported pytest fixture
    lang,
):
    _ = translations(lang).gettext
    url = sending_server
    address = f"tingbjerg-{lang}-{uuid.uuid4().hex[:6]}@example.org"
    title = f"Lys i opgangen {uuid.uuid4().hex[:6]}"
    body = f"Lyset i opgang 7 har været slukket i to uger ({uuid.uuid4().hex[:6]})."
    async with session_scope() as s:
        group_name = (await s.get(FollowUpGroup, decode(demo_ids["group"], "FollowUpGroup")[1])).name
        staff_name = (
            await s.execute(select(col(Account.display_name)).where(col(Account.subject) == "fsb-medarbejder"))
        ).scalar_one()
    resident_context = await new_context(browser, url)  # she arrives in Danish, as everyone does
    staff_context = await new_context(browser, url, lang=lang)
    try:
        # 1. She signs in, chooses her language in the header (kept in her account) and gives an address.
        page = await resident_context.new_page()
        await page.goto(url + "/")
        await sign_in(page, url, translations("da").gettext, "Beboer", "beboer-tingbjerg")
        await page.locator(f".portal-language a[hreflang={lang}]").click()
        assert await page.locator("html").get_attribute("lang") == lang
        await page.get_by_role("link", name=_("Min side")).first.click()
        await page.locator("#e-mail-adresse").fill(address)
        await page.get_by_role("button", name=_("Send bekræftelseslink")).click()
        assert await page.get_by_role("status").inner_text() == _(
            "Vi har sendt en e-mail med et link. Følg linket for at bekræfte adressen."
        )
        await no_violations(page, axe_source, "my page, address given")

        confirmation = await arrived(mailbox, address, translate(lang, CONFIRM_SUBJECT))
        text = confirmation.get_body(preferencelist=("plain",)).get_content()
        await page.goto(re.search(re.escape(url) + r"/post/bekraeft/\S+", text).group(0))
        await no_violations(page, axe_source, "confirmation page")
        await page.get_by_role("button", name=_("Bekræft e-mailadressen")).click()
        assert _("Tak. Din e-mailadresse er bekræftet, og du får besked på e-mail.") in await page.inner_text("main")
        await no_violations(page, axe_source, "address confirmed")

        # 2. She gives input to her follow-up group.
        await page.goto(f"{url}/foelgegrupper/{demo_ids['group']}")
        await page.locator("#titel").fill(title)
        await page.locator("#tekst").fill(body)
        await page.locator("form[action^='/foelgegrupper/'] button[type=submit]").click()
        own = page.locator("#own-heading").locator("xpath=..").locator("li", has_text=title)
        assert await own.count() == 1
        await no_violations(page, axe_source, "group, input given")
        assert await page.locator(".portal-user .notifications-link .badge").count() == 0

        # 3. Staff of the plan answer it in their inbox, in a browser of their own.
        desk = await staff_context.new_page()
        await desk.goto(url + "/")
        await sign_in(desk, url, _, "Boligorganisation", "fsb-medarbejder")
        await desk.goto(f"{url}/medarbejder/indbakke")
        await desk.locator("tbody tr", has_text=title).get_by_role("link", name=title).click()
        await no_violations(desk, axe_source, "staff, input page")
        await desk.locator("#svar").fill(f"Tak, vi har bestilt en elektriker. Hilsen {staff_name}.")
        await desk.get_by_role("button", name=_("Send svar")).click()
        assert await desk.get_by_role("status").inner_text() == _("Svaret er sendt og kan nu ses af beboeren.")
        await no_violations(desk, axe_source, "staff, answered")

        # 4. She sees the count in the header, the notification in her language, and marks it read.
        item = await the_one_unread_notification(page, url, _)
        sentence = translate(lang, SENTENCES[NotificationKind.INPUT_ANSWERED], group=group_name)
        assert await item.locator("a").inner_text() == sentence
        assert await run_axe(page, axe_source) == [], "notifications, unread"
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"notifications-{lang}.png"), full_page=True)
        await item.get_by_role("button", name=_("Markér som læst")).click()
        await page.wait_for_url(f"{url}/min-side/notifikationer?besked=notifikationer-laest")
        assert await page.locator(".portal-user .notifications-link .badge").count() == 0
        assert await page.locator(".notification-list li.unread").count() == 0
        await no_violations(page, axe_source, "notifications, read")
        # The notification leads to her input on Min side, with the answer under it.
        await page.locator(".notification-list a", has_text=sentence).first.click()
        await page.wait_for_url(re.compile(re.escape(f"{url}/min-side#input-")))
        answered = page.locator(f"[id='{page.url.partition('#')[2]}']")
        assert title in await answered.locator("h3").inner_text()
        assert await answered.locator(".answer").count() == 1
        target = page.url.removeprefix(url)
        await no_violations(page, axe_source, "my page, answered")

        # 5. The mail: to the confirmed address, in her language, with a one-click unsubscribe; no one's words
        # and no one's name in it.
        mail = await arrived(mailbox, address, translate(lang, MAIL_SUBJECT))
        assert mail["To"] == address
        assert re.fullmatch(r"<outbox\.\d+\.\d+@127\.0\.0\.1>", mail["Message-ID"])
        unsubscribe = mail["List-Unsubscribe"].strip()  # a long header is folded onto its next line
        assert re.fullmatch(r"<https?://127\.0\.0\.1:\d+/post/afmeld/[^>\s]+>", unsubscribe)
        assert unsubscribe[1:].startswith(url + "/post/afmeld/")
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert mail.get_content_type() == "multipart/alternative"
        parts = {p.get_content_type(): p.get_content() for p in mail.iter_parts()}
        assert set(parts) == {"text/plain", "text/html"}
        assert sentence in parts["text/plain"] and escape(sentence) in parts["text/html"]
        for content in parts.values():
            assert url + target in content  # the same link as in the portal
            for secret in (title, body, staff_name, "elektriker"):
                assert secret not in content
        if lang != "da":
            assert mail["Subject"] != translate("da", MAIL_SUBJECT)
    finally:
        await resident_context.close()
        await staff_context.close()
