"""My page: my residencies and inputs, redeem a household code, download my data, delete my account."""

from __future__ import annotations

import contextlib
import json

from starlette.requests import Request
from starlette.responses import Response

from backend.actor import Actor
from backend.models import ActorKind
from frontend.forms import mutation_errors
from frontend.pages.notifications import preferences_context
from frontend.web import gettext_for, query, query_or_404, redirect, render, require_actor, verified_form

CODE_MAX = 64  # the service treats anything longer as an invalid code


@require_actor()
async def my_page(
    request: Request, actor: Actor, *, values: dict | None = None, errors: dict | None = None, status_code: int = 200
):
    from frontend.pages.mail import own_address

    data = await query_or_404(request, "MyPage")
    return await render(
        request,
        "mine/my_page.html",
        {
            "me": data.get("viewer") or {},
            "mail": await own_address(actor),
            "values": values or {},
            "errors": errors or {},
            **await preferences_context(request, actor),
        },
        status_code=status_code,
    )


@require_actor(ActorKind.RESIDENT)
async def redeem_code(request: Request, actor: Actor):
    """The household code form: the API words every refusal (wrong code, too many attempts) itself."""
    _ = gettext_for(request)
    form = await verified_form(request)
    values = {"husstandskode": str(form.get("husstandskode", ""))[: CODE_MAX * 2]}
    if not values["husstandskode"].strip():
        errors = {"husstandskode": _("Skriv koden, du har fået fra din boligorganisation.")}
    else:
        data = await query(request, "ResidencyRedeemCode", {"input": {"code": values["husstandskode"]}})
        errors = mutation_errors(
            data["residencyRedeemCode"].get("errors"),
            {"code": "husstandskode"},
            gettext=_,
            fallback_field="husstandskode",
        )
        if not errors:
            return redirect("/min-side", message="kode-indloest")
    return await my_page(request, values=values, errors=errors, status_code=400)


@require_actor()
async def export(request: Request, actor: Actor):
    form = await verified_form(request)
    data = await query(request, "ViewerDataExport", {"input": {}})
    payload = data["viewerDataExport"]
    body = payload.get("data")
    if isinstance(body, str):
        with contextlib.suppress(ValueError):
            body = json.loads(body)
    if form.get("visning") == "side" and isinstance(body, dict):
        # The same export as a page to read, with labels; the JSON file keeps the ids for machines.
        return await render(request, "mine/data.html", {"data": body})
    content = json.dumps(body, ensure_ascii=False, indent=2, default=str)
    return Response(
        content.encode("utf-8"),
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="mine-data.json"',
            "Cache-Control": "private, no-store",
        },
    )


@require_actor()
async def erase_confirm(request: Request, actor: Actor, *, errors: dict | None = None, status_code: int = 200):
    return await render(request, "mine/erase.html", {"errors": errors or {}}, status_code=status_code)


@require_actor()
async def erase(request: Request, actor: Actor):
    _ = gettext_for(request)
    form = await verified_form(request)
    if form.get("bekraeft") != "ja":
        return await erase_confirm(
            request, errors={"bekraeft": _("Sæt flueben for at bekræfte, at du vil slette din konto.")}, status_code=400
        )
    data = await query(request, "ViewerErase", {"input": {"confirm": True}})
    payload = data["viewerErase"]
    if payload.get("errors"):
        return await erase_confirm(
            request, errors={"bekraeft": _("Din konto kunne ikke slettes. Prøv igen senere.")}, status_code=400
        )
    from auth.sessions import SESSION_COOKIE, clear_cookie

    response = redirect("/", message="konto-slettet")
    clear_cookie(response, SESSION_COOKIE)
    return response
