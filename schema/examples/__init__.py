"""Example operations for the common staff tasks, one `.graphql` file each in this folder.

They are documentation that runs: a test validates each against the schema and checks that it fits
the staff cost limit (schema/limits.py), and /medarbejder/graphql-eksempler opens each in GraphiQL.
Each file starts with `#` comment lines that say what it does; a line `# Variables: {...}` gives
example variables (JSON) to start from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).parent


@dataclass(frozen=True)
class Example:
    name: str  # the file name, e.g. "01-inbox.graphql"
    text: str  # the whole document, comments included
    description: str  # the leading comment lines, joined
    variables: str | None  # example variables (JSON text), from a "# Variables:" line

    @property
    def key(self) -> str:
        return self.name.removesuffix(".graphql")


@lru_cache
def examples() -> tuple[Example, ...]:
    out = []
    for path in sorted(FOLDER.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        comments, variables = [], None
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            line = line.lstrip("#").strip()
            if line.startswith("Variables:"):
                variables = line.removeprefix("Variables:").strip()
            else:
                comments.append(line)
        out.append(Example(path.name, text, " ".join(comments), variables))
    return tuple(out)
