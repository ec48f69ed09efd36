"""The event-log contract (server/log/base.py), run against every backend.

One suite, parametrised by the ``log`` fixture in ``conftest.py`` (ids
``memory``, ``sqlite``, ``redis`` and ``redis-cluster``, the last two against a
real redis-server and a real 3-master Redis Cluster): whatever a room does
with one backend it can do with another (DESIGN.md principle 3).
"""

from __future__ import annotations

import asyncio

import pytest

from dealroom.server.log import EventLog, IndexKey, LogError, SeqConflict


async def entries_of(log: EventLog, stream: str) -> list[bytes]:
    return [entry for _, entry in await log.read(stream)]


async def assert_gapless(log: EventLog, stream: str) -> list[bytes]:
    read = await log.read(stream)
    assert [seq for seq, _ in read] == list(range(1, len(read) + 1))
    return [entry for _, entry in read]


# --- append and read -------------------------------------------------------------------


async def test_append_and_read_back(log: EventLog) -> None:
    await log.append("room-a", 1, [b"e1"])
    await log.append("room-a", 2, [b"e2", b"e3"])
    assert await log.read("room-a") == [(1, b"e1"), (2, b"e2"), (3, b"e3")]


async def test_read_of_an_unknown_stream_is_empty(log: EventLog) -> None:
    assert await log.read("nobody") == []
    assert await log.read("nobody", after=5) == []


async def test_read_after(log: EventLog) -> None:
    await log.append("s", 1, [b"a", b"b", b"c", b"d"])
    assert await log.read("s", after=0) == [(1, b"a"), (2, b"b"), (3, b"c"), (4, b"d")]
    assert await log.read("s", after=1) == [(2, b"b"), (3, b"c"), (4, b"d")]
    assert await log.read("s", after=3) == [(4, b"d")]
    assert await log.read("s", after=4) == []
    assert await log.read("s", after=100) == []


async def test_entries_are_opaque_bytes(log: EventLog) -> None:
    odd = [b"", b"\x00", bytes(range(256)), b"\xff" * 100_000, "é".encode()]
    await log.append("bin", 1, odd)
    read = await log.read("bin")
    assert [entry for _, entry in read] == odd
    assert all(type(entry) is bytes for _, entry in read)


async def test_stream_names_are_unicode(log: EventLog) -> None:
    await log.append("salle-été/ruang-rapat", 1, [b"x"])
    assert await log.read("salle-été/ruang-rapat") == [(1, b"x")]
    assert await log.streams("salle-") == ["salle-été/ruang-rapat"]


# --- compare-and-set -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "why"), [(4, "gap"), (2, "stale"), (1, "restart"), (0, "zero"), (-1, "negative")]
)
async def test_wrong_expected_seq_raises_and_appends_nothing(
    log: EventLog, expected: int, why: str
) -> None:
    await log.append("s", 1, [b"a", b"b"])  # next seq is 3
    with pytest.raises(SeqConflict) as raised:
        await log.append("s", expected, [b"x", b"y"])
    assert isinstance(raised.value, LogError)
    assert (raised.value.stream, raised.value.expected, raised.value.actual) == ("s", expected, 3)
    assert await log.read("s") == [(1, b"a"), (2, b"b")]
    await log.append("s", 3, [b"c"])  # the right seq still works
    assert await entries_of(log, "s") == [b"a", b"b", b"c"]


async def test_first_append_must_be_seq_1(log: EventLog) -> None:
    with pytest.raises(SeqConflict) as raised:
        await log.append("fresh", 2, [b"x"])
    assert raised.value.actual == 1
    assert await log.read("fresh") == []
    assert await log.streams() == []  # a refused append leaves no empty stream behind


async def test_two_concurrent_appends_of_one_seq_exactly_one_wins(log: EventLog) -> None:
    results = await asyncio.gather(
        log.append("s", 1, [b"from-a"]),
        log.append("s", 1, [b"from-b"]),
        return_exceptions=True,
    )
    winners = [i for i, r in enumerate(results) if r is None]
    losers = [r for r in results if isinstance(r, SeqConflict)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert await log.read("s") == [(1, [b"from-a", b"from-b"][winners[0]])]


async def test_many_writers_racing_for_one_seq(log: EventLog) -> None:
    await log.append("s", 1, [b"base"])
    writers = 20
    results = await asyncio.gather(
        *(log.append("s", 2, [b"w%d" % i, b"w%d-tail" % i]) for i in range(writers)),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, SeqConflict) for r in results) == writers - 1
    winner = results.index(None)
    assert await assert_gapless(log, "s") == [b"base", b"w%d" % winner, b"w%d-tail" % winner]


