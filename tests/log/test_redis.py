"""What the Redis log does beyond the contract: slots, scripts, batching, failures.

The contract suite already runs against the session's Redis and Cluster
(``conftest.py``); tests here that stop, pause or flush a Redis start one of
their own, so the shared servers stay as every other test expects them.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from dealroom.server.log import IndexKey, LogUnavailable, SeqConflict, open_log
from dealroom.server.log.redis import RedisLog
from tests.redisproc import RedisCluster, RedisServer

ODD_NAMES = [
    "{room}",
    "}room{",
    "{}",
    "}",
    "{",
    "a}b",
    "a}c",
    "%7D",
    "%",
    "",
    "salle-été/会议室",
    "nul\x00byte",
    "\U0010ffff",
]

KINDS = ["redis", "redis-cluster"]


def namespace() -> str:
    return f"test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture(params=KINDS)
def url(request: pytest.FixtureRequest) -> str:
    """The session's single Redis, then its Cluster."""
    fixture = "redis_server" if request.param == "redis" else "redis_cluster"
    return str(request.getfixturevalue(fixture).url)


@pytest.fixture
async def log(url: str) -> AsyncIterator[RedisLog]:
    event_log = RedisLog(url, namespace=namespace())
    yield event_log
    await event_log.close()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, to stop, pause or count commands on."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[RedisCluster]:
    cluster = RedisCluster(tmp_path / "cluster")
    cluster.start()
    yield cluster
    for node in cluster.nodes:
        node.kill()


def stats(server: RedisServer) -> dict[str, Any]:
    with server.client() as client:
        info: dict[str, Any] = client.info("all")
    return info


# --- keys and slots --------------------------------------------------------------------


def test_every_key_of_a_stream_hashes_by_its_whole_name(redis_cluster: RedisCluster) -> None:
    """The tag is the escaped name: a brace cannot cut it short, an empty name cannot empty it."""
    log = RedisLog(redis_cluster.url)
    with redis_cluster.nodes[0].client() as client:

        def slot(key: bytes) -> int:
            return int(client.execute_command("CLUSTER", "KEYSLOT", key))

        slots = {}
        for name in ODD_NAMES:
            key = log.stream_key(name)
            tag = key[key.index(b"{") + 1 : key.index(b"}")]
            assert tag, name
            assert slot(key) == slot(tag) == slot(b"other-key-of-this-stream{" + tag + b"}")
            slots[name] = tag
        assert len(set(slots.values())) == len(ODD_NAMES)  # "a}b" and "a}c" do not share a tag
        # the cross-stream keys share one slot, so a put over several indexes is one script
        shared = {log.registry_key, log.index_key("live"), log.index_key("workshop:{w}")}
        assert len({slot(key) for key in shared}) == 1


async def test_odd_stream_names_are_separate_streams(log: RedisLog) -> None:
    for n, name in enumerate(ODD_NAMES):
        await log.append(name, 1, [b"%d" % n])
    for n, name in enumerate(ODD_NAMES):
        assert await log.read(name) == [(1, b"%d" % n)]
    assert await log.streams() == sorted(ODD_NAMES)
    assert await log.streams("a}") == ["a}b", "a}c"]
    assert await log.streams("{") == ["{", "{room}", "{}"]


async def test_streams_skips_a_registered_name_whose_first_append_never_landed(
    log: RedisLog, url: str
) -> None:
    """The registry is written a round trip before the stream: a crash between leaves a name."""
    await log.append("room:kept", 1, [b"x"])
    client = RedisLog(url, namespace=log.namespace)._client
    try:
        await client.zadd(log.registry_key, {b"room:lost": 0})
    finally:
        await client.aclose()
    assert await log.streams("room:") == ["room:kept"]
    await log.append("room:lost", 1, [b"later"])  # and the name works when it does land
    assert await log.streams("room:") == ["room:kept", "room:lost"]


async def test_a_burst_of_reads_shares_round_trips_instead_of_a_connection_each(
    log: RedisLog,
) -> None:
    # Another node's appends wake every room a node shares, and each reads the
    # log at once: one connection per concurrent read ran into redis-py's pool
    # limit (100 a node) and failed with MaxConnectionsError.
    await asyncio.gather(*(log.append(f"burst{n}", 1, [b"%d" % n]) for n in range(600)))
    reads = await asyncio.gather(*(log.read(f"burst{n}") for n in range(600)))
    assert reads == [[(1, b"%d" % n)] for n in range(600)]


