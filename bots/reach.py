"""How a client command reaches a dealroom server, and one line for each way that fails.

Every client command (``dealroom bots ...``, ``loadtest``, ``export``) finds
its facilitator token, calls the facilitator API and opens WebSockets through
this module, so a server that is not running, a wrong ``--url``, a refused
token or an unknown scenario ends the command with one
:class:`~dealroom.server.errors.UserError` line instead of a traceback. The
mapping lives in one place (:func:`reaching`) rather than in every command.
Exit codes: 2 for what the command line got wrong (no token, an unknown
scenario), 1 when the server could not be reached or refused the request.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import websockets

from dealroom.server.errors import UserError

__all__ = [
    "DEFAULT_DATA",
    "DEFAULT_URL",
    "TOKEN_ENV",
    "ApiRefused",
    "FacilitatorApi",
    "FacilitatorToken",
    "facilitator_token",
    "reaching",
    "run_against",
    "unreachable",
]

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_DATA = "dealroom-data"
"""As ``dealroom serve --data``: a client on the server's machine finds its token."""
TOKEN_ENV = "DEALROOM_FACILITATOR_TOKEN"

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class FacilitatorToken:
    """A facilitator token and where it came from (named when the server refuses it)."""

    value: str
    source: str


def facilitator_token(given: str | None, data_dir: str | os.PathLike[str]) -> FacilitatorToken:
    """``--token``, else ``$DEALROOM_FACILITATOR_TOKEN``, else the one kept in ``data_dir``.

    Raises:
        UserError: none of the three gives a token (the line names all three).
    """
    if given:
        return FacilitatorToken(given, "--token")
    if os.environ.get(TOKEN_ENV):
        return FacilitatorToken(os.environ[TOKEN_ENV], f"${TOKEN_ENV}")
    path = Path(data_dir).resolve() / "facilitator_token"
    try:
        kept = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        kept = ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise UserError(
            f"cannot read the facilitator token in {path} ({reason}): "
            f"pass --token or set ${TOKEN_ENV}"
        ) from exc
    if kept:
        return FacilitatorToken(kept, str(path))
    raise UserError(
        f"no facilitator token: pass --token, set ${TOKEN_ENV}, or point --data at the "
        f"server's data directory (there is no {path})"
    )


class ApiRefused(UserError):
    """The facilitator API answered with an error; ``status`` and ``code`` say which."""

    def __init__(self, message: str, *, status: int, code: str) -> None:
        super().__init__(message, exit_code=1)
        self.status = status
        self.code = code


class FacilitatorApi:
    """The facilitator HTTP API of one server; refusals raise :class:`ApiRefused`."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: FacilitatorToken) -> None:
        self.session = session
        self.url = url.rstrip("/")
        self.token = token
        self._headers = {"Authorization": f"Bearer {token.value}"}

    async def call(self, method: str, path: str, body: object = None) -> Any:
        """The decoded JSON answer to ``method path``."""
        async with self.session.request(
            method, self.url + path, json=body, headers=self._headers
        ) as response:
            if response.status >= 400:
                raise await self._refused(method, path, response)
            return await response.json()

    async def text(self, path: str) -> str:
        """The body of ``GET path`` as text (exports)."""
        async with self.session.get(self.url + path, headers=self._headers) as response:
            if response.status >= 400:
                raise await self._refused("GET", path, response)
            return await response.text()

    async def _refused(
        self, method: str, path: str, response: aiohttp.ClientResponse
    ) -> ApiRefused:
        try:
            answer = await response.json()
            error = answer["error"]
            code, message = str(error["code"]), str(error["message"])
        except (aiohttp.ContentTypeError, ValueError, KeyError, TypeError):
            # Not the API's JSON error: some other server (or a proxy) answers on --url.
            return ApiRefused(
                f"the server at {self.url} is not a dealroom server ({method} {path} answered "
                f"HTTP {response.status}): check --url",
                status=response.status,
                code="",
            )
        if response.status == 401:
            return ApiRefused(
                f"the server at {self.url} refused the facilitator token from "
                f"{self.token.source}: pass the token `dealroom serve` printed with --token",
                status=401,
                code=code,
            )
        return ApiRefused(
            f"the server at {self.url} refused {method} {path} ({code}: {message})",
            status=response.status,
            code=code,
        )

    async def scenario(self, scenario_id: str) -> Any:
        """One scenario, whole.

        Raises:
            UserError: the server has no such scenario; the line lists the ones it has.
        """
        try:
            return await self.call("GET", f"/api/scenarios/{scenario_id}")
        except ApiRefused as refused:
            if refused.status != 404:
                raise
            offered = await self.call("GET", "/api/scenarios")
        names = ", ".join(sorted(str(s.get("id")) for s in offered)) or "none"
        raise UserError(
            f"the server at {self.url} has no scenario {scenario_id!r}: "
            f"choose one of {names} (--scenario)"
        )


def _failed(message: str) -> UserError:
    return UserError(message, exit_code=1)


def unreachable(url: str, exc: BaseException) -> UserError | None:
    """The one line for failing to reach or talk to the server at ``url``; None for other errors."""
    where = f"the server at {url}"
    check = "is `dealroom serve` running there? (--url)"
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError | websockets.InvalidURI):
        return UserError(f"{url} is not a server URL: give --url as http://HOST:PORT")
    if isinstance(exc, aiohttp.ClientConnectorDNSError | socket.gaierror):
        return _failed(f"cannot reach {where} (unknown host): check --url")
    if isinstance(exc, aiohttp.ClientConnectorError):
        exc = exc.os_error
    # Python 3.11 folds the failures of several addresses (localhost: ::1 and
    # 127.0.0.1) into one plain OSError whose text alone says they were refused.
    if isinstance(exc, ConnectionRefusedError) or f"[Errno {errno.ECONNREFUSED}]" in str(exc):
        return _failed(f"cannot reach {where} (connection refused): {check}")
    if isinstance(exc, TimeoutError):
        return _failed(f"cannot reach {where} (no answer in time): {check}")
    if isinstance(exc, OSError):
        return _failed(f"cannot reach {where} ({exc.strerror or exc}): {check}")
    if isinstance(exc, websockets.InvalidStatus):
        status = exc.response.status_code
        return _failed(
            f"{where} refused the WebSocket (HTTP {status}): is --url a dealroom server?"
        )
    if isinstance(exc, websockets.InvalidHandshake):
        return _failed(f"{where} refused the WebSocket ({exc}): is --url a dealroom server?")
    if isinstance(exc, aiohttp.ContentTypeError):
        return _failed(f"{where} is not a dealroom server (HTTP {exc.status}): check --url")
    if isinstance(exc, aiohttp.ClientError):
        return _failed(f"lost the connection to {where} ({type(exc).__name__}): is it running?")
    return None


@contextmanager
def reaching(url: str) -> Iterator[None]:
    """Turn a failure to reach the server at ``url`` into its one-line :class:`UserError`."""
    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        error = unreachable(url, exc)
        if error is None:
            raise
        raise error from exc


def run_against(url: str, work: Coroutine[Any, Any, _T]) -> _T:
    """``asyncio.run(work)`` for a command that talks to the server at ``url``.

    A failure to reach it ends the command with one line (see :func:`reaching`).
    """
    with reaching(url):
        return asyncio.run(work)
