"""Danish alphabetical order: Æ, Ø and Å after Z, case and accents ignored (é as e, ä as æ, ö as ø),
and "aa" as å (Aarhus after Åbo), as Danish dictionaries and ICU's Danish collation have it.

One definition for the portal's lists (Python) and for SQLite, where it is registered on connect as
the SQL function `danish_key(text)` (backend/db.py); PostgreSQL uses its ICU collation
`"da-DK-x-icu"` instead (backend/db.py danish_order), which orders the same way.
"""

from __future__ import annotations

import unicodedata

# After z, in this order; the others fold into them as Danish dictionaries do.
_AFTER_Z = {"æ": "\x7b", "ä": "\x7b", "ø": "\x7c", "ö": "\x7c", "å": "\x7d"}


def danish_sort_key(text: str | None) -> str:
    """A string that sorts (by code point) in Danish alphabetical order, ties broken by the text."""
    if text is None:
        return ""
    out = []
    for char in text.casefold().replace("aa", "å"):
        if char in _AFTER_Z:
            out.append(_AFTER_Z[char])
            continue
        # é -> e, ü -> u: drop the accent, keep the letter.
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        out.append(base or char)
    return "".join(out) + "\x00" + text