async def test_a_call_cancelled_in_flight_is_cancelled(log: RedisLog) -> None:
    # redis-py 8.1 may finish a command it was cancelled in and return its reply: a
    # node's duties loop then ran on after shutdown cancelled it (a SIGTERM that
    # did not stop the server within 15 s, now and then).
    async def duty() -> None:
        while True:
            await log.scan_index("nodes")
            await asyncio.sleep(3)

    rng = random.Random(5)
    ran_on = 0
    for _ in range(100):
        task = asyncio.create_task(duty())
        await asyncio.sleep(rng.uniform(0, 0.003))  # somewhere inside the round trip
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=1.0)
        if not done:
            ran_on += 1
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert ran_on == 0


async def test_namespaces_keep_logs_apart(url: str) -> None:
    first, second = RedisLog(url, namespace=namespace()), RedisLog(url, namespace=namespace())
    try:
        await first.append("room", 1, [b"first"])
        await first.put_index({IndexKey("live", "room"): b""})
        assert await second.read("room") == []
        assert await second.streams() == []
        assert await second.scan_index("live") == []
        await second.append("room", 1, [b"second"])
        assert await first.read("room") == [(1, b"first")]
    finally:
        await first.close()
        await second.close()


def test_a_namespace_with_braces_is_refused() -> None:
    with pytest.raises(ValueError, match="braces"):
        RedisLog("redis://127.0.0.1:1/0", namespace="{tenant}:")


def test_the_url_chooses_the_client() -> None:
    assert not RedisLog("redis://127.0.0.1:1/0").cluster
    assert RedisLog("redis+cluster://127.0.0.1:1").cluster
    assert RedisLog("redis://127.0.0.1:1", cluster=True).cluster
    with pytest.raises(ValueError, match="not a Redis URL"):
        RedisLog("http://127.0.0.1:1")


async def test_open_log_opens_redis(redis_server: RedisServer, tmp_path: Path) -> None:
    log = open_log("redis", tmp_path, redis_url=redis_server.url)
    assert isinstance(log, RedisLog)
    await log.close()
    with pytest.raises(ValueError, match="URL"):
        open_log("redis", tmp_path)


async def test_a_closed_log_refuses_calls(log: RedisLog) -> None:
    await log.close()
    with pytest.raises(LogUnavailable):
        await log.append("s", 1, [b"x"])
    with pytest.raises(LogUnavailable):
        await log.put_index({IndexKey("i", "k"): b""})


# --- compare-and-set across nodes --------------------------------------------------------


async def test_writers_on_several_nodes_race_and_exactly_one_wins_each_seq(
    log: RedisLog, url: str
) -> None:
    """Three logs on one store, as three dealroom nodes: 60 writers race for each of 10 seqs."""
    nodes = [log] + [RedisLog(url, namespace=log.namespace) for _ in range(2)]
    try:
        seq = 1
        for _ in range(10):
            results = await asyncio.gather(
                *(
                    nodes[w % 3].append("room", seq, [b"%d:%d" % (seq, w), b"tail"])
                    for w in range(60)
                ),
                return_exceptions=True,
            )
            winners = [w for w, result in enumerate(results) if result is None]
            assert len(winners) == 1, results
            assert all(isinstance(r, SeqConflict) for r in results if r is not None)
            # every loser saw the winner's whole batch (or raced before it: then at seq)
            assert {r.actual for r in results if isinstance(r, SeqConflict)} <= {seq + 2}
            read = await nodes[seq % 3].read("room", after=seq - 1)
            assert read == [(seq, b"%d:%d" % (seq, winners[0])), (seq + 1, b"tail")]
            seq += 2
            await nodes[1].append("room", seq, [])  # an empty append is a pure check
        assert len(await log.read("room")) == 20
    finally:
        for node in nodes[1:]:
            await node.close()


# --- batching ----------------------------------------------------------------------------


