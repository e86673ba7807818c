"""Portal routes: server-rendered pages (Danish paths) over named GraphQL operations.

Mounted by backend/app.py. Every handler goes through `page`, which turns "not found" (and
"not yours", which must look the same) into the portal's 404 page.
"""

from __future__ import annotations

import functools
import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from frontend import assets
from frontend.i18n import N_
from frontend.operations import OperationFailed
from frontend.pages import (
    activities,
    boards,
    common,
    decisions,
    groups,
    mail,
    mine,
    notifications,
    own_inputs,
    partner,
    public,
    reports,
    staff,
)
from frontend.web import gettext_for, render

log = logging.getLogger(__name__)


# The error pages a handler's refusal turns into: (heading, text); 404 has a page of its own.
ERROR_PAGES = {
    # A malformed request, or one the API refused as a whole (e.g. a tampered id in a form): a clear 400.
    400: (
        N_("Forkert forespørgsel"),
        N_("Siden kunne ikke vise det, du bad om. Tjek adressen og prøv igen."),
    ),
    403: (
        N_("Formularen er udløbet"),
        N_(
            "Siden var åben for længe, eller formularen kom et andet sted fra. "
            "Gå tilbage, genindlæs siden og prøv igen."
        ),
    ),
}


async def error_page(request: Request, status_code: int):
    if status_code == 404:
        return await render(request, "errors/404.html", status_code=404)
    _ = gettext_for(request)
    heading, text = ERROR_PAGES[status_code]
    return await render(request, "errors/error.html", {"heading": _(heading), "text": _(text)}, status_code=status_code)


def page(handler):
    @functools.wraps(handler)
    async def wrapped(request: Request):
        try:
            return await handler(request)
        except OperationFailed:
            return await error_page(request, 400)
        except HTTPException as exc:
            if exc.status_code in ERROR_PAGES or exc.status_code == 404:
                return await error_page(request, exc.status_code)
            raise

    return wrapped


async def not_found(_request: Request):
    raise HTTPException(status_code=404)


def portal_routes() -> list:
    assets.check()  # built by `python -m frontend.assets` (make setup); the server writes no files
    get, post = ["GET"], ["POST"]
    return [
        Mount("/static", app=StaticFiles(directory=str(assets.STATIC), check_dir=False), name="static"),
        Route("/", page(public.front_page), methods=get),
        Route("/sprog", common.switch_language, methods=get),
        Route("/tilgaengelighed", page(common.accessibility), methods=get),
        Route("/log-ind", page(common.sign_in), methods=get),
        Route("/omraader/{id}", page(public.urban_area), methods=get),
        Route("/omraader/{id}/kalender.ics", page(activities.area_feed), methods=get),
        Route("/planer/{id}", page(public.plan), methods=get),
        Route("/planer/{id}/kalender.ics", page(activities.plan_feed), methods=get),
        Route("/aktiviteter", page(activities.search), methods=get),
        Route("/aktiviteter/uge", page(activities.week), methods=get),
        Route("/aktiviteter/{id}", page(activities.activity), methods=get),
        Route("/aktiviteter/{id}/kalender.ics", page(activities.activity_ical), methods=get),
        Route("/aktiviteter/{id}/foelg", page(notifications.follow), methods=post),
        Route("/foelgegrupper/{id}", page(groups.group), methods=get),
        Route("/foelgegrupper/{id}", page(groups.submit_input), methods=post),
        Route("/min-side", page(mine.my_page), methods=get),
        Route("/min-side/data", page(mine.export), methods=post),
        Route("/min-side/husstandskode", page(mine.redeem_code), methods=post),
        Route("/min-side/e-mail", page(mail.give), methods=post),
        Route("/min-side/e-mail/til-fra", page(mail.switch), methods=post),
        Route("/min-side/e-mail/fjern", page(mail.remove), methods=post),
        Route("/post/bekraeft/{token}", page(mail.confirm_page), methods=get),
        Route("/post/bekraeft/{token}", page(mail.confirm), methods=post),
        Route("/post/afmeld/{token}", page(mail.unsubscribe_page), methods=get),
        Route("/post/afmeld/{token}", page(mail.unsubscribe), methods=post),
        Route("/udvikling/post", page(mail.dev_mailbox), methods=get),
        Route("/udvikling/post/{name}", page(mail.dev_message), methods=get),
        Route("/min-side/slet", page(mine.erase_confirm), methods=get),
        Route("/min-side/slet", page(mine.erase), methods=post),
        Route("/min-side/notifikationer", page(notifications.notifications_page), methods=get),
        Route("/min-side/notifikationer", page(notifications.mark_read), methods=post),
        Route("/min-side/notifikationer/indstillinger", page(notifications.save_preferences), methods=post),
        Route("/min-side/input/{id}/ret", page(own_inputs.edit_form), methods=get),
        Route("/min-side/input/{id}/ret", page(own_inputs.edit), methods=post),
        Route("/min-side/input/{id}/traek-tilbage", page(own_inputs.withdraw_confirm), methods=get),
        Route("/min-side/input/{id}/traek-tilbage", page(own_inputs.withdraw), methods=post),
        Route("/partner", page(partner.overview), methods=get),
        Route("/partner/aktiviteter/{id}", page(partner.edit), methods=get),
        Route("/partner/aktiviteter/{id}", page(partner.save), methods=post),
        Route("/medarbejder/indbakke", page(staff.inbox), methods=get),
        Route("/medarbejder/indbakke/{id}", page(staff.input_page), methods=get),
        Route("/medarbejder/indbakke/{id}", page(staff.answer), methods=post),
        Route("/medarbejder/foelgegrupper/{id}/input", page(staff.register), methods=post),
        Route("/medarbejder/planer", page(staff.plans), methods=get),
        Route("/medarbejder/graphql-eksempler", page(staff.graphql_examples), methods=get),
        Route("/medarbejder/planer/{id}", page(staff.plan_overview), methods=get),
        Route("/medarbejder/beslutninger", page(decisions.decisions), methods=get),
        Route("/medarbejder/rapporter", page(reports.reports), methods=get),
        Route("/medarbejder/bestyrelser", page(boards.boards), methods=get),
        Route("/medarbejder/bestyrelser/{id}", page(boards.board), methods=get),
        Route("/medarbejder/rapporter/{id}/{year:int}", page(reports.annual_report), methods=get),
        Route("/medarbejder/beslutninger/{what}/{id}", page(decisions.decide), methods=post),
        # The yearly report's files (plain 404s: a download shows no page).
        Route("/reports/{plan_id:int}/{year:int}.{fmt:str}", reports.download, methods=get),
        # Last: any other GET gets the portal's own 404 page (in the visitor's language, with the menu).
        # Routes mounted after the portal would never be reached by GET; mount them before it.
        Route("/{path:path}", page(not_found), methods=get),
    ]
