"""My page: my residencies and inputs, download my data, delete my account."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from frontend.web import gettext_for, query, query_or_404, redirect, render, require_actor, verified_form


async def my_page(request: Request):
    actor = await require_actor(request)
    if isinstance(actor, Response):
        return actor
    data = await query_or_404(request, "MyPage")
    return await render(request, "mine/my_page.html", {"me": data.get("viewer") or {}})


async def export(request: Request):
    actor = await require_actor(request)
    if isinstance(actor, Response):
        return actor
    await verified_form(request)
    data = await query(request, "ViewerDataExport", {"input": {}})
    payload = data["viewerDataExport"]
    body = payload.get("data")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            pass
    content = json.dumps(body, ensure_ascii=False, indent=2, default=str)
    return Response(content.encode("utf-8"), media_type="application/json; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="mine-data.json"',
        "Cache-Control": "private, no-store",
    })


async def erase_confirm(request: Request, *, errors: dict | None = None, status_code: int = 200):
    actor = await require_actor(request)
    if isinstance(actor, Response):
        return actor
    return await render(request, "mine/erase.html", {"errors": errors or {}}, status_code=status_code)


async def erase(request: Request):
    _ = gettext_for(request)
    actor = await require_actor(request)
    if isinstance(actor, Response):
        return actor
    form = await verified_form(request)
    if form.get("bekraeft") != "ja":
        return await erase_confirm(request, errors={"bekraeft": _("Sæt flueben for at bekræfte, at du vil slette din konto.")},
                                   status_code=400)
    data = await query(request, "ViewerErase", {"input": {"confirm": True}})
    payload = data["viewerErase"]
    if payload.get("errors"):
        return await erase_confirm(request, errors={"bekraeft": _("Din konto kunne ikke slettes. Prøv igen senere.")},
                                   status_code=400)
    from auth.sessions import SESSION_COOKIE, clear_cookie

    response = redirect("/", message="konto-slettet")
    clear_cookie(response, SESSION_COOKIE)
    return response
