"""Jinja2 environments, one per language, with the gettext catalog installed and autoescape on.

Autoescape is on for every template, so anything a resident or partner wrote is escaped; no
template marks user text `|safe`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_datetime,
    format_interval,
    format_skeleton,
    format_time,
    get_date_format,
    get_datetime_format,
    get_time_format,
)
from babel.lists import format_list
from babel.numbers import format_decimal
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from backend import clock
from frontend.forms import LIMITS
from frontend.i18n import LANGUAGES, translations
from frontend.labels import data_text, input_state, label

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
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
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


# ---------------------------------------------------------------- dates: one style per language
# Every date and time on a page goes through these styles, all taken from the locale's own
# (CLDR) patterns through Babel, so a language added to LANGUAGES formats its dates correctly
# without a pattern of its own. Templates name a style, never a pattern.
DATE_STYLES = {
    "long": lambda d, loc: format_date(d, "long", locale=loc),  # 30. november 2026
    "weekday": lambda d, loc: format_date(d, "full", locale=loc),  # mandag den 30. november 2026
    "day_month": lambda d, loc: format_skeleton("MMMMd", d, locale=loc),  # 30. november
    "month_year": lambda d, loc: format_skeleton("yMMM", d, locale=loc),  # nov. 2026
    "year": lambda d, loc: format_skeleton("y", d, locale=loc),  # 2026
}


def _datetime_pattern(loc: str) -> str:
    """The locale's pattern for a date with a time: its long date and short time, joined its way."""
    joined = str(get_datetime_format("medium", locale=loc))  # a str (babel types it str | DateTimePattern)
    return joined.replace("{1}", get_date_format("long", locale=loc).pattern).replace(
        "{0}", get_time_format("short", locale=loc).pattern
    )


def _time_skeleton(loc: str) -> str:
    """The hour cycle of the locale's own short time: 24 hours (Hm: 10.00) or 12 (hm: 10:00 AM)."""
    return "hm" if "h" in get_time_format("short", locale=loc).pattern else "Hm"


# The parts of a locale's date-with-time pattern ("{1}، {0}"): {1} the date, {0} the time, the rest literal.
_DATETIME_PARTS = re.compile(r"(\{[01]\})")


def _filters(code: str) -> dict:
    loc = LANGUAGES[code].babel_locale if code in LANGUAGES else code
    numbering = LANGUAGES[code].numbering if code in LANGUAGES else "latn"

    def dt(value):
        parsed = parse_datetime(value)
        if parsed is None:
            return ""
        return format_datetime(parsed, _datetime_pattern(loc), locale=loc)

    def day(value, style: str = "long"):
        parsed = parse_date(value) if not isinstance(value, datetime) else parse_datetime(value)
        if parsed is None:
            return ""
        if isinstance(parsed, datetime):
            parsed = parsed.date()
        return DATE_STYLES[style](parsed, loc)

    def clock(value):
        parsed = parse_datetime(value)
        return format_time(parsed, "short", locale=loc) if parsed else ""

    def time_range(start, end=None) -> Markup | str:
        """From one time to another, as the locale writes an interval (10.00–12.00, 10:00 AM – 2:00 PM),
        isolated: a <bdi> takes the direction of its own first letter, so a Latin AM/PM inside an Urdu
        sentence no longer pulls the end time in front of the start time."""
        starts, ends = parse_datetime(start), parse_datetime(end)
        if starts is None:
            return ""
        if ends is None or ends < starts:
            text = format_time(starts, "short", locale=loc)
        else:
            text = format_interval(starts, ends, _time_skeleton(loc), locale=loc)
        return Markup("<bdi>{}</bdi>").format(text)

    def when(start, end=None, style: str = "long") -> Markup | str:
        """A date (in one of DATE_STYLES) with the times it lasts, joined as the locale joins a date and a
        time (30. november 2026 10.00–12.00; 30 نوفمبر 2026، 10:00 ص – 12:00 م)."""
        starts = parse_datetime(start)
        if starts is None:
            return ""
        parts = {"{1}": escape(DATE_STYLES[style](starts.date(), loc)), "{0}": time_range(starts, end)}
        joined = str(get_datetime_format("medium", locale=loc))
        return Markup("").join(
            parts[part] if part in parts else escape(format_datetime(starts, part, locale=loc)) if part else ""
            for part in _DATETIME_PARTS.split(joined)
        )

    def names(values, style: Literal["standard", "or"] = "standard") -> Markup:
        """Names as the locale lists them (A, B og C; A، B اور C; style "or": A eller B), each escaped, or
        kept when it is markup already (`|bdi`)."""
        items = [escape(value) for value in values if value not in (None, "")]
        if not items:
            return Markup("")
        # Babel joins plain text: join placeholders, then put the (escaped) items in their places.
        slots = [f"\x00{n}\x00" for n in range(len(items))]
        joined = escape(format_list(slots, style=style, locale=loc))
        return Markup(re.sub("\x00(\\d+)\x00", lambda m: items[int(m.group(1))], joined))

    def number(value, fmt: str | None = None):
        if value is None or value == "":
            return ""
        try:
            return format_decimal(value, format=fmt, locale=loc, numbering_system=numbering)
        except (ArithmeticError, ValueError, TypeError):  # e.g. 1e300: more digits than a format holds
            return str(value)

    def local_input(value):
        """A datetime as a datetime-local form value, in Danish time."""
        parsed = parse_datetime(value)
        return parsed.strftime("%Y-%m-%dT%H:%M") if parsed else ""

    return {
        "dt": dt,
        "day": day,
        "clock": clock,
        "time_range": time_range,
        "when": when,
        "names": names,
        "number": number,
        "local_input": local_input,
    }


