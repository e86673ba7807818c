"""The gettext catalogs: every interface text has an English translation, and the placeholders match."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(FRONTEND),
        METHOD_MAP,
        keywords=KEYWORDS,
        directory_filter=lambda d: "node_modules" not in d and "static" not in d,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(code: str):
    with (FRONTEND / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=code)


def test_every_text_is_in_the_english_catalog():
    english = catalog("en")
    missing = sorted(m for m in extracted() if not (english.get(m) and english.get(m).string))
    assert missing == [], f"untranslated (run pybabel update, then translate): {missing[:20]}"


def test_placeholders_survive_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in catalog("en"):
        if message.id and message.string:
            assert sorted(placeholder.findall(message.id)) == sorted(placeholder.findall(message.string)), message.id


def test_catalogs_compile_and_translate():
    from frontend.i18n import compile_catalogs, translations

    compile_catalogs(force=True)
    translations.cache_clear()
    assert translations("en").gettext("Log ind") == "Sign in"
    assert translations("da").gettext("Log ind") == "Log ind"
