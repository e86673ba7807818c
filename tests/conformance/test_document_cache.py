"""The document cache: a repeated document is neither parsed nor validated again, and answers the same."""

from __future__ import annotations

import pytest
import strawberry.schema.schema as strawberry_schema

from schema import document_cache
from schema.api import execute

VALID = "query DocCacheValid { partners(first: 2) { totalCount nodes { name } } }"
INVALID = "query DocCacheInvalid { partners { noSuchField } }"
BROKEN = "query DocCacheBroken { partners { "


@pytest.fixture()
def counted(monkeypatch):
    """Counts strawberry's calls of graphql-core's validation (a spy: the real function still runs)."""
    calls = {"validate": 0}
    real = strawberry_schema.validate_document

    def counting(*args, **kwargs):
        calls["validate"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate_document", counting)
    return calls


async def test_repeated_documents_skip_parse_and_validation(counted):
    document_cache.clear()
    first = await execute(VALID)
    assert counted["validate"] == 1
    second = await execute(VALID)
    assert counted["validate"] == 1
    assert first.errors is None and second.errors is None and first.data == second.data


async def test_invalid_documents_keep_their_errors_and_broken_ones_are_not_kept(counted):
    document_cache.clear()
    one, two = await execute(INVALID), await execute(INVALID)
    assert one.data is None and two.data is None
    assert [e.message for e in one.errors] == [e.message for e in two.errors]
    assert "noSuchField" in one.errors[0].message
    assert counted["validate"] == 1
    broken = await execute(BROKEN)
    assert broken.errors and "Syntax Error" in broken.errors[0].message
    assert BROKEN not in document_cache._cache


async def test_limits_still_apply_to_a_cached_document():
    document_cache.clear()
    deep = "query DocCacheDeep { plans { nodes { " + "activities { nodes { plan { " * 8 + "id" + " } } }" * 8 + " } } }"
    for _ in range(2):
        result = await execute(deep)
        assert result.data is None and result.errors
        assert any("too deep" in e.message for e in result.errors)