async def test_concurrent_appends_share_round_trips(own_server: RedisServer) -> None:
    log = RedisLog(own_server.url)
    rooms = [f"room:{n}" for n in range(200)]
    try:
        await asyncio.gather(*(log.append(room, 1, [b"created"]) for room in rooms))
        before, trips = stats(own_server), log.round_trips
        await asyncio.gather(*(log.append(room, 2, [b"move"]) for room in rooms))
        after = stats(own_server)
        batched_reads = after["total_reads_processed"] - before["total_reads_processed"]
        assert log.round_trips - trips <= 3  # the first call alone, then the rest together
        scripts = after["cmdstat_evalsha"]["calls"] - before["cmdstat_evalsha"]["calls"]
        assert scripts == 200  # one script call per append, no extra checks
        # against the server's own count of socket reads: a handful, not 200
        assert batched_reads <= 10, batched_reads

        before = stats(own_server)
        for room in rooms[:50]:
            await log.append(room, 3, [b"alone"])
        after = stats(own_server)
        assert after["total_reads_processed"] - before["total_reads_processed"] >= 50
    finally:
        await log.close()


async def test_a_cluster_batch_goes_to_every_master_in_one_round_trip(
    redis_cluster: RedisCluster,
) -> None:
    log = RedisLog(redis_cluster.url, namespace=namespace())
    rooms = [f"room:{n}" for n in range(300)]
    try:
        await asyncio.gather(*(log.append(room, 1, [b"created"]) for room in rooms))
        before = [stats(node)["cmdstat_evalsha"]["calls"] for node in redis_cluster.nodes]
        trips = log.round_trips
        await asyncio.gather(*(log.append(room, 2, [b"move"]) for room in rooms))
        after = [stats(node)["cmdstat_evalsha"]["calls"] for node in redis_cluster.nodes]
        calls = [a - b for a, b in zip(after, before, strict=True)]
        assert sum(calls) == 300
        assert all(c > 50 for c in calls), calls  # the rooms spread over the three masters
        assert log.round_trips - trips <= 3
        for room in rooms[:5]:
            assert await log.read(room) == [(1, b"created"), (2, b"move")]
    finally:
        await log.close()


# --- scripts -----------------------------------------------------------------------------


async def test_a_flushed_script_cache_is_loaded_again(own_server: RedisServer) -> None:
    log = RedisLog(own_server.url)
    try:
        await log.append("s", 1, [b"a"])
        await log.put_index({IndexKey("i", "a"): b"1"})
        with own_server.client() as client:
            client.script_flush()
        await asyncio.gather(log.append("s", 2, [b"b"]), log.append("t", 1, [b"c"]))
        with pytest.raises(SeqConflict):
            await log.append("s", 2, [b"again"])
        await log.put_index({IndexKey("i", "b"): b"2"})
        assert await log.read("s") == [(1, b"a"), (2, b"b")]
        assert await log.scan_index("i") == [("a", b"1"), ("b", b"2")]
    finally:
        await log.close()


async def test_a_flushed_script_cache_on_a_cluster_is_loaded_again(
    redis_cluster: RedisCluster,
) -> None:
    log = RedisLog(redis_cluster.url, namespace=namespace())
    rooms = [f"r{n}" for n in range(30)]
    try:
        await asyncio.gather(*(log.append(room, 1, [b"a"]) for room in rooms))
        for node in redis_cluster.nodes:
            with node.client() as client:
                client.script_flush()
        await asyncio.gather(*(log.append(room, 2, [b"b"]) for room in rooms))
        await log.put_index({IndexKey("i", "a"): b"1"})
        for room in rooms:
            assert await log.read(room) == [(1, b"a"), (2, b"b")]
    finally:
        await log.close()


# --- failures ----------------------------------------------------------------------------


async def expect_unavailable(call: Any, within: float) -> None:
    began = time.monotonic()
    with pytest.raises(LogUnavailable):
        await call
    assert time.monotonic() - began < within


