"""Relay global ids as the portal's addresses hold them: base64 of "Type:pk" (schema/ids.py decodes them).

Here, below schema/, so that a service can write a link to an object (a notification's e-mail)."""

from __future__ import annotations

import base64


def global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")
