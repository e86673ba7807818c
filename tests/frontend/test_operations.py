"""The portal's named operations are valid against the committed schema snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from frontend.operations import OPERATIONS, documents

SNAPSHOT = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


@pytest.mark.parametrize("path", sorted(OPERATIONS.glob("*.graphql")), ids=lambda p: p.name)
def test_operations_validate_against_the_schema_snapshot(path):
    schema = build_schema(SNAPSHOT.read_text(encoding="utf-8"))
    errors = validate(schema, parse(path.read_text(encoding="utf-8")))
    assert not errors, "\n".join(f"{path.name}: {e.message}" for e in errors)


def test_every_operation_has_a_unique_name():
    names = documents()
    assert len(names) >= 20
    assert all(name[0].isupper() for name in names)


def test_every_operation_is_used_by_a_page():
    source = "\n".join(p.read_text() for p in (OPERATIONS.parent / "pages").glob("*.py"))
    unused = [name for name in documents() if f'"{name}"' not in source]
    assert unused == []
