"""Lists in the portal in Danish alphabetical order (backend/collation.py)."""

from __future__ import annotations

from backend.collation import danish_sort_key

__all__ = ["by_name", "danish_sort_key"]


def by_name(items: list[dict], key: str = "name") -> list[dict]:
    return sorted(items, key=lambda item: danish_sort_key(item.get(key)))
