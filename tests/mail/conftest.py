import pytest

from tests.mail.smtp import mailbox  # noqa: F401 - pytest fixture: the SMTP server the sender sends to
from tests.services.world import drop_built_worlds


@pytest.fixture(autouse=True)
async def _drop_worlds():
    """Each test's own rows are removed after it (their addresses and mails go with the accounts)."""
    yield
    await drop_built_worlds()
