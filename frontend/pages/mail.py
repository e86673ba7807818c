"""E-mail: the address on Min side (give, change, turn off, remove), the confirmation and unsubscribe links
from the mails (no sign-in: the token in the link is the authority), and in development the mail the
development mail server kept (/udvikling/post)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from backend.actor import Actor
from backend.db import session_scope
from backend.mail import addresses
from backend.mail.compose import unsubscribe_account
from backend.mail.devserver import read_messages
from backend.models import MailAddress
from backend.services.errors import ServiceError
from backend.settings import get_settings
from frontend.forms import mutation_errors
from frontend.web import gettext_for, redirect, render, require_actor, verified_form

TOKEN_MAX = 100  # longer than any token the portal makes


async def own_address(actor: Actor | None) -> MailAddress | None:
    """For Min side: the person's address, whether it is confirmed and whether mail is on."""
    async with session_scope() as session:
        return await addresses.own_address(session, actor)


@require_actor()
async def give(request: Request, actor: Actor):
    from frontend.pages.mine import my_page

    _ = gettext_for(request)
    form = await verified_form(request)
    value = str(form.get("e-mail", ""))[: addresses.ADDRESS_MAX * 2]
    try:
        async with session_scope() as session:
            changed = await addresses.give_address(session=session, actor=actor, address=value)
    except ServiceError as exc:
        errors = mutation_errors(
            [
                {"field": e.field, "code": e.code, "message": e.message_da, "messageEn": e.message_en}
                for e in exc.errors
            ],
            {"address": "e-mail-adresse"},
            gettext=_,
            fallback_field="e-mail-adresse",
        )
        return await my_page(request, values={"e-mail-adresse": value}, errors=errors, status_code=400)
    return redirect("/min-side", message="e-mail-sendt" if changed else "e-mail-uaendret")


@require_actor()
async def switch(request: Request, actor: Actor):
    form = await verified_form(request)
    on = form.get("mail") == "til"
    async with session_scope() as session:
        await addresses.set_mail_on(session=session, actor=actor, on=on)
    return redirect("/min-side", message="e-mail-til" if on else "e-mail-fra")


@require_actor()
async def remove(request: Request, actor: Actor):
    await verified_form(request)
    async with session_scope() as session:
        await addresses.remove_address(session=session, actor=actor)
    return redirect("/min-side", message="e-mail-fjernet")


def _token(request: Request) -> str:
    token = request.path_params["token"]
    if len(token) > TOKEN_MAX:
        raise HTTPException(status_code=404)
    return token


async def confirm_page(request: Request):
    """GET shows a button (a mail scanner that follows links confirms nothing); POST confirms."""
    return await render(request, "mail/confirm.html", {"token": _token(request), "done": None})


async def confirm(request: Request):
    async with session_scope() as session:
        done = await addresses.confirm(session=session, token=_token(request))
    return await render(request, "mail/confirm.html", {"token": "", "done": done}, status_code=200 if done else 400)


async def unsubscribe_page(request: Request):
    """The List-Unsubscribe link opened in a browser: a button, no change on GET."""
    token = _token(request)
    if unsubscribe_account(token) is None:
        raise HTTPException(status_code=404)
    return await render(request, "mail/unsubscribe.html", {"token": token, "done": False})


async def unsubscribe(request: Request):
    """RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click`; a person POSTs the button.
    Either turns mail off without signing in."""
    async with session_scope() as session:
        done = await addresses.unsubscribe(session=session, token=_token(request))
    if not done:
        raise HTTPException(status_code=404)
    if "text/html" not in request.headers.get("accept", ""):
        return Response(status_code=204)  # a mail client: nothing to show
    return await render(request, "mail/unsubscribe.html", {"token": "", "done": True})


def _development() -> None:
    if not get_settings().is_development:
        raise HTTPException(status_code=404)


async def dev_mailbox(request: Request):
    """/udvikling/post: what the development mail server kept (development only; 404 in production)."""
    _development()
    messages = [
        {"name": name, "subject": m["Subject"], "to": m["To"], "date": m["Date"], "message_id": m["Message-ID"]}
        for name, m in read_messages(get_settings().dev_mail_dir)[:200]
    ]
    return await render(request, "mail/dev_mailbox.html", {"messages": messages, "shown": None})


async def dev_message(request: Request):
    _development()
    name = request.path_params["name"]
    found = [m for n, m in read_messages(get_settings().dev_mail_dir) if n == name]
    if not found:
        raise HTTPException(status_code=404)
    message = found[0]
    text = message.get_body(preferencelist=("plain",))
    shown = {
        "name": name,
        "headers": [(k, str(v)) for k, v in message.items()],
        "text": text.get_content() if text is not None else "",
    }
    return await render(request, "mail/dev_mailbox.html", {"messages": [], "shown": shown})
