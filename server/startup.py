"""What ``dealroom serve`` does around the app: file limits, the port, the banner.

The port is bound first, before the data dir is created, locked or opened, so
that "port in use" is found in a moment and leaves nothing behind; aiohttp
would otherwise bind only after the app's start-up had opened the store. The
banner and start-up warnings come last, once the server listens: a refused
start prints its one line and nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import resource
import socket
from dataclasses import dataclass, field

from .config import Settings
from .errors import UserError
from .keyfiles import SECRET_FILE, TOKEN_FILE, Keys

__all__ = ["Banner", "bind_listeners", "raise_open_file_limit"]

log = logging.getLogger("dealroom.server")


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


@dataclass(frozen=True, slots=True)
class Banner:
    """What ``dealroom serve`` tells its operator once it listens."""

    settings: Settings
    keys: Keys
    token_source: str | None
    """The flag or variable the facilitator token came from; None: the data dir's."""
    store_had_events: bool = False
    notes: list[str] = field(default_factory=list)
    open_files: int = 0
    event_loop: str = ""
    """The event loop's name (``uvloop 0.23.0`` or ``asyncio``)."""

    def warnings(self) -> list[str]:
        """Start-up facts worth a WARNING line in the log as well as in the banner."""
        found = list(self.notes)
        if self.keys.secret_created and self.store_had_events:
            found.append(
                f"a new secret was created in {self.settings.data_dir / SECRET_FILE} for a data "
                "dir that holds rooms: every seat link handed out before no longer works"
            )
        return found

    def lines(self) -> list[str]:
        """The banner, one string per line."""
        settings, keys = self.settings, self.keys
        host, port = settings.host, settings.port
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        base = (settings.public_url or f"http://{shown_host}:{port}").rstrip("/")
        kept_in = "the shared store" if keys.shared else str(settings.data_dir / TOKEN_FILE)
        where = (
            "nothing kept on disk"
            if keys.in_memory
            else "keys: in the shared store"
            if keys.shared
            else f"data: {settings.data_dir}"
        )
        loop = f", loop: {self.event_loop}" if self.event_loop else ""
        lines = [
            f"dealroom serving on http://{host}:{port} (store: {settings.store}, {where}{loop})",
            f"  facilitator page: {base}/",
            f"  facilitator API:  {base}/api/  (Authorization: Bearer <facilitator token>)",
            f"  WebSocket:        {base.replace('http', 'ws', 1)}/ws",
        ]
        if keys.in_memory:
            lines.append("  --store memory: the rooms and every seat link die with this process")
        lines += [f"  WARNING: {warning}" for warning in self.warnings()]
        if keys.token_created:
            kept = "this run only" if keys.in_memory else f"kept in {kept_in}"
            lines.append(f"  facilitator token (shown once, {kept}):")
            lines.append(f"    {keys.facilitator_token}")
            lines.append(f"  sign in: {base}/#token={keys.facilitator_token}")
        elif self.token_source is not None:
            differs = keys.kept_token is not None and keys.kept_token != keys.facilitator_token
            note = f", not the one kept in {kept_in}" if differs else ""
            lines.append(f"  facilitator token: the one from {self.token_source} is in force{note}")
        else:
            lines.append(f"  facilitator token: in {kept_in}")
        if host in ("127.0.0.1", "localhost", "::1"):
            lines.append(
                "  (only this machine can connect; use --host 0.0.0.0 for phones on the network)"
            )
        return lines

    def announce(self) -> None:
        """Log the open-file limit and the warnings; print the banner."""
        log.info("open-file limit: %d", self.open_files)
        for warning in self.warnings():
            log.warning("%s", warning)
        print("\n".join(self.lines()), flush=True)
