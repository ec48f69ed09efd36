"""``GET /metrics``: Prometheus text that moves with the load, over real sockets.

The default store (SQLite) in-process; Redis once, as ``dealroom serve --redis``
in a subprocess, through a short outage.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import aiohttp
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from dealroom.server.config import Settings
from tests.redisproc import RedisServer
from tests.serverproc import Process, price_ladder
from tests.support import terms

from .conftest import MakeServer
from .wsclient import MSGPACK_SUB, WsClient, seat_both

Figures = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(base: str, fresh: bool = False) -> tuple[Figures, str]:
    """Every sample of ``base``/metrics by (name, labels), and the raw text.

    ``fresh``: first wait out the figures a ``dealroom serve`` may repeat (1 s).
    """
    if fresh:
        await asyncio.sleep(Settings().metrics_fresh_seconds)
    async with aiohttp.ClientSession() as session, session.get(base + "/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
        text = await response.text()
    figures: Figures = {}
    for family in text_string_to_metric_families(text):
        assert family.documentation, f"{family.name} has no HELP text"
        for sample in family.samples:
            figures[sample.name, frozenset(sample.labels.items())] = sample.value
    return figures, text


def at(figures: Figures, name: str, **labels: str) -> float:
    """One sample's value (a missing sample fails the test)."""
    return figures[name, frozenset(labels.items())]


async def settle(
    base: str, name: str, want: float, at_least: bool = False, **labels: str
) -> Figures:
    """Scrape until sample ``name`` reads ``want`` (or more, with ``at_least``): what
    closes or reconnects does so asynchronously."""
    key = (name, frozenset(labels.items()))
    seen = None
    for _ in range(100):
        figures, _ = await scrape(base)
        seen = figures.get(key)
        if seen == want or (at_least and seen is not None and seen >= want):
            return figures
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name}{labels} never read {want}: it reads {seen}")


async def test_metrics_parse_and_move_with_the_load(make_server: MakeServer) -> None:
    server = await make_server(metrics_fresh_seconds=0)
    base = server.base
    before, text = await scrape(base)
    assert at(before, "dealroom_build_info", version=_version(before), store="sqlite") == 1
    assert at(before, "dealroom_rooms", phase="running") == 0
    assert at(before, "dealroom_moves_total", kind="offer") == 0
    assert at(before, "dealroom_connections", kind="seat") == 0
    assert at(before, "dealroom_store_degraded", backend="sqlite") == 0
    assert ("process_resident_memory_bytes", frozenset()) in before  # the process collector
    assert at(before, "python_gc_collections_total", generation="0") >= 0
    assert at(before, "dealroom_connections_dropped_total") == 0
    pings = at(before, "dealroom_pings_total")

    room = await server.room()
    figures, _ = await scrape(base)
    assert at(figures, "dealroom_rooms", phase="waiting") == 1
    appends_at_start = at(figures, "dealroom_log_append_seconds_count", backend="sqlite")
    assert appends_at_start >= 1  # the room's `created`

    lurker = await server.client()  # connected, no hello yet
    _, buyer, seller = await server.seated(MSGPACK_SUB)
    observer = await server.client()
    assert (await observer.hello(room["seats"]["observer"]["token"]))["type"] == "welcome"
    watcher = await server.client()
    welcome = await watcher.hello("facilitator-test-token", room=room["id"])
    assert welcome["type"] == "welcome"
    figures, _ = await scrape(base)
    assert at(figures, "dealroom_connections", kind="seat") == 2
    assert at(figures, "dealroom_connections", kind="observer") == 1
    assert at(figures, "dealroom_connections", kind="facilitator") == 1
    assert at(figures, "dealroom_connections", kind="joining") == 1
    assert at(figures, "dealroom_connections_opened_total") == 5
    assert at(figures, "dealroom_rooms", phase="waiting") == 1  # the first room: no seat taken
    assert at(figures, "dealroom_rooms", phase="running") == 1

    assert (await buyer.move("offer", "o1", terms=terms(110, "3 years", 2)))["type"] == "ack"
    assert (await seller.move("offer", "o2", terms=terms(190, "2 years", 12)))["type"] == "ack"
    assert (await buyer.move("message", "t1", text="Can you do better?"))["type"] == "ack"
    retried = await buyer.move("message", "t1", text="Can you do better?")
    assert retried["type"] == "ack" and retried["duplicate"]
    refused = await buyer.move("concede", "c1", terms=terms(100, "3 years", 2))
    assert refused["code"] == "not_a_concession"
    await buyer.send({"type": "ping", "id": "hb"})
    assert (await buyer.until(lambda f: f["type"] == "pong"))["id"] == "hb"
    await buyer.send_raw(b"\x93not a map")
    garbled = await buyer.until(lambda f: f["type"] == "error" and f["id"] is None)
    assert garbled["code"] == "invalid_frame"

    figures, text = await scrape(base)
    assert at(figures, "dealroom_moves_total", kind="offer") == 2
    assert at(figures, "dealroom_moves_total", kind="message") == 1
    assert at(figures, "dealroom_moves_total", kind="concede") == 0
    assert at(figures, "dealroom_move_retries_total") == 1
    assert at(figures, "dealroom_pings_total") == pings + 1
    assert at(figures, "dealroom_errors_total", code="not_a_concession") == 1
    assert at(figures, "dealroom_errors_total", code="invalid_frame") == 1
    assert at(figures, "dealroom_errors_total", code="unavailable") == 0
    assert at(figures, "dealroom_move_fanout_seconds_count") == 3  # applied moves only
    assert at(figures, "dealroom_move_fanout_seconds_bucket", le="+Inf") == 3
    assert 0 < at(figures, "dealroom_move_fanout_seconds_sum") < 3 * 5.0
    appended = at(figures, "dealroom_log_append_seconds_count", backend="sqlite")
    assert appended >= appends_at_start + 2 + 3  # the two joins and the three moves
    assert at(figures, "dealroom_log_batches_total", backend="sqlite") >= 1
    assert room["id"] not in text and room["seats"]["buyer"]["token"] not in text

    assert (await seller.move("walk_away", "w1"))["type"] == "ack"
    await buyer.event("ended")
    figures, _ = await scrape(base)
    assert at(figures, "dealroom_moves_total", kind="walk_away") == 1
    assert at(figures, "dealroom_rooms", phase="running") == 0
    assert at(figures, "dealroom_rooms", phase="ended") == 1

    await settle(base, "dealroom_event_loop_lag_seconds_count", 2, at_least=True)  # 4 a second
    for client in (lurker, buyer, seller, observer, watcher):
        await client.close()
    for kind in ("seat", "observer", "facilitator", "joining"):
        await settle(base, "dealroom_connections", 0, kind=kind)


