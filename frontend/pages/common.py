"""Pages that need no data from the API: language switch, sign-in choice, accessibility statement."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse

from backend.models import ActorKind
from frontend.i18n import COOKIE, LANGUAGES, N_
from frontend.web import current_actor, gettext_for, query, render, safe_next


async def switch_language(request: Request):
    """GET link, so the switch works without JavaScript; the choice is kept in a cookie for a year and,
    for a signed-in person, in their account (restored into the cookie when they sign in elsewhere)."""
    code = request.query_params.get("til", "")
    target = safe_next(request.query_params.get("naeste"))
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
        if await current_actor(request) is not None:
            await query(request, "ViewerSetLanguage", {"input": {"language": code}})
    return response


# When the accessibility statement was last reviewed (Digitaliseringsstyrelsen's model asks for the date).
STATEMENT_DATE = date(2026, 12, 1)
COMPLAINT_BODY = "https://www.was.digst.dk/"  # Digitaliseringsstyrelsen's tilsyn with web accessibility


async def accessibility(request: Request):
    from backend.settings import get_settings

    return await render(
        request,
        "accessibility.html",
        {
            "statement_date": STATEMENT_DATE,
            "contact": get_settings().accessibility_contact,
            "complaint_url": COMPLAINT_BODY,
            "site": f"{request.url.scheme}://{request.url.netloc}",
        },
    )


# The five ways in, each by the kind of actor it makes; the issuer comes from the configuration.
SIGN_IN_CHOICES = (
    (ActorKind.RESIDENT, N_("Beboer"), N_("Log ind med MitID som beboer.")),
    (
        ActorKind.HOUSING_ORGANISATION,
        N_("Boligorganisation"),
        N_("Medarbejdere i en almen boligorganisation (MitID Erhverv)."),
    ),
    (
        ActorKind.PARTNER,
        N_("Partner"),
        N_("Medarbejdere i en partnerorganisation, fx forening, skole eller bibliotek (MitID Erhverv)."),
    ),
    (ActorKind.MUNICIPALITY, N_("Kommune"), N_("Medarbejdere i kommunen.")),
    (ActorKind.FUND, N_("Landsbyggefonden"), N_("Medarbejdere i Landsbyggefonden.")),
)


def _issuer_for(kind: ActorKind) -> str | None:
    from auth.issuers import get_issuers

    for issuer in get_issuers():
        if kind in issuer.allowed_kinds:
            return issuer.id
    return None


async def sign_in(request: Request):
    _ = gettext_for(request)
    target = safe_next(request.query_params.get("naeste"))
    choices = []
    for kind, label, hint in SIGN_IN_CHOICES:
        issuer = _issuer_for(kind)
        if issuer:
            choices.append(
                {
                    "label": _(label),
                    "hint": _(hint),
                    "href": f"/auth/login?issuer={quote(issuer)}&next={quote(target, safe='/')}",
                }
            )
    return await render(request, "sign_in.html", {"choices": choices})
