"""Redis event log: the store several nodes share, on one Redis or a Redis Cluster.

Which client, from the URL (or ``cluster=`` to say it outright):
``redis://HOST:PORT/DB``, ``rediss://`` and ``unix://`` are one Redis;
``redis+cluster://HOST:PORT`` (or ``rediss+cluster://``) is a Redis Cluster
reached through any of its nodes. The same keys and scripts run on both.

Keys (``ns`` is the namespace, ``dealroom:`` by default, so tenants or tests
can share one Redis; it may not hold ``{`` or ``}``)::

    ns log{T(stream)}           list: the stream's entries; seq N is index N-1
    ns streams{T(ns)}           sorted set, all scores 0: every stream name ever
                                appended to (UTF-8), in lexicographic order
    ns index{T(ns)}NAME         hash per index: key -> value

``T`` escapes ``%`` and ``}`` (as ``%25``, ``%7D``) and turns the empty name into
a lone ``%``, so a name can neither end its hash tag early nor leave it empty:
everything a stream owns hashes by its name alone, to one Cluster slot, and
no operation on a stream needs a second slot. The registry and every index
share one tag (the namespace's): a ``put_index`` over several indexes is one
atomic script there. Cross-room data is small and written once per room
created or ended, not per move, so one slot carries it easily.

Why a list: the seq is the position, so the compare-and-set reads ``LLEN``
(O(1)) and the append is one ``RPUSH``; ``read(after)`` is one
``LRANGE key after -1``, which walks the list's nodes from the nearer end, so
a resume (a suffix) costs what it returns. A hash keyed by seq needs its
length first (two round trips or a script per read) and stores a field per
entry; a Redis Stream stores an ID and a field name per entry and still needs
a script to insist on exactly the next seq (``XADD`` accepts any larger ID).

Why a registry for ``streams(prefix)``: ``ZRANGEBYLEX`` answers a prefix in
order from one key, while ``SCAN`` would walk every key of every master,
costing what the whole store holds (DESIGN.md principle 7). Its entry is
added in the round trip *before* a stream's first append (both cannot share
an atomic step on a Cluster), so a crash between leaves a name whose stream is
empty; ``streams`` checks that each listed stream exists before naming it.

Appends share round trips: while one pipeline is in flight, appends from
every stream queue and the next pipeline takes them all, as SQLite's group
commit shares fsyncs. On a Cluster, redis-py's cluster pipeline splits the
``EVALSHA`` calls by slot and sends each node its share at once. The script
checks the expected seq before its first write, so nothing is half-appended.
Scripts are called by SHA; a ``NOSCRIPT`` (a restarted or flushed Redis)
loads the script and sends those calls again.

Failures: every call has a socket timeout (``timeout``, 2 s by default) and an
overall deadline of twice that; a Redis that is down, paused or refusing
writes raises :class:`~.base.LogUnavailable` within it, and a later call
reconnects by itself (redis-py's retry with backoff, on connection errors
only: a timed-out append is not sent again). One difference from SQLite: an
append that reached Redis before its connection dropped or timed out is *in
doubt*: the script ran whole or not at all, and the writer learns which at
its next compare-and-set (a :class:`~.base.SeqConflict` sends the room to the
log, as any lost race does: DESIGN.md principle 4). For the same reason an
append that redis-py did resend after a dropped connection can answer
``SeqConflict`` for its own first run; it is never written twice.

Durability: an append returns once Redis has executed it (and, with
``wait_replicas=N``, once ``WAIT N`` says N replicas hold it). What an acked
append then survives depends on the server's settings:

=================================  ==================  ===================  ==================
Redis setting                      Redis process dies  host crash or        the primary is lost
                                                       power loss           (failover)
=================================  ==================  ===================  ==================
no persistence                     lost                lost                 lost
RDB snapshots only (``save``)      since last snapshot since last snapshot  lost
``appendonly yes`` +               kept                kept (disk honours   lost
``appendfsync always``                                 flushes)
``appendonly yes`` +               kept, except up to  up to about 2 s lost lost
``appendfsync everysec``           2 s when the disk
                                   lags
replicas + ``wait_replicas=N``     (as its AOF row)    (as its AOF row)     kept if a replica
                                                                            that has it is promoted
=================================  ==================  ===================  ==================

Redis writes the AOF before it sends replies; ``always`` fsyncs it first, and
``everysec`` postpones the write while a previous fsync is slow. Replication
is asynchronous: without ``WAIT`` an acked append can be missing from the
replica that a failover promotes. ``WAIT`` counts replicas that received the
write, not ones that fsynced it (``WAITAOF`` would, from Redis 7.2; Debian 12
ships 7.0). If fewer than N replicas answer in ``wait_timeout``, the append
raises :class:`~.base.LogUnavailable` although the primary holds it (in doubt,
as above). On a Cluster every shard's own settings apply to its streams.

A Redis that comes back without what it acknowledged (no persistence, an old
backup) answers a room's next compare-and-set with a next seq *below* the
expected one; the room service takes that as
:class:`~.base.HistoryLost`, never as a race, and writes nothing over the gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.crc import key_slot
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisClusterException, RedisError

from ..metrics.histogram import Histogram
from .base import EventLog, IndexKey, LogUnavailable, SeqConflict, Wake, settle

__all__ = ["RedisLog", "is_redis_url"]

_T = TypeVar("_T")
_In = TypeVar("_In")
_Out = TypeVar("_Out")
log = logging.getLogger(__name__)

# KEYS[1] the stream's list, KEYS[2] its wake-up channel (same hash tag); ARGV[1]
# the expected seq, ARGV[2..] the entries. Replies {1, next seq} when appended,
# {0, next seq} when the seq was wrong. The check comes before the only write,
# so a refused call changes nothing. The wake-up (the new last seq) is published
# by the same atomic step as the append: no node can append and die before
# the others are told.
_APPEND = """
local next_seq = redis.call('LLEN', KEYS[1]) + 1
if tonumber(ARGV[1]) ~= next_seq then
    return {0, next_seq}
