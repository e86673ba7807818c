"""A mail as it goes out: in the recipient's language, a plain-text and an HTML part, a stable Message-ID and a
one-click unsubscribe (RFC 8058) that works without signing in.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from html import escape
from urllib.parse import urlsplit

from babel.dates import format_date

from backend import clock
from backend.i18n import N_, language, translate
from backend.models import OutboxMail, pk
from backend.services.validation import utc
from backend.settings import get_settings

# Paths in the portal that mails link to (frontend/pages/mail.py serves them).
UNSUBSCRIBE_PATH = "/post/afmeld/"
CONFIRM_PATH = "/post/bekraeft/"
PREFERENCES_PATH = "/min-side#e-mail"
CONFIRM_KIND = "CONFIRM_ADDRESS"  # the outbox row of a double opt-in mail; its one line links with the token
CONFIRM_HOURS = 48

FOOTER = N_("Du får denne e-mail, fordi du har bedt om at få besked fra Helhedsplan-portalen.")
UNSUBSCRIBE = N_("Afmeld e-mails")
CHANGE = N_("Skift e-mailadresse eller hvad du får besked om på Min side")
OPEN = N_("Åbn i portalen")
DIGEST_SUBJECT = N_("Nyt i Helhedsplan-portalen %(date)s")
DIGEST_INTRO = N_("Det her er sket siden sidste oversigt:")
CONFIRM_SUBJECT = N_("Bekræft din e-mailadresse")
CONFIRM_TEXT = N_(
    "Nogen, forhåbentlig dig, har skrevet denne adresse på Min side i Helhedsplan-portalen. "
    "Følg linket for at bekræfte, at du vil have e-mails. Linket virker i %(hours)d timer."
)
CONFIRM_IGNORE = N_("Har du ikke bedt om det, så gør ingenting: du får ingen e-mails.")
CONFIRM_BUTTON = N_("Bekræft e-mailadressen")


def public_url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def _mail_host() -> str:
    return urlsplit(get_settings().base_url).hostname or "localhost"


def message_id(row: OutboxMail) -> str:
    """The same for every attempt at the row, and unique: a resend after a crash is seen as the same mail."""
    return f"<outbox.{pk(row)}.{int(utc(row.created_at).timestamp())}@{_mail_host()}>"


def _unsubscribe_mac(account_id: int) -> str:
    key = get_settings().secret_key.encode("utf-8")
    return hmac.new(key, f"mail-unsubscribe:{account_id}".encode(), hashlib.sha256).hexdigest()[:32]


def unsubscribe_token(account_id: int) -> str:
    """The token in an unsubscribe link: the account id and a keyed hash of it (nothing stored)."""
    return f"{account_id}.{_unsubscribe_mac(account_id)}"


def unsubscribe_account(token: str) -> int | None:
    """The account an unsubscribe token is for, or None when it is not one we made."""
    account, _, mac = token.partition(".")
    if not account.isdigit() or len(account) > 18:
        return None
    account_id = int(account)
    return account_id if hmac.compare_digest(mac.encode(), _unsubscribe_mac(account_id).encode()) else None


def _document(code: str, title: str, body_html: str) -> str:
    lang = language(code)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang.code}" dir="{lang.direction}">\n<head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n<body>\n{body_html}</body>\n</html>\n"
    )


def _message(*, to: str, subject: str, code: str, text: str, html: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = get_settings().mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = rfc2822_date(clock.now())
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to it
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg["Content-Language"] = language(code).code  # after the parts: set_content moves Content-* headers
    return msg


def notification_mail(row: OutboxMail, to: str) -> EmailMessage:
    """The mail of an outbox row (one notification, or a digest of several) to the address."""
    code = row.language
    unsubscribe = public_url(UNSUBSCRIBE_PATH + unsubscribe_token(row.account_id))
    preferences = public_url(PREFERENCES_PATH)
    intro = [translate(code, DIGEST_INTRO)] if len(row.lines) > 1 else []
    text_lines = [*intro]
    html_items = []
    for line in row.lines:
        link = public_url(line["link"])
        text_lines.append(f"{line['text']}\n{translate(code, OPEN)}: {link}")
        html_items.append(
            f'<p>{escape(line["text"])}<br><a href="{escape(link)}">{escape(translate(code, OPEN))}</a></p>\n'
        )
    footer = translate(code, FOOTER)
    text = "\n\n".join(
        [
            *text_lines,
            "-- ",
            f"{footer}\n{translate(code, CHANGE)}: {preferences}\n{translate(code, UNSUBSCRIBE)}: {unsubscribe}",
        ]
    )
    html = _document(
        code,
        row.subject,
        "".join(f"<p>{escape(i)}</p>\n" for i in intro)
        + "".join(html_items)
        + f'<hr>\n<p><small>{escape(footer)}<br><a href="{escape(preferences)}">{escape(translate(code, CHANGE))}</a>'
        f'<br><a href="{escape(unsubscribe)}">{escape(translate(code, UNSUBSCRIBE))}</a></small></p>\n',
    )
    msg = _message(to=to, subject=row.subject, code=code, text=text + "\n", html=html)
    msg["Message-ID"] = message_id(row)
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg


def digest_subject(code: str, day: datetime) -> str:
    """The subject of a daily digest: the day in the recipient's language (Babel, CLDR's long date)."""
    lang = language(code)
    when = format_date(day.astimezone(clock.LOCAL_TZ).date(), "long", locale=lang.babel_locale)
    return translate(code, DIGEST_SUBJECT, date=when)


def confirmation_mail(row: OutboxMail, to: str) -> EmailMessage:
    """The double opt-in mail: a link that confirms the address; nothing else goes to it before."""
    code = row.language
    link = public_url(row.lines[0]["link"])
    subject = translate(code, CONFIRM_SUBJECT)
    said = translate(code, CONFIRM_TEXT, hours=CONFIRM_HOURS)
    ignore = translate(code, CONFIRM_IGNORE)
    text = f"{said}\n\n{translate(code, CONFIRM_BUTTON)}: {link}\n\n{ignore}\n"
    html = _document(
        code,
        subject,
        f'<p>{escape(said)}</p>\n<p><a href="{escape(link)}">{escape(translate(code, CONFIRM_BUTTON))}</a></p>\n'
        f"<p>{escape(ignore)}</p>\n",
    )
    msg = _message(to=to, subject=subject, code=code, text=text, html=html)
    msg["Message-ID"] = message_id(row)
    return msg


def mail_for(row: OutboxMail, to: str) -> EmailMessage:
    """The mail an outbox row stands for."""
    return confirmation_mail(row, to) if row.kind == CONFIRM_KIND else notification_mail(row, to)
