"""httpx for the sign-in's HTTP calls (provider metadata, keys, token exchange), without its command line.

httpx's package imports its command-line client (`httpx._main`: click, rich, pygments) whenever those
happen to be installed (here, by the test tools), and falls back to a stub when that import fails. The
server never runs it: marking the module absent takes the fallback and saves each server process about
10 MB. tests/auth/test_http_client.py checks both assumptions (the fallback, and nothing else missing).
"""

from __future__ import annotations

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None marks a module absent

import httpx as httpx  # noqa: E402 - after its command line is marked absent; `as` re-exports it
