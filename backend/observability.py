"""Metrics, request ids and request logs: the primitives every layer may call.

- One `RequestRecord` per HTTP request or WebSocket (a context variable, so tasks started by the
  request share it). The schema and the portal note on it what only they know (the GraphQL
  operation, the actor's kind, the number of GraphQL errors); every SQL statement counts itself.
- `RequestObserver`, the ASGI middleware of backend/app.py, gives the request its id (a well-formed
  incoming `X-Request-ID`, else a new one, sent back as `X-Request-ID`), and at the end observes the
  Prometheus metrics and logs one line: route template, operation, actor kind, status, duration,
  statement count. Never the raw path, the query string, variables or form fields: no personal data.
- Prometheus metrics (prometheus-client) in multiprocess mode when the process is one of several
  workers: `uvicorn --workers N` starts its workers with multiprocessing, and each worker finds the
  same directory by its supervisor (see `_metrics_directory`). `PROMETHEUS_MULTIPROC_DIR` overrides
  that (an empty directory, wiped before the server starts); a single process keeps them in memory.
- `observe_query_cost(cost)` and `count_cache_lookup(cache, hit)` are the hooks for the cost
  analysis and the caches. Labels stay bounded: route templates, at most MAX_OPERATION_LABELS
  operation names per process (then "(other)"), status codes.
"""

from __future__ import annotations

import atexit
import hmac
import ipaddress
import itertools
import logging
import multiprocessing
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from backend.actor import Actor

log = logging.getLogger(__name__)

METRICS_DIR_PREFIX = "helhedsplan-metrics-"


# ---------------------------------------------------------------- where the workers' metrics meet
def _start_ticks(pid: int) -> str | None:
    """When the process started (clock ticks since boot; /proc on Linux), so a reused pid is not the same process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _owned_directory(path: Path) -> bool:
    info = os.lstat(path)
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()


def _sweep_stale_directories(base: Path, keep: Path) -> None:
    """Remove the directories of supervisors that are gone (a server stopped or killed earlier)."""
    for path in base.glob(f"{METRICS_DIR_PREFIX}*"):
        pid, _, ticks = path.name[len(METRICS_DIR_PREFIX) :].partition("-")
        if path == keep or not pid.isdigit() or not _owned_directory(path):
            continue
        if _start_ticks(int(pid)) != ticks:
            shutil.rmtree(path, ignore_errors=True)


def _metrics_directory() -> str | None:
    """The directory the workers of one server share, or None for a single process.

    A uvicorn worker (or the process `--reload` runs) is a multiprocessing child of the supervisor:
    every worker of a server derives the same private directory in the temp dir from the
    supervisor's pid and start time, so the counts of all workers are summed, and a new server
    never starts from an old one's numbers. Directories of supervisors that are gone are removed.
    """
    explicit = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if explicit:
        return explicit
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None or not Path("/proc").is_dir():
        return None
    ticks = _start_ticks(parent.pid)
    if ticks is None:
        return None
    base = Path(tempfile.gettempdir())
    path = base / f"{METRICS_DIR_PREFIX}{parent.pid}-{ticks}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        if not _owned_directory(path):
            log.warning("%s is not a directory of ours; metrics count this process only", path)
            return None
        _sweep_stale_directories(base, keep=path)
    except OSError:
        log.warning("no directory for the workers' metrics; metrics count this process only", exc_info=True)
        return None
    return str(path)


_directory = _metrics_directory()
if _directory and "prometheus_client.values" not in sys.modules:
    # prometheus-client chooses multiprocess mode when it is imported, from the environment.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _directory

from prometheus_client import (  # noqa: E402 - after PROMETHEUS_MULTIPROC_DIR is decided
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily  # noqa: E402 - as above

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
disable_created_metrics()  # the *_created series (absent in multiprocess mode anyway) are noise here


def _forget_dead_workers(directory: str) -> None:
    """Live gauges of workers that died without cleaning up (killed) would count forever."""
    for path in Path(directory).glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                multiprocess.mark_process_dead(int(pid), directory)
            except OSError:
                pass


if MULTIPROCESS:
    _forget_dead_workers(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    _pid = os.getpid()
    # On exit (SIGTERM included: uvicorn shuts down and returns) this worker's live gauges go.
    atexit.register(lambda: os.getpid() == _pid and multiprocess.mark_process_dead(_pid))


# ---------------------------------------------------------------- the metrics
REGISTRY = CollectorRegistry()
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_COST_BUCKETS = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)

# Every request is one observation: `_count` by route, operation and status is the request count, so
# no separate counter is written (each write takes a lock and touches the metrics file).
LATENCY = Histogram(
    "helhedsplan_request_duration_seconds",
    "Time to answer an HTTP request, by route template, GraphQL operation and status.",
    ("route", "operation", "status"),
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
# Statements per request = rate(helhedsplan_sql_statements_total) / rate(helhedsplan_request_duration_seconds_count).
STATEMENTS = Counter(
    "helhedsplan_sql_statements", "SQL statements run by HTTP requests.", ("route", "operation"), registry=REGISTRY
)
CACHE_LOOKUPS = Counter(
    "helhedsplan_cache_lookups", "Lookups in the caches of public answers.", ("cache", "result"), registry=REGISTRY
)
QUERY_COST = Histogram(
    "helhedsplan_graphql_query_cost",
    "Estimated cost of the GraphQL documents executed.",
    buckets=_COST_BUCKETS,
    registry=REGISTRY,
)
WEBSOCKETS = Gauge(
    "helhedsplan_websocket_connections",
    "Open WebSocket connections (GraphQL subscriptions).",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS = Gauge(
    "helhedsplan_subscriptions",
    "Running GraphQL subscriptions (live event streams).",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
WORKERS = Gauge(
    "helhedsplan_workers", "Server processes that are alive.", registry=REGISTRY, multiprocess_mode="livesum"
)
WORKERS.set(1)


def observe_query_cost(cost: float) -> None:
    """Record the estimated cost of one GraphQL document (for the cost analysis to call once per
    operation it admits or refuses); shows as the histogram `helhedsplan_graphql_query_cost`."""
    QUERY_COST.observe(cost)


_cache_counters: dict[tuple[str, bool], Counter] = {}


def count_cache_lookup(cache: str, hit: bool) -> None:
    """One lookup in the cache of public answers (`cache` names the door: "response", "result", "page")."""
    counter = _cache_counters.get((cache, hit))
    if counter is None:
        counter = _cache_counters[(cache, hit)] = CACHE_LOOKUPS.labels(cache, "hit" if hit else "miss")
    counter.inc()


# ---------------------------------------------------------------- what a request did
UNNAMED = "(unnamed)"  # an operation without a name
OTHER = "(other)"  # a name over the limit, not a GraphQL name, or one too many
UNMATCHED = "(unmatched)"  # a path no route matched
MAX_OPERATION_LABELS = 200
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,79}")
_operation_labels: set[str] = set()


def operation_label(name: str | None) -> str:
    """A metric label for an operation name: a bounded set per process (the first names seen)."""
    if not name:
        return UNNAMED
    if name in _operation_labels:
        return name
    if (
        len(_operation_labels) >= MAX_OPERATION_LABELS
        or not isinstance(name, str)
        or not _OPERATION_NAME.fullmatch(name)
    ):
        return OTHER
    _operation_labels.add(name)
    return name


def known_operations(names: Iterable[str]) -> None:
    """Reserve labels for operations known in advance (the portal's), so unknown names cannot crowd them out."""
    for name in names:
        operation_label(name)


class RequestRecord:
    __slots__ = ("request_id", "operation", "actor", "statements", "graphql_errors")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.operation = ""  # no GraphQL operation ran
        self.actor = "anonymous"
        self.statements = 0
        self.graphql_errors = 0


_current: ContextVar[RequestRecord | None] = ContextVar("helhedsplan_request", default=None)


def current() -> RequestRecord | None:
    return _current.get()


def note_operation(name: str | None) -> None:
    """The GraphQL operation the request ran (the last one, when a page runs several)."""
    record = _current.get()
    if record is not None:
        record.operation = operation_label(name)


def note_actor(actor: Actor | None) -> None:
    """Who asked: the actor's kind only (never a name or an id)."""
    record = _current.get()
    if record is not None and actor is not None:
        record.actor = actor.kind.value


def note_graphql_errors(count: int) -> None:
    record = _current.get()
    if record is not None:
        record.graphql_errors += count


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(
    conn: Connection,
    cursor: DBAPICursor,
    statement: str,
    parameters: object,
    context: ExecutionContext | None,
    executemany: bool,
) -> None:
    record = _current.get()
    if record is not None:
        record.statements += 1


# ---------------------------------------------------------------- request ids
_WELL_FORMED_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_id_prefix = secrets.token_hex(4) + "-"
_ids = itertools.count(1)


def _new_prefix() -> None:
    global _id_prefix, _ids
    _id_prefix, _ids = secrets.token_hex(4) + "-", itertools.count(1)


os.register_at_fork(after_in_child=_new_prefix)  # forked workers must not repeat each other's ids


def _request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when it is well formed (a proxy's id keeps its trail), else a new
    one: a random prefix per process and a sequence number (unique, and cheap to make)."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            if _WELL_FORMED_ID.fullmatch(value):
                given: str = value.decode("ascii")
                return given
            break
    return f"{_id_prefix}{next(_ids):x}"


# ---------------------------------------------------------------- the middleware
_request_log = logging.getLogger("helhedsplan.request")

# Libraries that log bound values or result rows at DEBUG (aiosqlite every statement with its
# parameters, SQLAlchemy rows): never below INFO, whatever LOG_LEVEL says. SQLAlchemy logs every
# statement's text at INFO (a log record per statement, even where no handler writes it): WARNING
# (LOG_SQL still echoes them, through SQLAlchemy's own logger).
_QUIETEST = {"aiosqlite": logging.INFO, "sqlalchemy.engine": logging.WARNING, "sqlalchemy.pool": logging.WARNING}
for _name in ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "multipart"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(_QUIETEST.get(_name, logging.INFO))
_series: dict[tuple[str, str, int], tuple[Histogram, Counter]] = {}


def _route(scope: Scope) -> str:
    # Starlette's router puts the matched route into the scope: its path is the template.
    path = getattr(scope.get("route"), "path", None)
    return path if path is not None else UNMATCHED


def _observe(route: str, record: RequestRecord, status: int, seconds: float) -> None:
    key = (route, record.operation, status)
    series = _series.get(key)
    if series is None:
        series = _series[key] = (
            LATENCY.labels(route, record.operation, str(status)),
            STATEMENTS.labels(route, record.operation),
        )
    series[0].observe(seconds)
    if record.statements:  # a cached answer runs none: one write less on the busiest path
        series[1].inc(record.statements)


def _log_request(kind: str, scope: Scope, route: str, record: RequestRecord, status: int, seconds: float) -> None:
    method = scope.get("method", "WS")
    operation = f" {record.operation}" if record.operation else ""
    ms = round(seconds * 1000, 1)
    _request_log.info(
        "%s %s%s -> %s in %.1f ms, %d SQL, %s, id %s",
        method,
        route,
        operation,
        status,
        ms,
        record.statements,
        record.actor,
        record.request_id,
        extra={
            "request": {
                "request_id": record.request_id,
                "kind": kind,
                "method": method,
                "route": route,
                "operation": record.operation or None,
                "actor": record.actor,
                "status": status,
                "duration_ms": ms,
                "sql_statements": record.statements,
                "graphql_errors": record.graphql_errors,
            }
        },
    )


class RequestObserver:
    """ASGI middleware: request id, metrics and one log line per HTTP request and WebSocket."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        record = RequestRecord(_request_id(scope))
        token = _current.set(record)
        header = (b"x-request-id", record.request_id.encode())
        status = 500  # unless a response starts: an exception ends in ServerErrorMiddleware's 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # A new list: the headers may belong to a cached answer that is sent again.
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
            seconds = time.perf_counter() - started
            route = _route(scope)
            _observe(route, record, status, seconds)
            if _request_log.isEnabledFor(logging.INFO):
                _log_request("http", scope, route, record, status, seconds)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        record = RequestRecord(_request_id(scope))
        token = _current.set(record)
        status = 403  # closed before it was accepted

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "websocket.accept":
                status = 101
            await send(message)

        WEBSOCKETS.inc()
        try:
            await self.app(scope, receive, watch)
        finally:
            WEBSOCKETS.dec()
            _current.reset(token)
            if _request_log.isEnabledFor(logging.INFO):
                _log_request("websocket", scope, _route(scope), record, status, time.perf_counter() - started)


# ---------------------------------------------------------------- /metrics
_LOOPBACK_FORWARDING = (b"forwarded", b"x-forwarded-for", b"x-real-ip")


def _from_loopback(scope: Scope) -> bool:
    """A client on this machine, not a request a local reverse proxy passes on."""
    client = scope.get("client")
    try:
        if not client or not ipaddress.ip_address(client[0]).is_loopback:
            return False
    except ValueError:
        return False
    return not any(name in _LOOPBACK_FORWARDING for name, _ in scope["headers"])


def metrics_allowed(scope: Scope, token: str) -> int:
    """200 when the scrape may see the metrics, else the status to answer: 401 for a missing or wrong
    token, 404 where no token is configured (metrics are then served on loopback only)."""
    if _from_loopback(scope):
        return 200
    if not token:
        return 404
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, given = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
                return 200
            break
    return 401


def render_metrics(outbox: dict[str, int] | None = None) -> tuple[bytes, str]:
    """The exposition text of all workers (or of this process alone) and its content type. `outbox`
    (mails by status, counted in the database at scrape time) is the same for every worker, so it is
    a gauge of the scrape, not of a process."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if outbox is not None:
        family = GaugeMetricFamily(
            "helhedsplan_mail_outbox",
            "Mails in the outbox by status: waiting to be sent, or failed for good.",
            labels=["status"],
        )
        for status, count in sorted(outbox.items()):
            family.add_metric([status.lower()], count)
        scrape = CollectorRegistry()
        scrape.register(_Fixed([family]))
        text += generate_latest(scrape)
    return text, CONTENT_TYPE_LATEST


class _Fixed:
    """A collector of metric families computed once, for one scrape."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self.families


# ---------------------------------------------------------------- logs
class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields (its own line)
    or its id (any other line logged while serving it), and the exception's traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "request", None)
        if isinstance(fields, dict):
            entry.update(fields)
        else:
            current_request = _current.get()
            if current_request is not None:
                entry["request_id"] = current_request.request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(*, json_lines: bool, level: str = "INFO") -> None:
    """Production: every log line (the app's, uvicorn's, libraries') as JSON on stderr; the request
    line replaces uvicorn's access log, which would show raw paths and query strings.
    Development keeps the logging it has (uvicorn's, or the CLI's plain lines)."""
    if not json_lines:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True
    logging.captureWarnings(True)  # warnings too, as JSON lines instead of bare stderr text
