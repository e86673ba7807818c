"""Provider metadata and signing keys, fetched over HTTP and cached per issuer.

Keys are refetched when a token names a key id we do not know (the provider rotated its keys),
at most once per REFETCH_INTERVAL so that tokens with made-up key ids cannot make us hammer it.
One fetch per issuer is in flight at a time: the requests that find the keys missing meanwhile await it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from joserfc.jwk import KeySet

from auth.http import httpx
from auth.issuers import Issuer

METADATA_TTL = 60 * 60
KEYS_TTL = 60 * 60
REFETCH_INTERVAL = 10.0
HTTP_TIMEOUT = 10.0


class ProviderUnavailable(Exception):
    """The provider's metadata or keys could not be fetched."""


@dataclass
class _Entry:
    value: object
    fetched_at: float


_metadata: dict[str, _Entry] = {}
_keys: dict[str, _Entry] = {}
_fetching: dict[str, asyncio.Task[KeySet]] = {}


def clear_cache() -> None:
    _metadata.clear()
    _keys.clear()
    _fetching.clear()


async def _get_json(url: str) -> dict:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.get(url, headers={"accept": "application/json"})
            response.raise_for_status()
            data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(f"could not fetch {url}: {type(exc).__name__}") from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"{url} did not answer a JSON object")
    return data


async def metadata(issuer: Issuer) -> dict:
    """The provider's discovery document; its "issuer" must be the configured URL."""
    entry = _metadata.get(issuer.id)
    if entry and time.monotonic() - entry.fetched_at < METADATA_TTL:
        return entry.value  # type: ignore[return-value]
    data = await _get_json(issuer.discovery_url)
    if str(data.get("issuer", "")).rstrip("/") != issuer.url:
        raise ProviderUnavailable(f"discovery document of {issuer.id} names another issuer")
    _metadata[issuer.id] = _Entry(data, time.monotonic())
    return data


async def _fetch_keys(issuer: Issuer) -> KeySet:
    meta = await metadata(issuer)
    jwks_uri = meta.get("jwks_uri")
    if not jwks_uri:
        raise ProviderUnavailable(f"{issuer.id} publishes no jwks_uri")
    data = await _get_json(jwks_uri)
    # Only public signing keys: a symmetric ("oct") key in a JWKS is never acceptable.
    keys = [
        k
        for k in data.get("keys", [])
        if isinstance(k, dict) and k.get("kty") in ("RSA", "EC") and k.get("use", "sig") == "sig" and "d" not in k
    ]
    keyset = KeySet.import_key_set({"keys": keys})
    _keys[issuer.id] = _Entry(keyset, time.monotonic())
    return keyset


async def _fetch_keys_once(issuer: Issuer) -> KeySet:
    """`_fetch_keys`, shared by every request that asks while it runs (its keys or its error); a failed
    fetch is forgotten with it, so the next request tries again."""
    task = _fetching.get(issuer.id)
    if task is None or task.get_loop() is not asyncio.get_running_loop():
        task = asyncio.ensure_future(_fetch_keys(issuer))
        _fetching[issuer.id] = task
        task.add_done_callback(lambda done: _fetched(issuer.id, done))
    # One waiter's cancellation (its client went away) does not cancel the fetch the others await.
    return await asyncio.shield(task)


def _fetched(issuer_id: str, task: asyncio.Task[KeySet]) -> None:
    if _fetching.get(issuer_id) is task:
        del _fetching[issuer_id]
    if not task.cancelled():
        task.exception()  # retrieved here too: an error whose waiters all went away is no asyncio warning


async def key_for(issuer: Issuer, kid: str | None) -> KeySet | None:
    """The issuer's keys, refreshed when `kid` is unknown; None when no key matches."""
    entry = _keys.get(issuer.id)
    now = time.monotonic()
    if entry is None or now - entry.fetched_at >= KEYS_TTL:
        keyset = await _fetch_keys_once(issuer)
    else:
        keyset = entry.value  # type: ignore[assignment]
        if not _has_kid(keyset, kid) and now - entry.fetched_at >= REFETCH_INTERVAL:
            keyset = await _fetch_keys_once(issuer)
    if not _has_kid(keyset, kid):
        return None
    return keyset


def _has_kid(keyset: KeySet, kid: str | None) -> bool:
    if kid is None:
        return len(keyset.keys) == 1
    return any(k.kid == kid for k in keyset.keys)
