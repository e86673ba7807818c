"""The named GraphQL operations of the portal (frontend/operations/*.graphql), run in-process.

Every page reads and writes through these operations as the signed-in actor, so the portal can
never show more than the API allows that actor.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse

OPERATIONS = Path(__file__).resolve().parent / "operations"
log = logging.getLogger(__name__)


class OperationFailed(Exception):
    """The API answered with errors (an unknown or malformed id, or a bug)."""

    def __init__(self, name: str, messages: list[str]):
        super().__init__(f"{name}: {'; '.join(messages)}")
        self.name = name
        self.messages = messages


@lru_cache
def documents() -> dict[str, str]:
    """Operation name -> the text of the file that defines it (with the file's fragments)."""
    found: dict[str, str] = {}
    for path in sorted(OPERATIONS.glob("*.graphql")):
        source = path.read_text(encoding="utf-8")
        for definition in parse(source).definitions:
            if isinstance(definition, OperationDefinitionNode):
                if definition.name is None:
                    raise ValueError(f"{path.name}: every portal operation must be named")
                name = definition.name.value
                if name in found:
                    raise ValueError(f"{path.name}: operation {name} is defined twice")
                found[name] = source
    return found


async def run_operation(name: str, variables: dict[str, Any] | None = None, *, actor, request=None) -> dict:
    from schema.api import execute

    document = documents()[name]
    result = await execute(document, variables or {}, actor=actor, operation_name=name, request=request)
    if result.errors:
        # Messages name ids and codes only; the API never puts residents' text into errors.
        messages = [e.message for e in result.errors]
        log.info("operation %s answered errors: %s", name, messages)
        raise OperationFailed(name, messages)
    return result.data or {}
