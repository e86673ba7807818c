"""Portal fixtures: a live uvicorn server on the test database, real Chromium through Playwright,
axe-core, signed-in browser sessions, and a few ids from the demo data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Error as PlaywrightError
from sqlmodel import col

from tests.auth.idp import idp  # noqa: F401 - pytest fixture: the development OpenID Provider
from tests.servers import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def live_server(database_url, idp):  # noqa: F811 - the imported pytest fixture
    """The whole application served by uvicorn in a child process on the test database, signing
    in through the development OpenID Provider (DEV_IDP_URL is set by the idp fixture)."""
    port = free_port()
    proc, url = start_server(port=port, env={"BASE_URL": f"http://127.0.0.1:{port}", "PORT": str(port)})
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
async def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        await b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail("axe-core is not installed: run `npm install` in frontend/ (make setup does)")
    return AXE_JS.read_text(encoding="utf-8")


async def run_axe(page, axe_source: str) -> list[dict]:
    """WCAG 2.1 A and AA violations on the page as it is now.

    A click that navigates may return while the next page is still arriving; the injection then meets
    a document without a head, or a context that is replaced under it: wait for the page and try again."""
    for attempt in range(3):
        await page.wait_for_load_state("load")
        try:
            await page.add_script_tag(content=axe_source)
            result = await page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                WCAG_TAGS,
            )
            break
        except PlaywrightError as error:
            navigating = "appendChild" in str(error) or "context was destroyed" in str(error)
            if not navigating or attempt == 2:
                raise
            await page.wait_for_timeout(250)  # the next document is on its way; nothing else signals it
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


async def session_cookie_for(subject: str) -> str:
    """A real server-side session for a demo account, as the sign-in callback would create it."""
    from sqlalchemy import select

    from auth import sessions
    from backend.db import new_session
    from backend.models import Account

    async with new_session() as db:
        account = (await db.execute(select(Account).where(col(Account.subject) == subject))).scalar_one()
        return await sessions.create(
            db, account_id=account.id, data={"issuer": account.issuer}, lifetime=sessions.SESSION_LIFETIME
        )


@pytest.fixture(scope="session")
def sign_in_as():
    """`await sign_in_as(subject)` -> cookies dict for httpx / Playwright (a fresh session)."""

    async def make(subject: str) -> dict[str, str]:
        from auth.sessions import SESSION_COOKIE

        return {SESSION_COOKIE: await session_cookie_for(subject)}

    return make


@pytest.fixture(scope="session")
async def demo_ids():
    """Global ids of demo objects the page tests visit."""
    from sqlalchemy import select

    from backend.db import new_session
    from backend.mail.compose import unsubscribe_token
    from backend.models import (
        Account,
        Activity,
        ActivityPartner,
        FollowUpGroup,
        FollowUpGroupEstate,
        Partner,
        Plan,
        PlanStatus,
        Residency,
        ResidentInput,
        UrbanArea,
        Visibility,
    )
    from schema.ids import encode

    async with new_session() as db:

        async def account(subject):
            return (await db.execute(select(Account).where(col(Account.subject) == subject))).scalar_one()

        tingbjerg = await account("beboer-tingbjerg")
        estate_id = (
            await db.execute(select(col(Residency.estate_id)).where(col(Residency.account_id) == tingbjerg.id))
        ).scalar()
        group = (
            (
                await db.execute(
                    select(FollowUpGroup)
                    .join(FollowUpGroupEstate, col(FollowUpGroupEstate.group_id) == col(FollowUpGroup.id))
                    .where(col(FollowUpGroupEstate.estate_id) == estate_id)
                )
            )
            .scalars()
            .first()
        )
        plan = await db.get(Plan, group.plan_id)
        area = await db.get(UrbanArea, plan.urban_area_id)
        library = await account("partner-bibliotek")
        ssp = await account("partner-ssp")
        library_activity = (
            (
                await db.execute(
                    select(Activity)
                    .join(ActivityPartner, col(ActivityPartner.activity_id) == col(Activity.id))
                    .where(
                        col(ActivityPartner.partner_id) == library.partner_id,
                        col(Activity.visibility) == Visibility.PUBLIC,
                    )
                    .order_by(col(Activity.id))
                )
            )
            .scalars()
            .first()
        )
        ssp_ids = set(
            (
                await db.execute(
                    select(col(ActivityPartner.activity_id)).where(col(ActivityPartner.partner_id) == ssp.partner_id)
                )
            ).scalars()
        )
        library_ids = set(
            (
                await db.execute(
                    select(col(ActivityPartner.activity_id)).where(
                        col(ActivityPartner.partner_id) == library.partner_id
                    )
                )
            ).scalars()
        )
        ssp_only = sorted(ssp_ids - library_ids)
        internal = (
            (
                await db.execute(
                    select(Activity).where(col(Activity.visibility) == Visibility.INTERNAL).order_by(col(Activity.id))
                )
            )
            .scalars()
            .first()
        )
        other_group = (
            (
                await db.execute(
                    select(FollowUpGroup).where(col(FollowUpGroup.id) != group.id).order_by(col(FollowUpGroup.id))
                )
            )
            .scalars()
            .first()
        )
        partner = await db.get(Partner, library.partner_id)
        # The demo resident's unanswered input; page tests only read it, never change it.
        open_input = (
            (
                await db.execute(
                    select(ResidentInput)
                    .where(
                        col(ResidentInput.author_account_id) == tingbjerg.id,
                        col(ResidentInput.status).in_(["RECEIVED", "UNDER_CONSIDERATION"]),
                        col(ResidentInput.withdrawn).is_(False),
                    )
                    .order_by(col(ResidentInput.id))
                )
            )
            .scalars()
            .first()
        )
        from datetime import date

        from backend.models import Board, BoardLevel

        city_board = (await db.execute(select(col(Board.id)).where(col(Board.level) == BoardLevel.CITY))).scalar_one()
        draft = (
            (
                await db.execute(
                    select(Plan)
                    .where(col(Plan.status).in_([PlanStatus.PREQUALIFIED, PlanStatus.IN_DIALOGUE]))
                    .order_by(col(Plan.id))
                )
            )
            .scalars()
            .first()
        )
    return {
        "city_board": encode("Board", city_board),
        "plan_board": encode("Board", plan.board_id),
        "this_year": date.today().year,
        "draft_plan": encode("Plan", draft.id) if draft else None,
        "draft_plan_name": draft.name if draft else None,
        "area": encode("UrbanArea", area.id),
        "plan": encode("Plan", plan.id),
        "plan_pk": plan.id,
        "group": encode("FollowUpGroup", group.id),
        "group_pk": group.id,
        "other_group": encode("FollowUpGroup", other_group.id) if other_group else None,
        "library_activity": encode("Activity", library_activity.id),
        "library_activity_title": library_activity.title,
        "ssp_only_activity": encode("Activity", ssp_only[0]) if ssp_only else None,
        "internal_activity": encode("Activity", internal.id) if internal else None,
        "internal_activity_title": internal.title if internal else None,
        "partner_name": partner.name,
        "own_open_input": encode("ResidentInput", open_input.id),
        "unsubscribe_token": unsubscribe_token(tingbjerg.id),
    }
