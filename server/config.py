"""Server settings: one frozen value built from the CLI flags and the environment."""

from __future__ import annotations

import resource
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["Settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything ``make_app`` needs to know."""

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("dealroom-data")
    store: Literal["sqlite", "memory", "redis"] = "sqlite"
    synchronous: Literal["full", "normal"] = "full"
    redis_url: str | None = None
    """The Redis (or ``redis+cluster://``) the ``redis`` store keeps the log in."""
    facilitator_token: str | None = None
    """None: generate one on first start and keep it under ``data_dir``."""
    public_url: str | None = None
    """Base URL for join links; None: the URL the facilitator's request came in on."""
    scenario_dirs: tuple[Path, ...] = field(default_factory=tuple)
    max_frame_bytes: int = 64 * 1024
    """Frames above this get ``frame_too_large`` and are not read; the connection stays."""
    hard_frame_bytes: int = 4 * 1024 * 1024
    """Frames above this close the connection (1009): the WebSocket layer stops reading."""
    trusted_proxies: tuple[str, ...] = ()
    """Load balancers (addresses or networks) whose ``X-Forwarded-For`` names the client."""
    rate_per_second: float = 50.0
    rate_burst: int = 100
    abuse_threshold: int = 1000
    """Refused frames (decaying at ``rate_per_second``) after which the connection is closed."""
    send_buffer_bytes: int = 4 * 1024 * 1024
    """Bytes waiting for one slow client before it is cut off (4002) to resume later."""
    heartbeat_seconds: float = 20.0
    hello_timeout_seconds: float = 10.0
    """A WebSocket that has not joined a room by then is closed (4001); so is a connection
    that has not sent a whole HTTP request, or has sat idle between two, for as long."""
    connections_per_seat: int = 4
    """Open connections one buyer or seller seat may hold on a node (a phone, a laptop...)."""
    presence_grace_seconds: float = 5.0
    """A seat's ``left`` is recorded once it has stayed away this long (a reconnect within it
    records neither ``left`` nor ``joined``)."""
    max_connections: int | None = None
    """WebSocket connections a node holds at once; None: what the file-descriptor limit allows."""
    metrics_fresh_seconds: float = 1.0
    """``GET /metrics`` within this long of the figures it last made gets those again: a
    scrape walks every connection and room, and the endpoint asks for no credentials."""

    def connection_limit(self) -> int:
        """``max_connections``, or the soft descriptor limit less a reserve for plain HTTP
        (``/healthz``, the console), the event log and outgoing bots."""
        if self.max_connections is not None:
            return self.max_connections
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return 1_000_000
        return max(16, soft - max(64, soft // 10))
