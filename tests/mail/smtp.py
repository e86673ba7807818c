"""A real SMTP server for the tests: the development mail server (aiosmtpd) on a free port."""

import asyncio
from pathlib import Path

import pytest

from backend.mail.devserver import EmlStore, read_messages, start


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
