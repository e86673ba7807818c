"""Build step for the portal's static assets: `python -m frontend.assets`.

Copies the built Det Fælles Designsystem files (npm package dkfds, borger.dk theme) from
frontend/node_modules into frontend/static/dkfds and compiles the gettext catalogs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from frontend.i18n import compile_catalogs

HERE = Path(__file__).resolve().parent
DKFDS_DIST = HERE / "node_modules" / "dkfds" / "dist"
STATIC = HERE / "static"
DKFDS_STATIC = STATIC / "dkfds"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"


def copy_dkfds(*, force: bool = False) -> bool:
    """Copy css, fonts (woff/woff2 only) and images; False when the npm package is not installed."""
    if not DKFDS_DIST.exists():
        return False
    marker = DKFDS_STATIC / "css" / "dkfds-borgerdk.min.css"
    if marker.exists() and not force:
        return True
    # Build beside the target and rename into place, so server processes starting at the same
    # time never see (or serve) a half-copied directory.
    STATIC.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".dkfds-", dir=STATIC))
    try:
        shutil.copytree(DKFDS_DIST / "css", building / "css")
        shutil.copytree(DKFDS_DIST / "img", building / "img")
        shutil.copytree(DKFDS_DIST / "js", building / "js")
        shutil.copytree(
            DKFDS_DIST / "fonts",
            building / "fonts",
            ignore=lambda _dir, names: [n for n in names if n in ("eot", "ttf", "otf", "split")],
        )
        if DKFDS_STATIC.exists():
            old = DKFDS_STATIC.with_name(f".dkfds-old-{os.getpid()}")
            DKFDS_STATIC.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        building.rename(DKFDS_STATIC)
    except OSError:
        if not marker.exists():  # another process may have won the race; only its absence is an error
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return True


def build(*, force: bool = False) -> None:
    if not copy_dkfds(force=force):
        print("frontend: dkfds is not installed; run `npm install` in frontend/", file=sys.stderr)
    compile_catalogs(force=force)


if __name__ == "__main__":
    build(force="--force" in sys.argv)
