"""The development mail server: SMTP (aiosmtpd) on loopback that keeps every message as an .eml file.

`make run` starts it beside the portal (`python -m backend.mail.devserver --port 8025`); the portal lists
what it kept at /udvikling/post. The test suite runs the same server on a free port. It never relays.
"""

from __future__ import annotations

import argparse
import itertools
import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller


class EmlStore:
    """An aiosmtpd handler: each accepted message becomes <directory>/<time>-<n>.eml (as received)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def refusal(self, envelope: Any) -> str | None:
        """A reply that refuses the message instead of keeping it (none here; tests override it)."""
        return None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook, untyped
        refused = self.refusal(envelope)
        if refused:
            return refused
        content = envelope.original_content or envelope.content
        with self._lock:
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{next(self._counter):06d}.eml"
        path = self.directory / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        tmp.rename(path)  # a reader never sees half a message
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(directory: Path, *, port: int = 0, handler: EmlStore | None = None) -> Controller:
    """Start the server in a thread on loopback (port 0: a free one, `controller.port`)."""
    # Imported here: the portal's /udvikling/post reads this module's messages, and a server process
    # would otherwise carry aiosmtpd (~3.5 MB) for a server it never runs.
    from aiosmtpd.controller import Controller

    controller = Controller(handler or EmlStore(directory), hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller


def read_messages(directory: Path) -> list[tuple[str, EmailMessage]]:
    """The kept messages, newest first, with their file names."""
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob("*.eml"), reverse=True):
        with path.open("rb") as f:
            message = BytesParser(policy=policy.default).parse(f)
        assert isinstance(message, EmailMessage)  # policy.default parses into EmailMessage
        out.append((path.name, message))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--directory", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    controller = start(args.directory, port=args.port)
    print(f"development mail server on 127.0.0.1:{args.port}, keeping messages in {args.directory}/", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
