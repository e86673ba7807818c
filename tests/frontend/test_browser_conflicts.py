"""Issue 16 in real Chromium: a partner and the housing organisation's staff, each in a browser session of
their own signed in through the development OpenID Provider, edit the same activity from the same version.
The second save is told who saved first (a role) and when, sees both texts, keeps what they typed, and
saves on top on the second try. axe-core finds nothing on the conflict page; with SHOTS_DIR set (e.g.
/work/shots) the conflict page is kept as a screenshot per language."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import pytest

from backend.db import new_session
from backend.models import Activity
from frontend.i18n import translations
from schema.ids import decode
from tests.frontend.test_browser import new_context
from tests.frontend.test_browser_journeys import no_violations, sign_in

SHOTS_DIR = os.environ.get("SHOTS_DIR")


async def _stored_description(activity_id: str) -> str | None:
    async with new_session() as db:
        activity = await db.get(Activity, decode(activity_id, "Activity")[1])
        assert activity is not None
        return activity.description


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_two_sessions_edit_the_same_activity(browser, live_server, demo_ids, axe_source, lang):
    _ = translations(lang).gettext
    activity_id = demo_ids["library_activity"]
    edit = f"{live_server}/partner/aktiviteter/{activity_id}"
    original = await _stored_description(activity_id)
    tag = uuid.uuid4().hex[:6]
    partners_text, staffs_text = f"Partnerens tekst {tag}", f"Medarbejderens tekst {tag}"
    partner_context = await new_context(browser, live_server, lang=lang)
    staff_context = await new_context(browser, live_server, lang=lang)
    try:
        partner, staff = await partner_context.new_page(), await staff_context.new_page()
        await partner.goto(live_server)
        await sign_in(partner, live_server, _, "Partner", "partner-bibliotek")
        await staff.goto(live_server)
        await sign_in(staff, live_server, _, "Boligorganisation", "fsb-medarbejder")
        # Both open the form at the same version.
        await partner.goto(edit)
        await staff.goto(edit)

        await partner.locator("#beskrivelse").fill(partners_text)
        await partner.get_by_role("button", name=_("Gem aktiviteten")).click()
        assert await partner.get_by_role("status").inner_text() == _("Aktiviteten er gemt.")

        await staff.locator("#beskrivelse").fill(staffs_text)
        await staff.get_by_role("button", name=_("Gem aktiviteten")).click()
        summary = staff.locator(".error-summary")
        await summary.wait_for()
        said = await summary.inner_text()
        assert _("Partner") in said and str(date.today().year) in said, said  # who (a role) and when
        columns = staff.locator(".conflict-comparison .conflict-column")
        assert partners_text in await columns.nth(0).inner_text()
        assert staffs_text in await columns.nth(1).inner_text()
        assert await staff.locator("#beskrivelse").input_value() == staffs_text  # nothing typed is lost
        assert await _stored_description(activity_id) == partners_text  # nothing stored
        await no_violations(staff, axe_source, f"conflict page ({lang})")
        # The summary's link leads to the field.
        await summary.get_by_role("link").click()
        assert await staff.evaluate("document.activeElement.id") == "beskrivelse"
        if SHOTS_DIR:
            Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
            await staff.evaluate("window.scrollTo(0, 0)")
            await staff.screenshot(path=str(Path(SHOTS_DIR) / f"conflict-{lang}.png"))  # the first screenful
            await staff.screenshot(path=str(Path(SHOTS_DIR) / f"conflict-{lang}-full.png"), full_page=True)

        # Saving again goes on top of the partner's version.
        await staff.get_by_role("button", name=_("Gem aktiviteten")).click()
        assert await staff.get_by_role("status").inner_text() == _("Aktiviteten er gemt.")
        assert await _stored_description(activity_id) == staffs_text
        await staff.goto(f"{live_server}/aktiviteter/{activity_id}")
        assert staffs_text in await staff.locator("main").inner_text()

        # The demo activity as it was, for the other tests (through the form, on the version now shown).
        await staff.goto(edit)
        await staff.locator("#beskrivelse").fill(original or "")
        await staff.get_by_role("button", name=_("Gem aktiviteten")).click()
        assert await staff.get_by_role("status").inner_text() == _("Aktiviteten er gemt.")
    finally:
        await partner_context.close()
        await staff_context.close()
