"""The named GraphQL operations of the portal (frontend/operations/*.graphql), run in-process.

Every page reads and writes through these operations as the signed-in actor, so the portal can
never show more than the API allows that actor.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

OPERATIONS = Path(__file__).resolve().parent / "operations"
log = logging.getLogger(__name__)


class OperationFailed(Exception):
    """The API answered with errors (an unknown or malformed id, or a bug)."""

    def __init__(self, name: str, messages: list[str]):
        super().__init__(f"{name}: {'; '.join(messages)}")
        self.name = name
        self.messages = messages


class _Spreads(Visitor):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args):
        self.names.add(node.name.value)


def _spreads(node) -> set[str]:
    visitor = _Spreads()
    visit(node, visitor)
    return visitor.names


@lru_cache
def documents() -> dict[str, str]:
    """Operation name -> a document with just that operation and the fragments it uses.

    A file groups the operations of one part of the portal; each request sends only what it runs,
    so the API validates no more than needed.
    """
    found: dict[str, str] = {}
    for path in sorted(OPERATIONS.glob("*.graphql")):
        definitions = parse(path.read_text(encoding="utf-8")).definitions
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        for definition in definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if definition.name is None:
                raise ValueError(f"{path.name}: every portal operation must be named")
            name = definition.name.value
            if name in found:
                raise ValueError(f"{path.name}: operation {name} is defined twice")
            needed: list[str] = []
            todo = sorted(_spreads(definition))
            while todo:
                fragment = todo.pop()
                if fragment in needed:
                    continue
                needed.append(fragment)
                todo.extend(sorted(_spreads(fragments[fragment])))
            found[name] = print_ast(DocumentNode(definitions=(definition, *(fragments[f] for f in sorted(needed)))))
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
