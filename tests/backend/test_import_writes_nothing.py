"""Importing the app (which builds it, as uvicorn does) writes no files: the catalogues and static
assets are a build step (`python -m frontend.assets`), not a side effect of start-up.

The app is imported in a fresh process from a copy of the project as checked out, without compiled
catalogues (*.mo), so whatever start-up would compile or copy is missing; the process records every
file it opens for writing, creates, renames or deletes (Python's audit hooks), and the copy's listing
with modification times must be the same afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from backend.settings import ROOT

WATCH = r"""
import json, os, sys
WRITES = ("os.mkdir", "os.rename", "os.replace", "os.remove", "os.rmdir", "os.truncate", "os.link",
          "os.symlink", "shutil.copyfile", "shutil.copytree", "shutil.rmtree", "shutil.move")
written = []

def watch(event, args):
    if event == "open":
        path, mode, flags = args
        writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool(
            (flags or 0) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC))
        if writing:
            written.append([event, str(path)])
    elif event in WRITES:
        written.append([event, repr(args)])

sys.addaudithook(watch)
import backend.app
assert backend.app.app is not None
print(json.dumps(written))
"""


def _listing(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.rglob("*"))}


def test_importing_the_app_writes_no_files(tmp_path):
    copy = tmp_path / "project"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    # The built static assets (not in git), read in place: the app checks that they are there.
    for built in ("dkfds", "fonts", "graphiql"):
        (copy / "frontend" / "static" / built).symlink_to(ROOT / "frontend" / "static" / built)
    assert not list(copy.rglob("*.mo"))
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",  # Python's own bytecode cache is not the app's doing
        "PYTHONPATH": str(copy),
        "DATABASE_URL": f"sqlite:///{tmp_path}/absent.db",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    before = _listing(copy)
    result = subprocess.run(
        [sys.executable, "-c", WATCH], cwd=copy, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    written = json.loads(result.stdout.strip().splitlines()[-1])
    assert written == [], f"importing backend.app wrote: {written}"
    assert _listing(copy) == before
    assert not (tmp_path / "absent.db").exists()
