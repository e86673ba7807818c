"""One security policy for every HTTP response: the portal, /auth/*, /graphql (GraphiQL too), reports.

A pure ASGI middleware (no buffering, WebSockets untouched) that adds the headers a response has not
set itself, so a page that needs another Content-Security-Policy (GraphiQL) sets its own and keeps
the rest.
"""

from __future__ import annotations

# The pages use no inline script or style and load nothing from elsewhere.
# (No form-action: browsers apply it to the redirect after a form, and signing out redirects to the provider.)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",  # frame-ancestors for browsers that predate it
}
_ENCODED = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]


class SecurityHeaders:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in _ENCODED if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
