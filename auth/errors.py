"""Authentication failures: a 401 with a GraphQL-style JSON body, never a silent anonymous fallback.

AuthenticationError is a Starlette HTTPException whose detail is the JSON body and whose headers set
the content type, so even Starlette's default handler answers
`401 {"errors": [{"message": ..., "extensions": {"code": "UNAUTHENTICATED"}}]}` with a
`WWW-Authenticate: Bearer error="invalid_token"` header. `.response()` builds the same response
for code that catches it; WebSocket handlers should close with code 4401 instead.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse


class AuthenticationError(HTTPException):
    def __init__(self, message: str, *, status_code: int = 401, code: str = "UNAUTHENTICATED"):
        self.message = message
        self.code = code
        body = {
            "data": None,
            "errors": [{"message": f"Authentication failed: {message}", "extensions": {"code": code}}],
        }
        quoted = message.replace("\\", "").replace('"', "'")
        headers = {"content-type": "application/json", "cache-control": "no-store"}
        if status_code == 401:
            headers["www-authenticate"] = f'Bearer error="invalid_token", error_description="{quoted}"'
        super().__init__(status_code=status_code, detail=json.dumps(body), headers=headers)

    @property
    def body(self) -> dict:
        return json.loads(self.detail)

    def response(self) -> JSONResponse:
        headers = {k: v for k, v in (self.headers or {}).items() if k != "content-type"}
        return JSONResponse(self.body, status_code=self.status_code, headers=headers)

    def __str__(self) -> str:
        return self.message
