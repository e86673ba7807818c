"""A real SMTP server for the tests: the development mail server (aiosmtpd) on a free port."""

import asyncio
import time
from pathlib import Path

import pytest

from backend.mail.devserver import EmlStore, read_messages, start
from tests.servers import free_port, start_server, stop_server


class RefusingStore(EmlStore):
    """The development server's handler, which refuses recipients a test names (a real SMTP reply)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.refuse: dict[str, str] = {}  # address -> reply, e.g. "550 5.1.1 No such user"
        self.delay = 0.0

    def refusal(self, envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.refuse:
                return self.refuse[rcpt]
        return None

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


class Mailbox:
    def __init__(self, directory: Path, store: RefusingStore, port: int) -> None:
        self.directory, self.store, self.port = directory, store, port

    def messages(self):
        return [m for _name, m in read_messages(self.directory)]


@pytest.fixture
def mailbox(tmp_path, monkeypatch):
    """A real SMTP server (aiosmtpd, as `make run` starts) on a free port, keeping .eml files; the
    settings point the sender at it and the portal's links at an https address."""
    from backend.settings import get_settings

    directory = tmp_path / "mail"
    store = RefusingStore(directory)
    controller = start(directory, handler=store)
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_url", f"smtp://127.0.0.1:{controller.port}")
    monkeypatch.setattr(settings, "base_url", "https://portal.example")
    monkeypatch.setattr(settings, "dev_mail_dir", directory)
    yield Mailbox(directory, store, controller.port)
    controller.stop()


async def arrived(mailbox: Mailbox, to: str, subject: str, timeout: float = 30.0):
    """The first mail to `to` with `subject` in the mailbox, waiting for the sender to deliver it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mailbox.messages() if m["To"] == to and m["Subject"] == subject]
        if found:
            return found[0]
        await asyncio.sleep(0.2)  # the sender polls its outbox; nothing tells the test when a mail is out
    raise AssertionError(f"no mail {subject!r} to {to} arrived")


@pytest.fixture
def sending_server(mailbox, idp):
    """A live server of its own whose sender sends to the mailbox (the session's servers send nothing),
    signing in through the development OpenID Provider; its links point at itself. Yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server, _url = start_server(
        port=port,
        env={
            "BASE_URL": url,
            "PORT": str(port),
            "MAIL_SENDER": "true",
            "SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
            "DEV_MAIL_DIR": str(mailbox.directory),
        },
    )
    yield url
    stop_server(server)
