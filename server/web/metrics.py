"""``GET /metrics``: this node's figures in the Prometheus text format.

The hot path keeps plain counters and fixed-bucket histograms
(:mod:`dealroom.server.metrics`, the log backends' own counters); this module
turns them into metric families only when a scraper asks, through a custom
collector on a registry of the app's own (never ``prometheus_client``'s
global one: a test process runs many apps). Nothing per move goes through
``prometheus_client``, whose metric objects take a lock on every update.

Open, like ``/healthz``: scrapers usually carry no credentials, and every
figure is an aggregate of the node with bounded labels (no room id, token,
name or address), so it tells an outsider how busy the node is and nothing
else. Behind a load balancer, keep ``/metrics`` off the public side: each
node is scraped on its own address anyway (through the balancer a scrape
would reach a random node). docs/metrics.md describes every metric.
"""

from __future__ import annotations

import math
import time
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata

from aiohttp import web
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.gc_collector import GCCollector
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import CollectorRegistry

from dealroom.protocol import Move

from ..metrics import Histogram, NodeMetrics
from ..referee import Phase
from .keys import BOT_TASKS, CONNECTIONS, LOG, METRICS, ROOMS, SETTINGS

__all__ = ["EXPOSITION", "Exposition", "NodeCollector", "add_metrics_route"]

_MOVE_KINDS: dict[type, str] = {
    cls: str(cls.__struct_config__.tag) for cls in typing.get_args(Move)
}
_CONNECTION_KINDS = ("seat", "observer", "facilitator", "joining")


def _version() -> str:
    try:
        return metadata.version("dealroom")
    except metadata.PackageNotFoundError:  # run from a checkout without an install
        return "unknown"


def _histogram(
    family: HistogramMetricFamily, labels: list[str], histogram: Histogram
) -> HistogramMetricFamily:
    buckets = [
        ("+Inf" if math.isinf(le) else repr(le), count) for le, count in histogram.cumulative()
    ]
    family.add_metric(labels, buckets, histogram.sum)
    return family


_CONNECTION_COUNTERS: tuple[tuple[str, str, Callable[[NodeMetrics], int]], ...] = (
    (
        "dealroom_connections_opened",
        "WebSocket connections upgraded on this node since it started.",
        lambda node: node.connections_opened,
    ),
    (
        "dealroom_connections_refused",
        "WebSocket upgrades refused with HTTP 503 because the node held its limit.",
        lambda node: node.connections_refused,
    ),
    (
        "dealroom_connections_dropped",
        "Connections closed by the liveness sweep: silent, and no answer to its ping "
        "(a phone that lost its network, a laptop that went to sleep).",
        lambda node: node.connections_dropped,
    ),
    (
        "dealroom_pings",
        "Application ping frames answered with a pong (clients' heartbeats).",
        lambda node: node.pings,
    ),
)
"""The node's plain counters about connections: name, help, how to read it."""


