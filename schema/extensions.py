"""Schema extensions that keep the per-request context tidy."""

from __future__ import annotations

from typing import AsyncIterator

from strawberry.extensions import SchemaExtension


class ReleaseSessionAfterOperation(SchemaExtension):
    """A WebSocket context lives for the whole connection: release its session after each operation,
    so no connection is held between messages and each operation sees fresh rows."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if getattr(context, "long_lived", False):
            await context.close()
