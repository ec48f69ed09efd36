"""Which address a request comes from, seen through load balancers the operator trusts.

Behind HAProxy every request's socket peer is the balancer, so a per-address
limit (the open link's pace, :mod:`.arrival_rate`) would put every participant
in one bucket. ``deploy/haproxy.cfg`` appends the client's address to
``X-Forwarded-For`` (``option forwardfor``). That header is believed only when
the peer is a proxy named with ``serve --trusted-proxy`` (an address or a
network): anyone else could write any address into it. The client is then the
rightmost address in the header that is not itself a trusted proxy (proxies
append; what a client wrote comes first and is ignored).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

__all__ = ["TrustedProxies"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """The networks whose ``X-Forwarded-For`` is believed."""

    def __init__(self, networks: Iterable[str] = ()) -> None:
        self.networks: tuple[_Network, ...] = tuple(
            ipaddress.ip_network(n, strict=False) for n in networks
        )

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.networks)

    def client(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client's address: ``peer``, or through trusted proxies the header's."""
        if not self.trusts(peer):
            return peer
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        for hop in reversed(hops):
            if not hop:
                continue
            if not self.trusts(hop):
                return hop
        return peer
