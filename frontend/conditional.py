"""Conditional GET for the portal's files (the yearly report's CSV/XLSX, the `.ics` feeds).

Each file gets an `ETag` (weak: a digest of what the file says, since an XLSX made twice from the same
data differs in its zip's timestamps) and, when known, a `Last-Modified` from the newest change to its
data. A client that sends back a validator that still matches gets `304 Not Modified` (RFC 9110, 13.1
and 13.2.2): `If-None-Match` is evaluated with weak comparison and, when present, `If-Modified-Since`
is ignored. The handler decides who may see the file before it calls `export_response`, so a 304 is
only ever an answer to someone who would have got the 200.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

# An entity tag in a list (RFC 9110, 8.8.3): optional weakness, then a quoted opaque string.
_ENTITY_TAG = re.compile(r'(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)"')


def entity_tag(*parts: object) -> str:
    """A weak entity tag for a representation made of these parts (bytes, or anything with a stable repr)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return f'W/"{digest.hexdigest()[:32]}"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/").strip('"')


def not_modified(headers: Headers, etag: str, last_modified: datetime | None) -> bool:
    """Whether a GET/HEAD with these request headers may be answered 304 (RFC 9110, 13.2.2 steps 3 and 4)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        return _opaque(etag) in _ENTITY_TAG.findall(if_none_match)  # weak comparison: W/ does not count
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):  # not an HTTP date: the field is ignored (RFC 9110, 13.1.3)
        return False
    if since.tzinfo is None:  # "-0000" parses naive; HTTP dates are GMT
        since = since.replace(tzinfo=UTC)
    return last_modified.astimezone(UTC).replace(microsecond=0) <= since


def export_response(
    request: Request,
    *,
    etag: str,
    last_modified: datetime | None,
    cache_control: str,
    body: Callable[[], bytes],
    media_type: str,
    filename: str,
    vary: str | None = None,
) -> Response:
    """The file as a download, or 304 when the client's copy is still current (the body is then not made).

    Call it only after the request's actor is known to be allowed the file: forbidden looks like absent."""
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    if vary:
        headers["Vary"] = vary
    if request.method in ("GET", "HEAD") and not_modified(request.headers, etag, last_modified):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body(), media_type=media_type, headers=headers)