class NodeCollector:
    """Reads the app's state and counters at scrape time (a ``prometheus_client`` Collector).

    Gauges are computed from what the node holds when asked (connections,
    rooms, bots): a walk over them, about a microsecond per connection or
    room, once per scrape instead of bookkeeping on every change.
    """

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.version = _version()

    def collect(self) -> Iterator[Metric]:
        """Every dealroom metric family, as of now."""
        yield from self._node()
        yield from self._connections()
        yield from self._rooms()
        yield from self._moves()
        yield from self._store()

    def _node(self) -> Iterator[Metric]:
        app = self.app
        info = GaugeMetricFamily(
            "dealroom_build_info",
            "Always 1; the dealroom version and event-log backend of this node as labels.",
            labels=["version", "store"],
        )
        info.add_metric([self.version, app[SETTINGS].store], 1)
        yield info
        node = app[METRICS]
        yield _histogram(
            HistogramMetricFamily(
                "dealroom_event_loop_lag_seconds",
                "How late a timer sampled every 0.25 s fired: time the event loop spent on "
                "other work before it could run a ready callback.",
                labels=[],
            ),
            [],
            node.loop_lag,
        )
        pauses = HistogramMetricFamily(
            "dealroom_gc_pause_seconds",
            "How long each of Python's cyclic garbage collections paused the node, by "
            "generation (0 young, 1 middle, 2 full).",
            labels=["generation"],
        )
        for generation, histogram in enumerate(node.gc_pauses):
            _histogram(pauses, [str(generation)], histogram)
        yield pauses
        yield GaugeMetricFamily(
            "dealroom_event_loop_lag_last_seconds",
            "The event loop's lag at its latest sample (see dealroom_event_loop_lag_seconds).",
            value=node.loop_lag_last,
        )
        bots = sum(1 for task in app[BOT_TASKS] if not task.done())
        yield GaugeMetricFamily(
            "dealroom_bots_running",
            "Bots playing a seat from inside this node (seated by a facilitator, practice "
            "opponents).",
            value=bots,
        )

    def _connections(self) -> Iterator[Metric]:
        app = self.app
        counts = dict.fromkeys(_CONNECTION_KINDS, 0)
        connections = app[CONNECTIONS]
        for conn in list(connections):
            if not conn.joined:
                counts["joining"] += 1
            elif conn.viewer == "buyer" or conn.viewer == "seller":
                counts["seat"] += 1
            elif conn.viewer == "facilitator":
                counts["facilitator"] += 1
            else:
                counts["observer"] += 1
        open_now = GaugeMetricFamily(
            "dealroom_connections",
            "WebSocket connections open on this node, by kind: seat (a buyer or seller), "
            "observer, facilitator (watching a room), joining (no hello welcomed yet).",
            labels=["kind"],
        )
        for kind, count in counts.items():
            open_now.add_metric([kind], count)
        yield open_now
        yield GaugeMetricFamily(
            "dealroom_connections_limit",
            "WebSocket connections this node holds at most; upgrades past it get HTTP 503.",
            value=app[SETTINGS].connection_limit(),
        )
        node = app[METRICS]
        for name, text, read in _CONNECTION_COUNTERS:
            yield CounterMetricFamily(name, text, value=read(node))

    def _rooms(self) -> Iterator[Metric]:
        rooms = self.app[ROOMS]
        counts = dict.fromkeys((phase.value for phase in Phase), 0)
        for room in list(rooms.rooms.values()):
            counts[room.state.phase.value] += 1
        counts[Phase.ENDED.value] += len(rooms.ended)
        held = GaugeMetricFamily(
            "dealroom_rooms",
            "Rooms this node holds in memory, by phase: every live room it restored or "
            "serves, and the ended rooms it keeps cached. A room whose clients sit on "
            "several nodes is held by each of them.",
            labels=["phase"],
        )
        for phase, count in counts.items():
            held.add_metric([phase], count)
        yield held

    def _moves(self) -> Iterator[Metric]:
        node = self.app[METRICS]
        moves = CounterMetricFamily(
            "dealroom_moves",
            "Moves this node applied (made durable and acked), by kind. Refused moves are "
            "in dealroom_errors_total, retried ids in dealroom_move_retries_total.",
            labels=["kind"],
        )
        for cls, count in node.moves.items():
            moves.add_metric([_MOVE_KINDS[cls]], count)
        yield moves
        yield CounterMetricFamily(
            "dealroom_move_retries",
            "Moves acked again as duplicates: a client resent an id that was already applied.",
            value=node.retries,
        )
        errors = CounterMetricFamily(
            "dealroom_errors",
            "Error frames sent to WebSocket clients, by code (protocol/README.md lists them).",
            labels=["code"],
        )
        for code, count in node.errors.items():
            errors.add_metric([str(code)], count)
        yield errors
        yield _histogram(
            HistogramMetricFamily(
                "dealroom_move_fanout_seconds",
                "From a move frame's arrival on this node to its events written to this "
                "node's subscribers and its ack to the mover: referee, durable append and "
                "fan-out, waits for the room's lock included. Applied moves only.",
                labels=[],
            ),
            [],
            node.move_latency,
        )

    def _store(self) -> Iterator[Metric]:
        app = self.app
        event_log = app[LOG]
        backend = app[SETTINGS].store
        yield _histogram(
            HistogramMetricFamily(
                "dealroom_log_append_seconds",
                "From a call to append events to a room's log to its return (durable: "
                "committed and fsynced on SQLite, run by Redis), queueing for a shared "
                "commit or pipeline included; failed and conflicting appends too.",
                labels=["backend"],
            ),
            [backend],
            event_log.append_latency,
        )
        batches = getattr(event_log, "commits", getattr(event_log, "round_trips", None))
        if isinstance(batches, int):
            family = CounterMetricFamily(
                "dealroom_log_batches",
                "Group commits (SQLite) or append pipelines (Redis) that carried the "
                "appends: appends per batch is the batching factor.",
                labels=["backend"],
            )
            family.add_metric([backend], batches)
            yield family
        degraded = GaugeMetricFamily(
            "dealroom_store_degraded",
            "1 while the event log fails (its last call failed: moves get 'unavailable'; "
            "/healthz says why), else 0.",
            labels=["backend"],
        )
        degraded.add_metric([backend], 0 if event_log.degraded is None else 1)
        yield degraded
        failed = getattr(event_log, "failed_calls", None)
        if isinstance(failed, int):
            yield CounterMetricFamily(
                "dealroom_redis_failed_calls",
                "Calls to Redis that failed (no answer in time, connection lost or refused); "
                "the next call reconnects.",
                value=failed,
            )
        reconnects = getattr(event_log, "wakeup_reconnects", None)
        if isinstance(reconnects, int):
            yield CounterMetricFamily(
                "dealroom_redis_wakeup_reconnects",
                "Times the connection that receives other nodes' wake-ups failed and was "
                "opened again (its rooms are then read from the log).",
                value=reconnects,
            )


@dataclass(slots=True)
class Exposition:
    """The app's own registry, and the text it last made with the time it made it."""

    registry: CollectorRegistry
    fresh_seconds: float
    text: bytes = b""
    made: float = -math.inf

    def render(self) -> bytes:
        """The registry in the text format, made again only once the last is stale.

        Scrapers come every 5-60 s; a client calling in a loop gets the same
        bytes instead of a walk over every connection and room each time.
        """
        now = time.monotonic()
        if now - self.made >= self.fresh_seconds:
            self.text = generate_latest(self.registry)
            self.made = now
        return self.text


EXPOSITION: web.AppKey[Exposition] = web.AppKey("metrics_exposition", Exposition)


async def metrics(request: web.Request) -> web.Response:
    """This node's figures in the Prometheus text format."""
    body = request.app[EXPOSITION].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def add_metrics_route(app: web.Application) -> None:
    """Give the app a registry of its own and mount ``GET /metrics``.

    The registry holds :class:`NodeCollector`, and ``prometheus_client``'s
    process collector (CPU seconds, memory, open files, from ``/proc``), its
    garbage-collector one (``gc.get_stats()`` when asked: no callback on the
    collections themselves) and its platform one (``python_info``).
    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(NodeCollector(app))
    ProcessCollector(registry=registry)
    GCCollector(registry=registry)
    PlatformCollector(registry=registry)
    app[EXPOSITION] = Exposition(registry, app[SETTINGS].metrics_fresh_seconds)
    app.router.add_get("/metrics", metrics)
