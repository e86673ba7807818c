"""The schema with and without the fast execution engine, whatever FAST_EXECUTION says for this run:
tests of the engine use `fast()`, comparisons run both."""

from __future__ import annotations

from functools import cache

from schema.api import build_schema, schema
from schema.engine_internals import is_fast


@cache
def fast():
    return schema if is_fast(schema) else build_schema(fast_execution=True)


@cache
def plain():
    return schema if not is_fast(schema) else build_schema(fast_execution=False)
