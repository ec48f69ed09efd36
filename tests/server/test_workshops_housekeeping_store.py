"""A workshop's title and archiving, on every event-log backend: records folded into the
workshop (a fresh reader folds the same), the archived index that keeps the default
listing short, and what a crash or another node can leave behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dealroom.server.log import EventLog, IndexKey
from dealroom.server.rooms.workshop_records import Archived, encode
from dealroom.server.rooms.workshops import ARCHIVED, WorkshopArchived, WorkshopLive, Workshops
from tests.log.conftest import BACKENDS, make_log

SHARED = ("redis", "redis-cluster")
"""The backends several nodes share (the others have one writer: no other node)."""


async def _opened(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventLog]:
    backend = str(request.param)
    url = None
    if backend == "redis":
        url = str(request.getfixturevalue("redis_server").url)
    elif backend == "redis-cluster":
        url = str(request.getfixturevalue("redis_cluster").url)
    event_log = make_log(backend, tmp_path, url)
    yield event_log
    await event_log.close()


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
async def log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventLog]:
    async for event_log in _opened(request, tmp_path):
        yield event_log


@pytest.fixture(params=SHARED, ids=SHARED)
async def shared_log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventLog]:
    async for event_log in _opened(request, tmp_path):
        yield event_log


async def _none_live() -> int:
    return 0


async def _titles(workshops: Workshops, shown: str) -> list[str]:
    return [h.record.title for h in await workshops.listed(100, shown)]  # type: ignore[arg-type]


async def test_rename_and_archive_fold_the_same_for_a_fresh_reader(log: EventLog) -> None:
    workshops = Workshops(log)
    old = await workshops.create("Monday", "small", now=1_000)
    new = await workshops.create("Tuesday", "small", now=2_000)
    renamed = await workshops.rename(old.id, "Monday, group A", now=3_000)
    assert renamed.title == "Monday, group A" and renamed.created_at == 1_000
    assert await workshops.archive(old.id, 4_000, _none_live) == 4_000
    assert await workshops.archive(old.id, 5_000, _none_live) == 4_000  # already archived
    assert await _titles(workshops, "exclude") == ["Tuesday"]
    assert await _titles(workshops, "include") == ["Monday, group A", "Tuesday"]
    assert await _titles(workshops, "only") == ["Monday, group A"]
    assert [w.id for w in await workshops.listing()] == [old.id, new.id]  # the index: all

    # A restarted server folds the workshop's log from scratch into the same workshop.
    again = Workshops(log)
    held = await again.get(old.id)
    assert held is not None
    assert (held.record.title, held.archived_at) == ("Monday, group A", 4_000)
    assert await _titles(again, "exclude") == ["Tuesday"]
    seat = await again.assign(old.id, _no_room, now=6_000)
    assert seat == WorkshopArchived(4_000)  # its open link seats nobody

    await again.unarchive(old.id, now=7_000)
    await again.unarchive(old.id, now=8_000)  # not archived: nothing more recorded
    assert await _titles(again, "exclude") == ["Monday, group A", "Tuesday"]
    assert await log.scan_index(ARCHIVED) == []
    assert len(await log.read(f"workshop:{old.id}")) == 4  # created, renamed, archived, back


async def _no_room() -> str:
    raise AssertionError("an archived workshop made a room")


async def test_archive_with_live_rooms_records_nothing(log: EventLog) -> None:
    workshops = Workshops(log)
    workshop = await workshops.create("Live", "small", now=1_000)

    async def two_live() -> int:
        return 2

    assert await workshops.archive(workshop.id, 2_000, two_live) == WorkshopLive(2)
    assert len(await log.read(f"workshop:{workshop.id}")) == 1
    assert await log.scan_index(ARCHIVED) == []
    assert await _titles(workshops, "exclude") == ["Live"]


async def test_the_listing_corrects_an_index_a_crash_left_behind(log: EventLog) -> None:
    workshops = Workshops(log)
    archived = await workshops.create("Archived, index lost", "small", now=1_000)
    listed = await workshops.create("Listed, stray entry", "small", now=2_000)
    # A crash between the `archived` record and its index entry...
    await log.append(f"workshop:{archived.id}", 2, [encode(Archived(at=3_000))])
    # ...and an entry that claims a workshop its log says is not archived.
    await log.put_index({IndexKey(ARCHIVED, listed.id): b""})

    fresh = Workshops(log)
    assert await _titles(fresh, "exclude") == []  # the log decides: the first is archived
    assert await _titles(fresh, "include") == ["Archived, index lost", "Listed, stray entry"]
    assert await _titles(fresh, "exclude") == ["Listed, stray entry"]  # the stray entry went
    indexed = [key for key, _ in await log.scan_index(ARCHIVED)]
    # The lost entry is put back by the one writer of a store; where nodes share the log
    # only archiving puts it (a listing's put could cross another node's unarchive).
    assert indexed == ([] if log.shared else [archived.id])
    await fresh.archive(archived.id, 4_000, _none_live)
    assert [key for key, _ in await log.scan_index(ARCHIVED)] == [archived.id]
    assert await _titles(fresh, "only") == ["Archived, index lost"]


async def test_another_nodes_rename_and_archive_are_seen(shared_log: EventLog) -> None:
    log = shared_log
    assert log.shared
    one, two = Workshops(log), Workshops(log)
    workshop = await one.create("First", "small", now=1_000)
    assert await _titles(two, "exclude") == ["First"]  # node two now holds it
    await one.rename(workshop.id, "Second", now=2_000)
    await one.archive(workshop.id, 3_000, _none_live)
    # Node two's copy is behind until it reads: it unarchives what node one archived...
    await two.unarchive(workshop.id, now=4_000)
    assert await _titles(one, "exclude") == ["Second"]
    # ...and its listing reads what node one did since.
    await one.archive(workshop.id, 5_000, _none_live)
    assert await _titles(two, "exclude") == []
    assert await _titles(two, "only") == ["Second"]
