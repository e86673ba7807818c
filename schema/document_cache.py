"""Parse and validate each distinct GraphQL document once per process.

The portal and clients send the same few documents again and again; parsing and validating them
(with the limits of schema/limits.py, which are fixed) gives the same result every time. This
extension keeps the parsed document and its validation errors, keyed by the document's text, in a
bounded LRU; a repeated document skips both steps. It must come first in the schema's extensions.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

MAX_ENTRIES = 500
MAX_MEMO = 64  # derived values kept per document (costs for different `first` variables, ...)
MAX_DOCUMENT = 32 * 1024  # longer documents are parsed every time (and not kept)

# What is derived from one document, by what it was derived for (see memo).
Memo = dict[Hashable, object]
# query text -> (parsed document, validation errors, memo)
Cached = tuple[DocumentNode, tuple[GraphQLError, ...], Memo]
_cache: OrderedDict[str, Cached] = OrderedDict()


def clear() -> None:
    _cache.clear()


def memo(query: str | None) -> Memo | None:
    """A place for what is derived from a cached document (its cost: schema/extensions.py), kept and
    dropped with it; None when the document is not cached."""
    hit = _cache.get(query) if query is not None else None
    return hit[2] if hit is not None else None


def remember(memo: Memo, key: Hashable, value: object) -> None:
    if len(memo) >= MAX_MEMO:
        memo.clear()
    memo[key] = value


class DocumentCache(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        self._hit: Cached | None = None
        if query is not None and context.graphql_document is None:
            hit = _cache.get(query)
            if hit is not None:
                _cache.move_to_end(query)
                context.graphql_document = hit[0]
                self._hit = hit
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self._hit is not None:
            context.pre_execution_errors = list(self._hit[1])  # validation is skipped when this is set
            yield
            return
        yield
        query = context.query
        if (
            query is not None
            and len(query) <= MAX_DOCUMENT
            and context.graphql_document is not None
            and context.pre_execution_errors is not None
        ):
            _cache[query] = (context.graphql_document, tuple(context.pre_execution_errors), {})
            while len(_cache) > MAX_ENTRIES:
                _cache.popitem(last=False)
