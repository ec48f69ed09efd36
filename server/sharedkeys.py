"""The keys of a deployment whose nodes share one log (``serve --redis``).

Every node must sign and verify seat tokens with the same secret, or a link
handed out by one node would not open on another. The secret lives in the
shared log, as the first entry of its own stream: the log's compare-and-set
on seq 1 lets exactly one of several nodes starting together write it, and
every other node reads the one that won. The facilitator token works the
same way when no node is given one (``--facilitator-token`` or
``$DEALROOM_FACILITATOR_TOKEN``, which every node should then be given).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from .errors import UserError, unreachable_redis
from .keyfiles import MIN_SECRET_BYTES, MIN_TOKEN_CHARS, Keys
from .log import EventLog, LogUnavailable, SeqConflict

__all__ = ["SECRET_STREAM", "TOKEN_STREAM", "load_shared_keys", "shared_keys"]

SECRET_STREAM = "deployment:secret"
TOKEN_STREAM = "deployment:facilitator-token"


async def _first_entry(log: EventLog, stream: str, proposal: bytes) -> tuple[bytes, bool]:
    """The stream's first entry, ``proposal`` if nobody wrote one before; and whether we did."""
    try:
        held = await log.read(stream)
        if held:
            return held[0][1], False
        try:
            await log.append(stream, 1, [proposal])
            return proposal, True
        except SeqConflict:  # another node started at the same moment and won
            return (await log.read(stream))[0][1], False
    except LogUnavailable as exc:
        raise LogUnavailable(f"reading the deployment's keys: {exc}") from exc


async def shared_keys(log: EventLog, facilitator_token: str | None) -> Keys:
    """The deployment's secret (created by the first node) and the facilitator token in force."""
    secret, secret_created = await _first_entry(log, SECRET_STREAM, secrets.token_hex(32).encode())
    if len(secret) < MIN_SECRET_BYTES:
        raise UserError(
            f"the shared store's seat-token secret ({SECRET_STREAM}) holds {len(secret)} byte(s), "
            f"fewer than {MIN_SECRET_BYTES}; delete that key to have a new one generated"
        )
    if facilitator_token:
        return Keys(secret, facilitator_token, secret_created, shared=True)
    kept, token_created = await _first_entry(log, TOKEN_STREAM, secrets.token_urlsafe(24).encode())
    token = kept.decode("utf-8", "replace")
    if len(token) < MIN_TOKEN_CHARS:
        raise UserError(
            f"the shared store's facilitator token ({TOKEN_STREAM}) is shorter than "
            f"{MIN_TOKEN_CHARS} characters; pass --facilitator-token"
        )
    return Keys(secret, token, secret_created, token_created, kept_token=token, shared=True)


def load_shared_keys(redis_url: str, facilitator_token: str | None) -> Keys:
    """:func:`shared_keys` from the Redis at ``redis_url``, before the server's loop runs."""
    import asyncio

    from .log import open_log

    async def load() -> Keys:
        try:
            log = open_log("redis", Path(), redis_url=redis_url)
            try:
                return await shared_keys(log, facilitator_token)
            finally:
                await log.close()
        except LogUnavailable as exc:
            raise unreachable_redis(redis_url, exc) from None

    return asyncio.run(load())