async def test_a_paused_redis_fails_calls_within_the_timeout_then_recovers(
    own_server: RedisServer,
) -> None:
    log = RedisLog(own_server.url, timeout=0.5)
    try:
        await log.append("s", 1, [b"a"])
        await log.put_index({IndexKey("i", "k"): b"v"})
        own_server.pause()  # SIGSTOP: connections open, nothing answers
        try:
            await expect_unavailable(log.append("s", 2, [b"in doubt"]), within=1.5)
            await expect_unavailable(log.read("s"), within=1.5)
            await expect_unavailable(log.streams(), within=1.5)
            await expect_unavailable(log.put_index({IndexKey("i", "k"): b"w"}), within=1.5)
            await expect_unavailable(log.scan_index("i"), within=1.5)
        finally:
            own_server.resume()
        # The timed-out calls were in doubt: each ran whole (once Redis woke) or not at all.
        read = await log.read("s")
        assert read in ([(1, b"a")], [(1, b"a"), (2, b"in doubt")])
        await log.append("s", len(read) + 1, [b"after"])
        assert await log.scan_index("i") in ([("k", b"v")], [("k", b"w")])
    finally:
        await log.close()


async def test_a_killed_redis_fails_calls_at_once_and_the_log_works_after_a_restart(
    tmp_path: Path,
) -> None:
    """With ``appendfsync always`` an acked append survives SIGKILL; the same log reconnects."""
    server = RedisServer(tmp_path / "redis", "--appendonly", "yes", "--appendfsync", "always")
    server.start()
    log = RedisLog(server.url, timeout=0.5)
    try:
        await log.append("s", 1, [b"a", b"b"])
        await log.put_index({IndexKey("live", "s"): b""})
        server.kill()
        await expect_unavailable(log.append("s", 3, [b"lost"]), within=1.5)
        await expect_unavailable(log.read("s"), within=1.5)
        await expect_unavailable(log.put_index({IndexKey("live", "t"): b""}), within=1.5)
        server.start()  # same port, same directory: its AOF
        assert await log.read("s") == [(1, b"a"), (2, b"b")]
        await log.append("s", 3, [b"c"])
        assert await log.streams() == ["s"]
        assert await log.scan_index("live") == [("s", b"")]
    finally:
        await log.close()
        server.kill()


async def test_a_paused_cluster_master_fails_only_its_own_streams(
    own_cluster: RedisCluster,
) -> None:
    log = RedisLog(own_cluster.url, timeout=0.5)
    rooms = [f"room:{n}" for n in range(60)]
    try:
        await asyncio.gather(*(log.append(room, 1, [b"a"]) for room in rooms))
        paused = own_cluster.nodes[1]
        with paused.client() as client:
            on_paused = {room for room in rooms if _owner(client, log, room) == paused.port}
        assert 0 < len(on_paused) < len(rooms)
        paused.pause()
        try:
            began = time.monotonic()
            results = await asyncio.gather(
                *(log.append(room, 2, [b"b"]) for room in rooms), return_exceptions=True
            )
            assert time.monotonic() - began < 2.5
        finally:
            paused.resume()
        for room, result in zip(rooms, results, strict=True):
            if room in on_paused:
                assert isinstance(result, LogUnavailable), (room, result)
            else:
                assert result is None, (room, result)
        await asyncio.sleep(0.1)
        for room in rooms:  # every stream is whole, and writable again
            entries = [entry for _, entry in await log.read(room)]
            assert entries in ([b"a"], [b"a", b"b"])  # the paused ones were in doubt
            await log.append(room, len(entries) + 1, [b"c"])
    finally:
        await log.close()


def _owner(client: redis.Redis, log: RedisLog, room: str) -> int:
    slot = int(client.execute_command("CLUSTER", "KEYSLOT", log.stream_key(room)))
    for start, end, primary, *_ in client.execute_command("CLUSTER", "SLOTS"):
        if start <= slot <= end:
            return int(primary[1])
    raise AssertionError(slot)


# --- replicas ----------------------------------------------------------------------------