async def test_multi_entry_appends_are_atomic_and_gapless(log: EventLog) -> None:
    """Writers that retry on conflict (as rooms do) end with whole batches, in seq order."""
    writers, batches, size = 6, 5, 3

    async def writer(name: int) -> None:
        for batch in range(batches):
            while True:
                next_seq = len(await log.read("room")) + 1
                entries = [b"%d:%d:%d" % (name, batch, i) for i in range(size)]
                try:
                    await log.append("room", next_seq, entries)
                    break
                except SeqConflict:
                    await asyncio.sleep(0)  # let the winner's turn finish, then retry

    await asyncio.gather(*(writer(n) for n in range(writers)))
    entries = await assert_gapless(log, "room")
    assert len(entries) == writers * batches * size
    # every batch landed whole: its entries are adjacent and in order
    for start in range(0, len(entries), size):
        chunk = [entry.split(b":") for entry in entries[start : start + size]]
        assert {(w, b) for w, b, _ in chunk} == {(chunk[0][0], chunk[0][1])}
        assert [i for _, _, i in chunk] == [b"0", b"1", b"2"]
    # and each writer's batches in the order it wrote them
    for name in range(writers):
        mine = [e for e in entries if e.startswith(b"%d:" % name) and e.endswith(b":0")]
        assert mine == [b"%d:%d:0" % (name, batch) for batch in range(batches)]


async def test_an_empty_append_changes_nothing(log: EventLog) -> None:
    await log.append("s", 1, [])
    assert await log.read("s") == []
    assert await log.streams() == []
    await log.append("s", 1, [b"a"])
    with pytest.raises(SeqConflict):
        await log.append("s", 1, [])
    await log.append("s", 2, [])
    assert await log.read("s") == [(1, b"a")]


# --- streams ---------------------------------------------------------------------------


async def test_streams_lists_matching_non_empty_streams_sorted(log: EventLog) -> None:
    for name in ["room:b", "workshop:1", "room:a", "room:c", "roomy", "Room:z", "room"]:
        await log.append(name, 1, [b"x"])
    await log.append("room:empty", 1, [])
    with pytest.raises(SeqConflict):
        await log.append("room:refused", 5, [b"x"])
    assert await log.streams("room:") == ["room:a", "room:b", "room:c"]
    assert await log.streams("room") == ["room", "room:a", "room:b", "room:c", "roomy"]
    assert await log.streams() == [
        "Room:z",
        "room",
        "room:a",
        "room:b",
        "room:c",
        "roomy",
        "workshop:1",
    ]
    assert await log.streams("") == await log.streams()
    assert await log.streams("zzz") == []
    assert await log.streams("room:a") == ["room:a"]
    assert await log.streams("room:a:") == []


async def test_streams_prefix_is_literal(log: EventLog) -> None:
    """% and _ are LIKE wildcards in SQL; here they are plain characters."""
    for name in ["a%b", "a%%", "a_b", "axb", "ab", "a\\b", "A_b", "a[b", "a*b", "a?b"]:
        await log.append(name, 1, [b"x"])
    assert await log.streams("a%") == ["a%%", "a%b"]
    assert await log.streams("a_") == ["a_b"]
    assert await log.streams("a\\") == ["a\\b"]
    assert await log.streams("a[") == ["a[b"]
    assert await log.streams("a*") == ["a*b"]
    assert await log.streams("a?") == ["a?b"]
    assert await log.streams("%") == []
    assert await log.streams("_") == []


async def test_streams_prefix_with_non_ascii(log: EventLog) -> None:
    for name in ["é1", "é2", "e1", "ê1", "éa"]:
        await log.append(name, 1, [b"x"])
    assert await log.streams("é") == ["é1", "é2", "éa"]


async def test_streams_prefix_followed_by_the_last_code_point(
    log: EventLog, backend: str, request: pytest.FixtureRequest
) -> None:
    await log.append("a\U0010ffffb", 1, [b"x"])
    await log.append("\U0010ffff", 1, [b"x"])
    assert await log.streams("a") == ["a\U0010ffffb"]
    assert await log.streams() == ["a\U0010ffffb", "\U0010ffff"]


# --- many streams ----------------------------------------------------------------------


async def test_many_streams_interleaved(log: EventLog) -> None:
    streams = [f"room-{i:02d}" for i in range(20)]
    rounds = 10
    for r in range(rounds):  # round-robin, one entry per stream per round
        for s in streams:
            await log.append(s, r + 1, [f"{s}#{r + 1}".encode()])
    # and a concurrent round on top
    await asyncio.gather(*(log.append(s, rounds + 1, [f"{s}#last".encode()]) for s in streams))
    for s in streams:
        expected = [f"{s}#{n}".encode() for n in range(1, rounds + 1)] + [f"{s}#last".encode()]
        assert await assert_gapless(log, s) == expected
    assert await log.streams("room-") == streams