def _version(figures: Figures) -> str:
    [labels] = [dict(labels) for name, labels in figures if name == "dealroom_build_info"]
    return labels["version"]


async def test_garbage_collections_are_timed_by_generation(make_server: MakeServer) -> None:
    server = await make_server(metrics_fresh_seconds=0)
    before, _ = await scrape(server.base)
    gc.collect()  # a full collection, in this process: the in-process server's too
    gc.collect(0)
    after, _ = await scrape(server.base)
    for generation in ("0", "2"):
        count = "dealroom_gc_pause_seconds_count"
        assert at(after, count, generation=generation) > at(before, count, generation=generation)
        assert at(after, "dealroom_gc_pause_seconds_sum", generation=generation) > 0
    assert at(after, "dealroom_gc_pause_seconds_count", generation="1") >= 0


async def test_bots_running_on_the_node(make_server: MakeServer) -> None:
    server = await make_server(metrics_fresh_seconds=0)
    room = await server.room()
    status, _ = await server.api(
        "POST", f"/api/rooms/{room['id']}/bots", {"role": "seller", "persona": "amiable"}
    )
    assert status == 201
    await settle(server.base, "dealroom_bots_running", 1)
    await settle(server.base, "dealroom_connections", 1, kind="seat")  # the bot's own socket


async def test_a_scrape_soon_after_another_gets_the_same_figures(
    make_server: MakeServer,
) -> None:
    server = await make_server(metrics_fresh_seconds=60)
    _, buyer, _ = await server.seated()
    _, first = await scrape(server.base)
    assert (await buyer.move("offer", terms=terms()))["type"] == "ack"
    _, second = await scrape(server.base)
    assert second == first  # made once: a client scraping in a loop costs no walk each time


async def test_metrics_of_a_node_on_redis_through_an_outage(
    tmp_path: Path, redis_for_nodes: RedisServer
) -> None:
    node = Process(tmp_path / "node" / "data", "--redis", redis_for_nodes.url)
    clients: list[WsClient] = []
    try:
        await node.start()
        scenario, prices = await price_ladder(node.api)
        room = await node.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
        buyer, seller, _ = await seat_both(
            room, node.ws_url, node.ws_url, clients, seller_subprotocol=MSGPACK_SUB
        )

        def offer(cents: int) -> dict[str, object]:
            return {
                i["id"]: cents
                if i["id"] == "price"
                else (i["options"][0] if i["kind"] == "options" else i["min"])
                for i in scenario["issues"]
            }

        assert (await buyer.move("offer", "a", terms=offer(prices[0])))["type"] == "ack"
        figures, _ = await scrape(node.base, fresh=True)
        assert at(figures, "dealroom_build_info", version=_version(figures), store="redis") == 1
        assert at(figures, "dealroom_moves_total", kind="offer") == 1
        assert at(figures, "dealroom_connections", kind="seat") == 2
        assert at(figures, "dealroom_rooms", phase="running") == 1
        assert at(figures, "dealroom_log_append_seconds_count", backend="redis") >= 4
        assert at(figures, "dealroom_log_batches_total", backend="redis") >= 1
        assert at(figures, "dealroom_store_degraded", backend="redis") == 0
        assert at(figures, "dealroom_redis_failed_calls_total") == 0
        assert at(figures, "dealroom_redis_wakeup_reconnects_total") == 0

        redis_for_nodes.kill()
        refused = await seller.move("offer", "b", terms=offer(prices[-1]))
        assert refused["type"] == "error" and refused["code"] == "unavailable", refused
        figures, _ = await scrape(node.base, fresh=True)
        assert at(figures, "dealroom_errors_total", code="unavailable") == 1
        assert at(figures, "dealroom_store_degraded", backend="redis") == 1
        assert at(figures, "dealroom_redis_failed_calls_total") >= 1
        assert at(figures, "dealroom_moves_total", kind="offer") == 1
        assert at(figures, "dealroom_move_fanout_seconds_count") == 1
        await settle(node.base, "dealroom_redis_wakeup_reconnects_total", 1, at_least=True)

        redis_for_nodes.start()
        ack = None
        for _ in range(50):  # the node reconnects by itself
            ack = await seller.move("offer", "b", terms=offer(prices[-1]))
            if ack["type"] == "ack":
                break
            await asyncio.sleep(0.2)
        assert ack is not None and ack["type"] == "ack", ack
        figures, _ = await scrape(node.base, fresh=True)
        assert at(figures, "dealroom_moves_total", kind="offer") == 2
        assert at(figures, "dealroom_move_fanout_seconds_count") == 2
        assert at(figures, "dealroom_store_degraded", backend="redis") == 0
    finally:
        for client in clients:
            await client.close()
        node.stop()