end
for first = 2, #ARGV, 4000 do  -- unpack() is capped at about 8,000 values
    redis.call('RPUSH', KEYS[1], unpack(ARGV, first, math.min(first + 3999, #ARGV)))
end
redis.call('SPUBLISH', KEYS[2], next_seq + #ARGV - 2)
return {1, next_seq + #ARGV - 1}
"""

# KEYS: the index hashes (one slot). ARGV: operations in call order, each
# 'p', key number, field, value (set) or 'd', key number, field (remove).
_INDEX = """
local i = 1
while i <= #ARGV do
    local index = KEYS[tonumber(ARGV[i + 1])]
    if ARGV[i] == 'p' then
        redis.call('HSET', index, ARGV[i + 2], ARGV[i + 3])
        i = i + 4
    else
        redis.call('HDEL', index, ARGV[i + 2])
        i = i + 3
    end
end
return 1
"""

_SCHEMES = {"redis", "rediss", "unix"}
_CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
_MAX_BATCH = 1000
"""Appends in one pipeline: a bound on one round trip's size, not a target."""
_LAST_READABLE = 2**62  # LRANGE takes a signed 64-bit start
_LISTEN_POLL = 0.1
"""Seconds a wait for a wake-up lasts before the subscriptions are brought up to date."""


def is_redis_url(url: str) -> bool:
    """Whether ``url`` names a Redis or a Redis Cluster this module can open."""
    scheme = urlsplit(url).scheme
    return scheme in _SCHEMES or scheme in _CLUSTER_SCHEMES


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _text(value: bytes | str) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "surrogatepass")


def _raw(value: bytes | str) -> bytes:
    """A reply as bytes (the client never decodes: ``decode_responses`` is off)."""
    return value if isinstance(value, bytes) else _utf8(value)


def _tag(name: bytes) -> bytes:
    """``name`` as the inside of a hash tag: no ``}``, never empty, one name per tag."""
    return name.replace(b"%", b"%25").replace(b"}", b"%7D") or b"%"


@dataclass(slots=True)
class _Script:
    source: str
    sha: str

    @classmethod
    def of(cls, source: str) -> _Script:
        return cls(source, hashlib.sha1(source.encode()).hexdigest())


_APPEND_SCRIPT = _Script.of(_APPEND)
_INDEX_SCRIPT = _Script.of(_INDEX)


@dataclass(slots=True)
class _Append:
    stream: str
    key: bytes
    expected_seq: int
    entries: Sequence[bytes]
    future: asyncio.Future[None]
    error: Exception | None = None
    settled: bool = False
    done: None = None
    """Always None here (appends on Redis are awaited: see EventLog.append_soon)."""
    """Redis answered for it: success or ``error`` is final, whatever fails after."""


_IndexOp = tuple[bytes, bytes, bytes | None]  # index name, key, value (None: remove)
_Read = tuple[bytes, int]  # a stream's key, the first index to read


class _RoundTrips(Generic[_In, _Out]):
    """Calls that queue while one round trip is in flight go together in the next.

    ``run`` sends a batch and answers one result per call, in order; a failure
    (LogUnavailable) fails the whole batch. Besides sharing round trips, this
    bounds the connections a burst takes: a wake-up from another node's append
    makes every room that node shares read, and one connection per concurrent
    read ran into redis-py's pool limit (``MaxConnectionsError``) under load.
    """

    def __init__(self, run: Callable[[list[_In]], Awaitable[list[_Out]]]) -> None:
        self._run = run
        self._queued: list[tuple[_In, asyncio.Future[_Out]]] = []
        self.task: asyncio.Task[None] | None = None

    async def call(self, item: _In) -> _Out:
        future: asyncio.Future[_Out] = asyncio.get_running_loop().create_future()
        self._queued.append((item, future))
        if self.task is None:
            self.task = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._queued:
                batch = self._queued[:_MAX_BATCH]
                del self._queued[:_MAX_BATCH]
                try:
                    results = await self._run([item for item, _ in batch])
                except LogUnavailable as failure:
                    for _, future in batch:
                        if not future.done():  # a caller may have given up (cancelled)
                            future.set_exception(failure)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self.task = None


class RedisLog(EventLog):
    """Streams as Redis lists, appended by a compare-and-set script through a shared pipeline."""

    shared = True

    def __init__(
        self,
        url: str,
        *,
        cluster: bool | None = None,
        namespace: str = "dealroom:",
        timeout: float = 2.0,
        wait_replicas: int = 0,
        wait_timeout: float = 1.0,
    ) -> None:
        """Connect lazily to ``url`` (nothing is sent until the first call).

        ``cluster``: None reads it from the scheme (``redis+cluster://``).
        ``namespace``: prefix of every key this log writes.
        ``timeout``: seconds a connect or a reply may take before the call fails.
        ``wait_replicas``: replicas that must hold an append before it returns.
        """
        if "{" in namespace or "}" in namespace:
            raise ValueError(f"a namespace may not contain braces: {namespace!r}")
        scheme = urlsplit(url).scheme
        if not is_redis_url(url):
            raise ValueError(f"not a Redis URL: {url!r}")
        self.cluster = scheme in _CLUSTER_SCHEMES if cluster is None else cluster
        if scheme in _CLUSTER_SCHEMES:
            url = urlunsplit(urlsplit(url)._replace(scheme=_CLUSTER_SCHEMES[scheme]))
        self.namespace = namespace
        self.timeout = timeout
        self.wait_replicas = wait_replicas
        self.wait_timeout = wait_timeout
        # One deadline for a whole call, whatever the client's own retries would add up to
        # (a Cluster client re-reads the slot map after a timeout and tries again).
        self._deadline = 2 * timeout + (wait_timeout if wait_replicas else 0.0)
        options: dict[str, Any] = {
            # A WAIT holds its reply up to wait_timeout: not a dead socket.
            "socket_timeout": timeout + (wait_timeout if wait_replicas else 0.0),
            "socket_connect_timeout": timeout,
            # Reconnect with backoff; never resend on a timeout (the first may have run).
            "retry": Retry(
                ExponentialWithJitterBackoff(base=0.05, cap=0.5),
                retries=2,
                supported_errors=(RedisConnectionError,),
            ),
        }
        self._client: Redis | RedisCluster
        if self.cluster:
            self._client = RedisCluster.from_url(url, **options)
        else:
            self._client = Redis.from_url(url, **options)
        ns = _utf8(namespace)
        self._registry = ns + b"streams{" + _tag(ns) + b"}"
        self._index_prefix = ns + b"index{" + _tag(ns) + b"}"
        self._stream_prefix = ns + b"log{"
        self._wake_prefix = ns + b"wake{"
        self._watchers: dict[bytes, tuple[str, list[Wake]]] = {}
        """Wake-up channel -> (its stream, who to wake)."""
        self._listening: asyncio.Task[None] | None = None
        self._subscriptions_changed = asyncio.Event()
        self.degraded: str | None = None
        """Why the last call to Redis failed; None once one succeeds again."""
        self._appends: list[_Append] = []
        self._appending: asyncio.Task[None] | None = None
        self._reads: _RoundTrips[_Read, list[Any]] = _RoundTrips(self._read_batch)
        self._index_writes: _RoundTrips[list[_IndexOp], None] = _RoundTrips(self._write_indexes)
        self._initializing = asyncio.Lock()
        self._closed = False
        self.round_trips = 0
        """Append pipelines sent (appends / round_trips = the batching factor)."""
        self.appends = 0
        self.append_latency = Histogram()
        self.failed_calls = 0
        """Calls to Redis that failed (each leaves ``degraded`` set until one succeeds)."""
        self.wakeup_reconnects = 0
        """Times the wake-up connection failed and was opened again."""

    def stream_key(self, stream: str) -> bytes:
        """The key of ``stream``'s list (its hash tag is the escaped name)."""
        return self._stream_prefix + _tag(_utf8(stream)) + b"}"

    def wake_channel(self, stream: str) -> bytes:
        """The sharded pub/sub channel of ``stream``'s wake-ups (the stream's hash tag)."""
        return self._wake_prefix + _tag(_utf8(stream)) + b"}"

    def index_key(self, index: str) -> bytes:
        """The key of index ``index``'s hash (every index shares the namespace's tag)."""
        return self._index_prefix + _utf8(index)

    @property
    def registry_key(self) -> bytes:
        """The key of the sorted set of stream names."""
        return self._registry

    # --- appends ---------------------------------------------------------------------

    async def append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        """See :meth:`EventLog.append`; returns once Redis ran the batch's pipeline."""
        if self._closed:
            raise LogUnavailable("the log is closed")
        began = time.monotonic()
        future = asyncio.get_running_loop().create_future()
        self._appends.append(
            _Append(stream, self.stream_key(stream), expected_seq, entries, future)
        )
        if self._appending is None:
            self._appending = asyncio.create_task(self._flush_appends())
        try:
            await future
        finally:
            self.append_latency.observe(time.monotonic() - began)

    async def _flush_appends(self) -> None:
        try:
            while self._appends:  # whatever queued during the last round trip goes next
                batch = self._appends[:_MAX_BATCH]
                del self._appends[:_MAX_BATCH]
                try:
                    await self._guarded(partial(self._append_batch, batch))
                except LogUnavailable as failure:  # settle every caller, or they wait forever
                    for request in batch:
                        if not request.settled:
                            request.error = failure
                settle(batch)
        finally:
            self._appending = None

    async def _append_batch(self, batch: list[_Append]) -> None:
        """Run ``batch``, leaving each request's outcome in its ``error``."""
        new = [r for r in batch if r.expected_seq == 1 and r.entries]
        if new:  # registered before the first append lands: see the module docstring
            try:
                await self._client.zadd(self._registry, {_utf8(r.stream): 0 for r in new})
            except (RedisError, RedisClusterException, OSError) as exc:
                failure = _unavailable(exc)
                for request in new:
                    request.error, request.settled = failure, True
        todo = [r for r in batch if r.error is None]
        for _ in range(2):  # the second pass only after NOSCRIPT and a load
            if not todo:
                break
            replies = await self._send_appends(todo)
            self.round_trips += 1
            missing = [r for r, reply in zip(todo, replies, strict=True) if _noscript(reply)]
            for request, reply in zip(todo, replies, strict=True):
                if not _noscript(reply):
                    self._settle(request, reply)
            todo = missing
            if todo:
                await self._client.script_load(_APPEND_SCRIPT.source)
        for request in todo:
            request.error = LogUnavailable("redis: the append script would not load")
            request.settled = True

    async def _send_appends(self, requests: list[_Append]) -> list[Any]:
        """One pipeline: each request's script call, then ``WAIT`` where asked."""
        pipe = self._client.pipeline(transaction=False)
        for r in requests:
            pipe.execute_command(
                "EVALSHA",
                _APPEND_SCRIPT.sha,
                2,
                r.key,
                self.wake_channel(r.stream),
                r.expected_seq,
                *r.entries,
            )
        waits = self._queue_waits(pipe, requests)
        replies: list[Any] = await pipe.execute(raise_on_error=False)
        if waits:
            acked = replies[len(requests) :]
            short = [
                node
                for node, count in zip(waits, acked, strict=True)
                if isinstance(count, Exception) or int(count) < self.wait_replicas
            ]
            replies = replies[: len(requests)]
            if short:  # appended on the primary, but not on enough replicas: in doubt
                doubt = LogUnavailable(
                    f"redis: fewer than {self.wait_replicas} replicas acknowledged within "
                    f"{self.wait_timeout} s; the append is on the primary only"
                )
                replies = [
                    doubt if self._node_of(r.key) in short else reply
                    for r, reply in zip(requests, replies, strict=True)
                ]
        return replies

    def _queue_waits(self, pipe: Any, requests: list[_Append]) -> list[Any]:
        """Queue ``WAIT`` behind the scripts, per node on a Cluster (it counts that
        connection's writes); the nodes (or ``[None]``) in queue order."""
        if not self.wait_replicas:
            return []
        args = ("WAIT", self.wait_replicas, int(self.wait_timeout * 1000))
        if not isinstance(self._client, RedisCluster):
            pipe.execute_command(*args)
            return [None]
        nodes = list(dict.fromkeys(self._node_of(r.key) for r in requests))
        for node in nodes:
            pipe.execute_command(*args, target_nodes=node)
        return nodes

    def _node_of(self, key: bytes) -> Any:
        if isinstance(self._client, RedisCluster):
            return self._client.nodes_manager.get_node_from_slot(key_slot(key))
        return None

    def _settle(self, request: _Append, reply: Any) -> None:
        request.settled = True
        if isinstance(reply, Exception):
            request.error = reply if isinstance(reply, LogUnavailable) else _unavailable(reply)
            return
        appended, next_seq = int(reply[0]), int(reply[1])
        if appended:
            self.appends += 1
        else:
            request.error = SeqConflict(request.stream, request.expected_seq, next_seq)

    # --- reads -----------------------------------------------------------------------

    async def read(self, stream: str, after: int = 0) -> list[tuple[int, bytes]]:
        """See :meth:`EventLog.read`: one ``LRANGE`` from ``after`` to the end."""
        if self._closed:
            raise LogUnavailable("the log is closed")
        start = min(max(after, 0), _LAST_READABLE)
        entries = await self._reads.call((self.stream_key(stream), start))
        return [(seq, _raw(entry)) for seq, entry in enumerate(entries, start=start + 1)]

    async def _read_batch(self, reads: list[_Read]) -> list[list[Any]]:
        """Reads that queued together: one pipeline of ``LRANGE``s."""

        async def run() -> list[list[Any]]:
            pipe = self._client.pipeline(transaction=False)
            for key, start in reads:
                pipe.lrange(key, start, -1)
            return await pipe.execute()

        return await self._guarded(run)

    async def streams(self, prefix: str = "") -> list[str]:
        """See :meth:`EventLog.streams`: the registry's names under ``prefix`` that exist."""
        # Every name under the prefix sorts below prefix + 0xFF: UTF-8 never holds that byte.
        start = _utf8(prefix)
        low, high = (b"[" + start, b"(" + start + b"\xff") if prefix else (b"-", b"+")
        found = await self._guarded(lambda: self._client.zrangebylex(self._registry, low, high))
        if not found:
            return []
        names = [_text(name) for name in found]  # UTF-8 order is code point order, as str sorts
        pipe = self._client.pipeline(transaction=False)
        for name in names:
            pipe.execute_command("EXISTS", self.stream_key(name))
        exists: list[Any] = await self._guarded(pipe.execute)
        return [name for name, there in zip(names, exists, strict=True) if there]

    # --- indexes ---------------------------------------------------------------------

    async def put_index(self, entries: Mapping[IndexKey, bytes]) -> None:
        """See :meth:`EventLog.put_index`; one atomic script with the calls queued beside it."""
        await self._write_index(
            [(_utf8(index), _utf8(key), bytes(value)) for (index, key), value in entries.items()]
        )

    async def remove_index(self, keys: Iterable[IndexKey]) -> None:
        """See :meth:`EventLog.remove_index`."""
        await self._write_index([(_utf8(index), _utf8(key), None) for index, key in keys])

    async def scan_index(self, index: str) -> list[tuple[str, bytes]]:
        """See :meth:`EventLog.scan_index`: ``HGETALL``, sorted here."""
        found = await self._guarded(lambda: self._client.hgetall(self.index_key(index)))
        return sorted((_text(key), _raw(value)) for key, value in found.items())

    async def _write_index(self, ops: list[_IndexOp]) -> None:
        if self._closed:
            raise LogUnavailable("the log is closed")
        if ops:
            await self._index_writes.call(ops)

    async def _write_indexes(self, calls: list[list[_IndexOp]]) -> list[None]:
        """Calls that queued while one script was in flight go, in call order, in the next."""
        changes = [op for ops in calls for op in ops]
        await self._guarded(partial(self._run_index, changes))
        return [None] * len(calls)

    async def _run_index(self, ops: list[_IndexOp]) -> None:
        keys: dict[bytes, int] = {}
        args: list[bytes | int] = []
        for index, key, value in ops:
            number = keys.setdefault(self._index_prefix + index, len(keys) + 1)
            args += [b"d", number, key] if value is None else [b"p", number, key, value]
        command = ("EVALSHA", _INDEX_SCRIPT.sha, len(keys), *keys, *args)
        try:
            await self._client.execute_command(*command)
        except NoScriptError:  # nothing ran: load it and go again
            await self._client.script_load(_INDEX_SCRIPT.source)
            await self._client.execute_command(*command)

    # --- plumbing --------------------------------------------------------------------

    async def _guarded(self, call: Callable[[], Awaitable[_T]]) -> _T:
        """``call()`` within the deadline, any failure to talk to Redis as
        :class:`LogUnavailable` (a settled caller never waits for a dead batch).

        A cancellation is honoured even when redis-py swallows it: cancelled in
        the middle of a command, redis-py 8.1 may finish the command and return
        its reply, which left a node's duties loop running after shutdown
        cancelled it (tests/log/test_redis.py cancels 100 calls in flight).
        """
        task = asyncio.current_task()
        cancels = task.cancelling() if task is not None else 0
        try:
            async with asyncio.timeout(self._deadline):
                await self._ready()
                result = await call()
        except TimeoutError as exc:  # the deadline's (an OSError: caught before those)
            raise self._failed(
                LogUnavailable(f"redis: no answer within {self._deadline:.1f} s")
            ) from exc
        except (RedisError, RedisClusterException, OSError) as exc:
            raise self._failed(_unavailable(exc)) from exc
        except Exception as exc:  # redis-py leaks a few transport errors (AttributeError...)
            log.warning(
                "redis: unexpected %s, taken as unavailable", type(exc).__name__, exc_info=True
            )
            raise self._failed(_unavailable(exc)) from exc
        if task is not None and task.cancelling() > cancels:
            raise asyncio.CancelledError
        self.degraded = None
        return result

    def _failed(self, failure: LogUnavailable) -> LogUnavailable:
        self.degraded = str(failure)
        self.failed_calls += 1
        return failure

    async def _ready(self) -> None:
        """Learn a Cluster's slot map before any command, one caller at a time.

        redis-py 8.1's cluster client, first used by many tasks at once, can
        close connections other tasks are still opening (seen as "Connection
        lost" or an AttributeError in about one test run in ten); once it is
        initialised, ``initialize`` returns at once.
        """
        if isinstance(self._client, RedisCluster):
            async with self._initializing:
                await self._client.initialize()

    # --- wake-ups --------------------------------------------------------------------

    def watch(self, stream: str, wake: Wake) -> None:
        """See :meth:`EventLog.watch`: a sharded pub/sub subscription to the stream's channel.

        Once subscribed (and after every reconnect) the watchers are woken with
        ``None``: what was appended before the subscription took effect is in
        the log, not in any message.
        """
        if self._closed:
            return
        channel = self.wake_channel(stream)
        _, wakes = self._watchers.setdefault(channel, (stream, []))
        if wake not in wakes:
            wakes.append(wake)
        self._subscriptions_changed.set()
        if self._listening is None:
            self._listening = asyncio.create_task(self._listen(), name="redis wake-ups")

    def unwatch(self, stream: str, wake: Wake) -> None:
        """See :meth:`EventLog.unwatch`."""
        channel = self.wake_channel(stream)
        watched = self._watchers.get(channel)
        if watched is not None and wake in watched[1]:
            watched[1].remove(wake)
            if not watched[1]:
                del self._watchers[channel]
                self._subscriptions_changed.set()

    async def _listen(self) -> None:
        """Keep the subscriptions in step with the watchers; deliver wake-ups.

        One pub/sub connection per Redis (per master on a Cluster: redis-py
        routes each shard channel to its slot's node). A failure drops the
        connection; the next one subscribes again and wakes every watcher
        with ``None``, since anything published in between is lost.
        """
        backoff = 0.05
        while not self._closed:
            pubsub: Any = self._client.pubsub()  # a PubSub, or a ClusterPubSub
            subscribed: set[bytes] = set()
            try:
                await self._ready()
                self._subscriptions_changed.set()  # a new connection: subscribe to all
                while not self._closed:
                    # Only when a watch changed: comparing every watched channel on
                    # every wake-up cost as much as the wake-up with 1,000 rooms.
                    if self._subscriptions_changed.is_set():
                        self._subscriptions_changed.clear()
                        await self._resubscribe(pubsub, subscribed)
                    backoff = 0.05
                    if not subscribed:
                        await self._subscriptions_changed.wait()
                        continue
                    message = await self._next_message(pubsub)
                    if message is not None:
                        self._deliver(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # redis-py's errors, and the transport errors it leaks
                self.degraded = f"redis wake-ups: {type(exc).__name__}: {exc}"
                self.wakeup_reconnects += 1
                log.warning("redis: wake-ups interrupted (%s); reconnecting", exc)
                await asyncio.sleep(backoff)
                backoff = min(2 * backoff, 1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _resubscribe(self, pubsub: Any, subscribed: set[bytes]) -> None:
        wanted = set(self._watchers)
        added, dropped = wanted - subscribed, subscribed - wanted
        if dropped:
            await pubsub.sunsubscribe(*dropped)
            subscribed.difference_update(dropped)
        if added:
            async with asyncio.timeout(self._deadline):
                await pubsub.ssubscribe(*added)
            subscribed.update(added)
            self.degraded = None
            loop = asyncio.get_running_loop()
            for channel in added:  # whatever was appended before now: read it
                stream, wakes = self._watchers.get(channel, ("", []))
                for wake in wakes:
                    loop.call_soon(wake, stream, None)

    async def _next_message(self, pubsub: Any) -> dict[str, Any] | None:
        """The next wake-up, or None after a short wait (to see new watchers soon)."""
        if isinstance(self._client, RedisCluster):
            message = await pubsub.get_sharded_message(
                ignore_subscribe_messages=True, timeout=_LISTEN_POLL
            )
        else:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=_LISTEN_POLL)
        return message if isinstance(message, dict) else None

    def _deliver(self, message: dict[str, Any]) -> None:
        if message.get("type") != "smessage":
            return
        watched = self._watchers.get(_raw(message["channel"]))
        if watched is None:
            return
        stream, wakes = watched
        try:
            seq: int | None = int(message["data"])
        except (TypeError, ValueError):
            seq = None
        for wake in list(wakes):
            wake(stream, seq)

    async def close(self) -> None:
        """Let queued appends, index writes and reads finish, then close the connections."""
        if self._closed:
            return
        self._closed = True
        pending = [
            task
            for task in (self._appending, self._index_writes.task, self._reads.task)
            if task is not None
        ]
        await asyncio.gather(*pending, return_exceptions=True)
        if self._listening is not None:
            self._listening.cancel()
            await asyncio.gather(self._listening, return_exceptions=True)
        await self._client.aclose()


def _noscript(reply: Any) -> bool:
    return isinstance(reply, NoScriptError)


def _unavailable(exc: BaseException) -> LogUnavailable:
    return LogUnavailable(f"redis: {type(exc).__name__}: {exc}")
