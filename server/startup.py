"""What ``dealroom serve`` does before anything else: file limits and the listening port.

The port is bound first, before the data dir is created, locked or opened, so
that "port in use" is found in a moment and leaves nothing behind; aiohttp
would otherwise bind only after the app's start-up had opened the store.
"""

from __future__ import annotations

import contextlib
import errno
import resource
import socket

from .errors import UserError

__all__ = ["bind_listeners", "raise_open_file_limit"]


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit; the limit now in force.

    Every WebSocket is a descriptor; a soft limit of 1024 (a common default)
    would refuse participants long before the machine is busy.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    return soft


def _bind_error(host: str, port: int, exc: OSError) -> UserError:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return UserError(
            f"port {port} on {host} is already in use (another dealroom serve?); stop that "
            "process or choose another port with --port"
        )
    if exc.errno == errno.EACCES:
        return UserError(
            f"not allowed to listen on {where} (ports below 1024 need privileges); choose a "
            "port above 1023 with --port"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return UserError(
            f"cannot listen on {where}: {host} is not an address of this machine; check --host"
        )
    return UserError(f"cannot listen on {where}: {exc.strerror}; check --host and --port")


def bind_listeners(host: str, port: int) -> list[socket.socket]:
    """Bound sockets for every address of ``host`` (as asyncio would), ready for aiohttp.

    Raises :class:`UserError` with one line when the port is taken or the host is wrong.
    """
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}; check --host") from None
    sockets: list[socket.socket] = []
    seen: set[tuple[object, ...]] = set()
    try:
        for family, kind, proto, _, address in infos:
            if (family, *address[:2]) in seen:
                continue
            seen.add((family, *address[:2]))
            address = (address[0], port, *address[2:])
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            # Like asyncio's create_server: a restart may rebind a port whose old
            # connections are in TIME_WAIT (this never lets two servers listen).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRNOTAVAIL and len(infos) > 1:
                    sockets.pop().close()  # that family is not enabled here (bpo-30945)
                    continue
                raise _bind_error(host, port, exc) from None
            port = sock.getsockname()[1]  # with --port 0, the rest get the first one's port
        if not sockets:
            raise UserError(f"cannot listen on {host}:{port}: no usable address; check --host")
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets
