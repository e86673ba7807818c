"""Command line: `python -m backend.cli migrate | load-demo | serve`.

`make run` calls these in order; each is safe to run again.
"""

from __future__ import annotations

import argparse
import logging
import sys

from backend.settings import ROOT, get_settings

log = logging.getLogger("helhedsplan")


def migrate() -> None:
    """Bring the database to the newest migration."""
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")


def load_demo(*, force: bool = False) -> bool:
    """Load the demo data when the database is empty (and LOAD_DEMO_DATA allows it)."""
    from backend import demo

    if not get_settings().load_demo_data and not force:
        log.info("LOAD_DEMO_DATA is off; no demo data loaded")
        return False
    loaded = demo.load_if_empty()
    log.info("demo data loaded" if loaded else "the database already holds data; demo data not loaded")
    return loaded


def tune_gc() -> None:
    """Move everything built so far out of the garbage collector's way, and let it run less often.

    The schema, models and libraries are hundreds of thousands of long-lived objects; a full
    collection under load would walk them all again and again. Frozen, they are never scanned
    (measured on the staff deep query in-process: about a quarter less CPU per request).
    A staff answer makes thousands of short-lived objects: with the default threshold (700) the
    collector ran ~9 times per staff deep query, 2.2 ms of its ~22 ms CPU; at 20,000 it is 0.8 ms.
    Objects are still freed by reference counting at once; only cycles wait a little longer.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def frozen_app():
    """The portal's ASGI app with the garbage collector tuned (`tune_gc`), for
    `uvicorn --factory backend.cli:frozen_app` (each worker calls it once after importing)."""
    from backend.app import app

    tune_gc()
    return app


def serve(*, host: str, port: int, reload: bool = False) -> None:
    import uvicorn

    uvicorn.run(
        "backend.cli:frozen_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        proxy_headers=False,
        ws="websockets-sansio",
        access_log=False,  # the portal logs one line per request itself (backend/observability.py)
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(prog="python -m backend.cli", description="Helhedsplan-portalen")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="migrate the database (DATABASE_URL) to the newest schema")
    demo = sub.add_parser("load-demo", help="load the demo data when the database is empty")
    demo.add_argument(
        "--force", action="store_true", help="load even when LOAD_DEMO_DATA is off (still only into an empty database)"
    )
    run = sub.add_parser("serve", help="serve the portal with uvicorn")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=None, help="default: PORT, else 8000")
    run.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        migrate()
    elif args.command == "load-demo":
        load_demo(force=args.force)
    elif args.command == "serve":
        serve(host=args.host, port=args.port or get_settings().port, reload=args.reload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
