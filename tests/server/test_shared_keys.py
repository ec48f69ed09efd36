"""Nodes sharing a log share one seat-token secret, whichever starts first."""

from __future__ import annotations

import asyncio

import pytest

from dealroom.server.auth import Tokens
from dealroom.server.errors import UserError
from dealroom.server.log import MemoryLog
from dealroom.server.sharedkeys import SECRET_STREAM, shared_keys


async def test_nodes_starting_together_agree_on_one_secret_and_token() -> None:
    log = MemoryLog()
    keys = await asyncio.gather(*(shared_keys(log, None) for _ in range(5)))
    assert len({k.secret for k in keys}) == 1
    assert len({k.facilitator_token for k in keys}) == 1
    assert sum(k.secret_created for k in keys) == 1
    assert sum(k.token_created for k in keys) == 1
    # A seat token minted with one node's keys opens on another's.
    one = Tokens(keys[0].secret, keys[0].facilitator_token)
    other = Tokens(keys[4].secret, keys[4].facilitator_token)
    assert other.verify(one.seat("room-1", "buyer")) is not None
    again = await shared_keys(log, None)  # a node started later reads what is there
    assert (again.secret, again.secret_created) == (keys[0].secret, False)


async def test_a_given_facilitator_token_is_in_force_and_not_stored() -> None:
    log = MemoryLog()
    keys = await shared_keys(log, "a-long-enough-facilitator-token")
    assert keys.facilitator_token == "a-long-enough-facilitator-token"
    assert await log.streams("deployment:") == [SECRET_STREAM]


async def test_a_short_shared_secret_is_refused() -> None:
    log = MemoryLog()
    await log.append(SECRET_STREAM, 1, [b"short"])
    with pytest.raises(UserError, match="fewer than 32"):
        await shared_keys(log, None)