async def test_wait_replicas_returns_once_a_replica_holds_the_append(
    own_server: RedisServer, tmp_path: Path
) -> None:
    with own_server.client() as client:  # sync the replica now, not after Redis's 5 s wait
        client.config_set("repl-diskless-sync-delay", 0)
    replica = RedisServer(tmp_path / "replica", "--replicaof", "127.0.0.1", str(own_server.port))
    replica.start()
    # Patient while the replica is up (a loaded machine can take a while to
    # ack), quick to give up once it is paused.
    log = RedisLog(own_server.url, wait_replicas=1, wait_timeout=10.0, timeout=1.0)
    try:
        with replica.client() as client:
            for _ in range(200):  # the first sync
                if client.info("replication")["master_link_status"] == "up":
                    break
                await asyncio.sleep(0.05)
        await asyncio.gather(*(log.append(f"s{n}", 1, [b"x"]) for n in range(20)))
        with replica.client() as client:
            assert client.lrange(log.stream_key("s7"), 0, -1) == [b"x"]
        replica.pause()
        await log.close()
        log = RedisLog(own_server.url, wait_replicas=1, wait_timeout=0.5, timeout=1.0)
        # On the primary, not on the replica: the caller must not take it as durable.
        began = time.monotonic()
        with pytest.raises(LogUnavailable, match="replicas"):
            await log.append("s0", 2, [b"unreplicated"])
        assert time.monotonic() - began < 2
        assert await log.read("s0") == [(1, b"x"), (2, b"unreplicated")]
    finally:
        replica.kill()
        await log.close()


async def test_wait_replicas_on_a_cluster_without_replicas_refuses_the_ack(
    redis_cluster: RedisCluster,
) -> None:
    log = RedisLog(redis_cluster.url, namespace=namespace(), wait_replicas=1, wait_timeout=0.1)
    try:
        results = await asyncio.gather(
            *(log.append(f"s{n}", 1, [b"x"]) for n in range(10)), return_exceptions=True
        )
        assert all(isinstance(r, LogUnavailable) for r in results), results
    finally:
        await log.close()


# --- wake-ups between nodes -------------------------------------------------------------


class Woken:
    """Records the wake-ups one node receives."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | None]] = []
        self.changed = asyncio.Event()

    def __call__(self, stream: str, seq: int | None) -> None:
        self.calls.append((stream, seq))
        self.changed.set()

    async def until(self, wanted: tuple[str, int | None], within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while wanted not in self.calls:
                self.changed.clear()
                await self.changed.wait()


async def test_a_node_is_woken_with_the_seq_of_another_nodes_append(url: str) -> None:
    ns = namespace()
    node_a, node_b = RedisLog(url, namespace=ns), RedisLog(url, namespace=ns)
    woken = Woken()
    try:
        node_b.watch("room:x", woken)
        await woken.until(("room:x", None))  # subscribed: "read what is there"
        await node_a.append("room:x", 1, [b"a", b"b"])
        await woken.until(("room:x", 2))  # the new last seq, and nothing else
        await node_a.append("room:y", 1, [b"other"])  # not watched: no wake-up
        await node_a.append("room:x", 3, [b"c"])
        await woken.until(("room:x", 3))
        assert all(stream == "room:x" for stream, _ in woken.calls)
        node_b.unwatch("room:x", woken)
        await asyncio.sleep(0.3)  # the unsubscription takes effect
        before = len(woken.calls)
        await node_a.append("room:x", 4, [b"d"])
        await asyncio.sleep(0.3)
        assert len(woken.calls) == before
    finally:
        await node_a.close()
        await node_b.close()


async def test_wake_ups_lost_to_a_restart_are_made_good_by_a_none(tmp_path: Path) -> None:
    """Redis restarts: the subscription is renewed and the watcher told to read the log."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    node_a, node_b = RedisLog(server.url, timeout=0.5), RedisLog(server.url, timeout=0.5)
    woken = Woken()
    try:
        node_b.watch("room:x", woken)
        await woken.until(("room:x", None))
        server.kill()
        server.start()
        woken.calls.clear()
        for _ in range(50):  # the writer reconnects too
            try:
                await node_a.append("room:x", 1, [b"a"])
                break
            except LogUnavailable:
                await asyncio.sleep(0.1)
        # Either the message arrived on the renewed subscription, or the renewal's None
        # sent the node to the log: both bring it to seq 1.
        async with asyncio.timeout(10):
            while not any(call in woken.calls for call in (("room:x", 1), ("room:x", None))):
                woken.changed.clear()
                await woken.changed.wait()
        assert node_b.degraded is None or "wake-ups" in node_b.degraded
    finally:
        await node_a.close()
        await node_b.close()
        server.kill()
