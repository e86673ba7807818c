"""backend.services.versions: the version check and the write are one statement.

Two sessions read the same version; the first stores its change. The second's own read still says
the old version, so only the UPDATE's `WHERE version = :expected` can refuse it, and it does.
"""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import new_session
from backend.models import Activity
from backend.services import versions
from backend.services.errors import ValidationFailed
from tests.services.world import build_world, fetch


async def read_twice_and_store_the_first(first: AsyncSession, second: AsyncSession, activity_id: int):
    """Both sessions read the activity; the first stores a change. The second's row and the start version."""
    mine = await first.get(Activity, activity_id)
    theirs = await second.get(Activity, activity_id)
    assert mine is not None and theirs is not None
    start = mine.version
    mine.description = "Først"
    assert await versions.save(first, mine, None) == start + 1
    await first.commit()
    theirs.description = "Bagefter"
    return theirs, start


async def test_a_change_read_before_another_was_stored_is_refused_by_the_update():
    w = await build_world()
    async with new_session() as first, new_session() as second:
        theirs, start = await read_twice_and_store_the_first(first, second, w.activity_id)
        await versions.expect(second, theirs, start)  # what this session read still says `start`
        with pytest.raises(ValidationFailed) as refused:
            await versions.save(second, theirs, start)
        await second.rollback()
    (error,) = refused.value.errors
    assert error.code == "CONFLICT" and error.conflict is not None and error.conflict.current_version == start + 1
    stored = await fetch(Activity, w.activity_id)
    assert stored is not None and (stored.description, stored.version) == ("Først", start + 1)


async def test_without_an_expected_version_the_write_counts_up_from_what_is_stored():
    w = await build_world()
    async with new_session() as first, new_session() as second:
        theirs, start = await read_twice_and_store_the_first(first, second, w.activity_id)
        assert await versions.save(second, theirs, None) == start + 2
        await second.commit()
    stored = await fetch(Activity, w.activity_id)
    assert stored is not None and (stored.description, stored.version) == ("Bagefter", start + 2)