def upcoming(occurrences) -> dict:
    """The next occurrence that is held, and the cancelled ones before it: a list never shows a
    cancelled date as the next one."""
    cancelled, following = [], None
    for occurrence in occurrences or []:
        if occurrence.get("cancelled"):
            cancelled.append(occurrence)
        else:
            following = occurrence
            break
    return {"next": following, "cancelled": cancelled}


def language_name(value: str | None, code: str) -> str:
    """A language code as its name in the page's language (ar -> arabisk / Arabic), from Babel."""
    if not value:
        return ""
    loc = LANGUAGES[code].babel_locale if code in LANGUAGES else code
    try:
        return Locale.parse(loc).languages.get(value.replace("-", "_").split("_")[0], value)
    except (ValueError, UnknownLocaleError):
        return value


# Names of areas, estates, plans, groups, boards and organisations are registered in Danish. A heading that
# is only a name says so too (lang="da" in the template): screen readers then read it as Danish, and an Urdu
# page gives it Latin line heights rather than Nastaliq's.
NAMES_LANGUAGE = "da"


def bdi(value) -> Markup | str:
    """A name (of an area, estate, plan, organisation) isolated from the sentence around it, so a Danish
    name inside an Arabic sentence keeps its punctuation and numbers where they belong, and marked as
    Danish. Escaped."""
    if value is None or value == "":
        return ""
    return Markup('<bdi lang="{}">{}</bdi>').format(NAMES_LANGUAGE, value)


def other_languages(code: str) -> list:
    """The portal's languages but Danish, the page's own first: for "activities in Arabic" links."""
    others = [language for language in LANGUAGES.values() if language.code != "da"]
    return sorted(others, key=lambda language: language.code != code)


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
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
    env.filters.update(_filters(code))
    gettext = translations(code).gettext
    env.filters["label"] = lambda value, enum: label(gettext, enum, value)
    env.filters["member_role"] = lambda value: data_text(gettext, value)
    env.filters["upcoming"] = upcoming
    env.filters["bdi"] = bdi
    env.filters["data_text"] = lambda value: data_text(gettext, value)
    env.filters["input_state"] = lambda item: input_state(gettext, item)
    env.filters["language_name"] = lambda value: language_name(value, code)
    env.globals.update(
        languages=LANGUAGES.values(), query_url=query_url, limits=LIMITS, other_languages=other_languages
    )
    return env
