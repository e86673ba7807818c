"""Jinja2 environments, one per language, with the gettext catalog installed and autoescape on.

Autoescape is on for every template, so anything a resident or partner wrote is escaped; no
template marks user text `|safe`.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape

from backend import clock
from frontend.i18n import LANGUAGES, translations
from frontend.labels import label

TEMPLATES = Path(__file__).resolve().parent / "templates"
LOCAL_TZ = clock.LOCAL_TZ


def parse_datetime(value) -> datetime | None:
    """A moment in Danish time; None when empty or when it cannot be read or shown.

    Pages render defensively: a stored value the code cannot format (e.g. 9999-12-31T23:00Z, which has
    no Danish time) is left out, never a server error.
    """
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            dt = value
        else:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.astimezone(LOCAL_TZ)
    except (ValueError, OverflowError, TypeError):
        return None


def parse_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _filters(code: str) -> dict:
    def dt(value, fmt: str = "d. MMMM y 'kl.' HH:mm"):
        parsed = parse_datetime(value)
        if parsed is None:
            return ""
        if code != "da" and fmt == "d. MMMM y 'kl.' HH:mm":
            fmt = "d MMMM y, HH:mm"
        return format_datetime(parsed, fmt, locale=code)

    def day(value, fmt: str = "long"):
        parsed = parse_date(value) if not isinstance(value, datetime) else parse_datetime(value)
        if parsed is None:
            return ""
        return format_date(parsed, fmt, locale=code)

    def clock(value):
        parsed = parse_datetime(value)
        return format_time(parsed, "HH:mm", locale=code) if parsed else ""

    def number(value, fmt: str | None = None):
        if value is None or value == "":
            return ""
        try:
            return format_decimal(value, format=fmt, locale=code)
        except (ArithmeticError, ValueError, TypeError):  # e.g. 1e300: more digits than a format holds
            return str(value)

    def local_input(value):
        """A datetime as a datetime-local form value, in Danish time."""
        parsed = parse_datetime(value)
        return parsed.strftime("%Y-%m-%dT%H:%M") if parsed else ""

    return {"dt": dt, "day": day, "clock": clock, "number": number, "local_input": local_input}


def query_url(path: str, **params) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", [])}
    return f"{path}?{urlencode(kept, doseq=True)}" if kept else path


@lru_cache
def environment(code: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(code), newstyle=True)
    env.filters.update(_filters(code))
    gettext = translations(code).gettext
    env.filters["label"] = lambda value, enum: label(gettext, enum, value)
    env.globals.update(languages=LANGUAGES.values(), query_url=query_url)
    return env
