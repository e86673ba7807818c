"""Writes the schema snapshot: `python -m schema.export` (or `make schema`) -> schema/schema.graphql."""

from __future__ import annotations

import sys
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "schema.graphql"


def render() -> str:
    from schema.api import schema

    return schema.as_str().rstrip("\n") + "\n"


def main() -> int:
    text = render()
    if SNAPSHOT.exists() and SNAPSHOT.read_text(encoding="utf-8") == text:
        print(f"{SNAPSHOT.name} is up to date")
        return 0
    SNAPSHOT.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