async def test_concurrent_writers_on_many_streams_each_gapless(log: EventLog) -> None:
    streams = [f"s{i}" for i in range(8)]

    async def writer(stream: str) -> None:
        for seq in range(1, 26):
            await log.append(stream, seq, [b"%s-%d" % (stream.encode(), seq)])

    await asyncio.gather(*(writer(s) for s in streams))
    for s in streams:
        assert await assert_gapless(log, s) == [b"%s-%d" % (s.encode(), n) for n in range(1, 26)]


# --- indexes ---------------------------------------------------------------------------


async def test_an_index_scans_its_entries_sorted_by_key(log: EventLog) -> None:
    assert await log.scan_index("live") == []
    await log.put_index({IndexKey("live", "b"): b"2", IndexKey("live", "a"): b"1"})
    await log.put_index({IndexKey("live", "c"): b""})
    assert await log.scan_index("live") == [("a", b"1"), ("b", b"2"), ("c", b"")]


async def test_indexes_are_separate_by_name(log: EventLog) -> None:
    await log.put_index({IndexKey("workshop:w1", "r1"): b"x", IndexKey("workshop:w12", "r2"): b"y"})
    assert await log.scan_index("workshop:w1") == [("r1", b"x")]
    assert await log.scan_index("workshop:w12") == [("r2", b"y")]
    assert await log.scan_index("workshop:") == []
    assert await log.streams() == []  # an index is not a stream


async def test_put_replaces_a_value(log: EventLog) -> None:
    await log.put_index({IndexKey("i", "k"): b"old"})
    await log.put_index({IndexKey("i", "k"): b"new"})
    assert await log.scan_index("i") == [("k", b"new")]


async def test_remove_is_idempotent(log: EventLog) -> None:
    await log.put_index({IndexKey("i", "a"): b"1", IndexKey("i", "b"): b"2"})
    await log.remove_index([IndexKey("i", "a"), IndexKey("i", "never"), IndexKey("other", "b")])
    await log.remove_index([IndexKey("i", "a")])
    assert await log.scan_index("i") == [("b", b"2")]
    await log.remove_index([])
    await log.put_index({})
    assert await log.scan_index("i") == [("b", b"2")]


async def test_index_values_are_opaque_bytes_and_keys_unicode(log: EventLog) -> None:
    odd = bytes(range(256))
    await log.put_index({IndexKey("salle-été", "ruang/rapat"): odd, IndexKey("i", "é"): b""})
    assert await log.scan_index("salle-été") == [("ruang/rapat", odd)]
    [(key, value)] = await log.scan_index("i")
    assert (key, value) == ("é", b"")
    assert type(value) is bytes


async def test_concurrent_index_writes_apply_in_call_order(log: EventLog) -> None:
    """Puts and removes racing on one key end as the last call said (coalesced or not)."""
    await asyncio.gather(
        log.put_index({IndexKey("i", "k"): b"1"}),
        log.remove_index([IndexKey("i", "k")]),
        log.put_index({IndexKey("i", "k"): b"3"}),
        *(log.put_index({IndexKey("i", f"n{n:03d}"): b"%d" % n}) for n in range(100)),
        log.remove_index([IndexKey("i", "n007")]),
    )
    entries = dict(await log.scan_index("i"))
    assert entries.pop("k") == b"3"
    assert sorted(entries) == [f"n{n:03d}" for n in range(100) if n != 7]


async def test_index_writes_and_appends_interleave(log: EventLog) -> None:
    """The index and the streams share a store: neither write blocks or loses the other."""

    async def room(n: int) -> None:
        await log.put_index({IndexKey("live", f"r{n}"): b""})
        await log.append(f"room:r{n}", 1, [b"created"])
        await log.append(f"room:r{n}", 2, [b"ended"])
        await log.remove_index([IndexKey("live", f"r{n}")])

    await asyncio.gather(*(room(n) for n in range(30)))
    assert await log.scan_index("live") == []
    assert len(await log.streams("room:")) == 30


# --- close -----------------------------------------------------------------------------


async def test_close_is_idempotent(log: EventLog) -> None:
    await log.append("s", 1, [b"x"])
    await log.close()
    await log.close()


# --- edge cases where the backends disagree (known bugs) --------------------------------


async def test_read_after_a_negative_seq_returns_everything(
    log: EventLog, backend: str, request: pytest.FixtureRequest
) -> None:
    await log.append("s", 1, [b"a", b"b"])
    assert await log.read("s", after=-1) == [(1, b"a"), (2, b"b")]


async def test_read_after_a_huge_seq_is_empty(
    log: EventLog, backend: str, request: pytest.FixtureRequest
) -> None:
    await log.append("s", 1, [b"a"])
    assert await log.read("s", after=2**64) == []
