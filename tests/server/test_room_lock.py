"""RoomLock: asyncio.Lock's FIFO order, plus a try_acquire that never overtakes a waiter."""

from __future__ import annotations

import asyncio

from dealroom.server.rooms import RoomLock


async def test_waiters_get_the_lock_in_the_order_they_asked() -> None:
    lock = RoomLock()
    order: list[int] = []

    async def take(n: int) -> None:
        async with lock:
            order.append(n)
            await asyncio.sleep(0)

    assert lock.try_acquire()
    tasks = [asyncio.create_task(take(n)) for n in range(5)]
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]
    assert not lock.locked()


async def test_try_acquire_never_overtakes_a_waiter() -> None:
    lock = RoomLock()
    assert lock.try_acquire()
    assert not lock.try_acquire()
    waiter = asyncio.create_task(lock.acquire())
    await asyncio.sleep(0)
    lock.release()  # handed to the waiter, which has not run yet
    assert lock.locked() and not lock.try_acquire()
    await waiter
    lock.release()
    assert lock.try_acquire()


async def test_a_waiter_cancelled_in_line_or_once_handed_the_lock_passes_it_on() -> None:
    lock = RoomLock()
    assert lock.try_acquire()
    in_line = asyncio.create_task(lock.acquire())
    handed = asyncio.create_task(lock.acquire())
    last = asyncio.create_task(lock.acquire())
    await asyncio.sleep(0)
    in_line.cancel()  # still waiting: it leaves the line
    await asyncio.sleep(0)
    lock.release()  # to `handed`, which is cancelled before it runs: it passes it on
    handed.cancel()
    await last
    assert in_line.cancelled() and handed.cancelled()
    assert lock.locked()
    lock.release()
    assert not lock.locked()
