"""The dealroom command: run a negotiation server, and the tools that work with one."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Literal

__all__ = ["main"]


def _serve(args: argparse.Namespace) -> int:
    from . import collector
    from .config import Settings
    from .datadir import DataDir, claim_data_dir
    from .eventloop import new_event_loop
    from .keyfiles import load_keys, memory_keys
    from .sharedkeys import load_shared_keys
    from .startup import Banner, bind_listeners, raise_open_file_limit

    logging.basicConfig(
        level=logging.INFO if not args.quiet else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.redis is None and args.store is None:
        # From the environment, a password in the URL stays out of `ps` and the unit file.
        args.redis = os.environ.get(REDIS_ENV) or None
        args.redis_source = f"${REDIS_ENV}"
    store = _store(args)
    proxies = _networks(args.trusted_proxy)
    open_files = raise_open_file_limit()
    data_dir = Path(args.data).resolve()
    token = args.facilitator_token or os.environ.get("DEALROOM_FACILITATOR_TOKEN") or None
    token_source = (
        "--facilitator-token" if args.facilitator_token else "$DEALROOM_FACILITATOR_TOKEN"
    )
    # The port first: if it is taken, say so before the data dir is created or locked.
    listeners = bind_listeners(args.host, args.port)
    port = int(listeners[0].getsockname()[1])
    claimed: DataDir | None = None
    try:
        from .scenarios import Catalog

        # Scenarios next: a mistake in one refuses the start before the data dir is touched.
        catalog = Catalog([Path(d) for d in args.scenarios])
        if store == "memory":
            keys = memory_keys(data_dir, token)  # creates and writes nothing
        elif store == "redis":  # a node keeps nothing: the keys are the deployment's
            keys = load_shared_keys(args.redis, token)
        else:
            claimed = claim_data_dir(data_dir)  # held until this process ends
            if store == "sqlite":  # the store before the keys: see create_store
                _create_store(data_dir, args.synchronous)
            keys = load_keys(data_dir, token)
        # Imported only now (a second): a refused start answers at once.
        from aiohttp import web

        from .web import make_app

        settings = Settings(
            host=args.host,
            port=port,
            data_dir=data_dir,
            store=store,
            synchronous=args.synchronous,
            redis_url=args.redis,
            facilitator_token=keys.facilitator_token,
            public_url=args.public_url,
            scenario_dirs=tuple(Path(d) for d in args.scenarios),
            rate_per_second=args.rate_limit,
            trusted_proxies=proxies,
        )
        app = make_app(settings, keys, catalog)
        loop, loop_name = new_event_loop(args.loop)
        banner = Banner(
            settings,
            keys,
            token_source=None if token is None else token_source,
            store_had_events=claimed is not None and claimed.store.has_events,
            notes=claimed.warnings if claimed is not None else [],
            open_files=open_files,
            event_loop=loop_name,
        )

        def ready(_: str) -> None:  # once the store is open and the port listens
            collector.settle()
            banner.announce()

        collector.tune()
        web.run_app(
            app,
            loop=loop,
            sock=listeners,
            print=ready,
            shutdown_timeout=10.0,
            access_log=None,
            backlog=LISTEN_BACKLOG,
        )
    finally:
        for sock in listeners:
            sock.close()
        if claimed is not None:
            claimed.release()
    return 0


def _store(args: argparse.Namespace) -> Literal["sqlite", "memory", "redis"]:
    """``--store``, or ``redis`` when ``--redis URL`` is given (the two do not mix)."""
    from .errors import UserError
    from .log.redis import is_redis_url

    if args.redis is None:
        return "memory" if args.store == "memory" else "sqlite"
    if args.store is not None:
        raise UserError(f"--redis keeps the log in Redis: drop --store {args.store}")
    if not is_redis_url(args.redis):
        source = getattr(args, "redis_source", None) or f"--redis {args.redis}"
        raise UserError(
            f"{source}: expected redis://HOST:PORT/DB, rediss://..., unix://PATH "
            "or redis+cluster://HOST:PORT"
        )
    return "redis"


def _create_store(data_dir: Path, synchronous: str) -> None:
    from .errors import UserError
    from .log import LogUnavailable, create_store

    try:
        create_store(data_dir / "events.db", "normal" if synchronous == "normal" else "full")
    except LogUnavailable as exc:
        raise UserError(
            f"cannot create the event log {data_dir / 'events.db'} ({exc}); check the disk "
            "(space, permissions)"
        ) from None


def _scenarios_list(args: argparse.Namespace) -> int:
    from .scenarios import Catalog

    # The catalog warns (a built-in replaced, an empty folder) through logging.
    logging.basicConfig(level=logging.WARNING, format="dealroom: warning: %(message)s")
    # Not strict: the good scenarios are still worth listing; the bad files follow on stderr.
    catalog = Catalog([Path(d) for d in args.scenarios], strict=False)
    for scenario in catalog.all():
        issues = ", ".join(i.id for i in scenario.issues)
        print(f"{scenario.id:28} {scenario.title}\n{'':28} issues: {issues}")
    for problem in catalog.problems:
        print(f"dealroom: error: {problem}", file=sys.stderr)
    return 1 if catalog.problems else 0


def _scenarios_validate(args: argparse.Namespace) -> int:
    from .scenarios import validate_file

    failed = False
    names: list[str] = []
    for name in args.files:  # a folder means its scenario files, as --scenarios reads them
        folder = Path(name)
        names += sorted(str(p) for p in folder.glob("*.toml")) if folder.is_dir() else [name]
        if folder.is_dir() and not any(folder.glob("*.toml")):
            print(f"{name}: error: no .toml files in this folder")
            failed = True
    for name in names:
        problems = validate_file(name)
        for problem in problems:
            print(problem.format(name))
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        failed |= errors > 0
        verdict = "invalid" if errors else "valid"
        print(f"{name}: {verdict} ({errors} error(s), {warnings} warning(s))")
    return 1 if failed else 0


def _protocol_schema(args: argparse.Namespace) -> int:
    from dealroom.protocol.schema import schema

    text = json.dumps(schema(), indent=2, sort_keys=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        _write_out(args.out, text)
        print(f"wrote {args.out}")
    return 0


def _write_out(out: str, text: str) -> None:
    """Write a command's ``--out`` file; a path that cannot be written is a user's mistake."""
    from .errors import UserError

    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {out} ({exc.strerror}): choose another --out") from None


def _loadtest(args: argparse.Namespace) -> int:
    from dealroom.bots.loadtest import LoadTest, main
    from dealroom.bots.reach import facilitator_token

    # The bare relay has no API, so it needs no facilitator token.
    token = "" if args.target == "relay" else facilitator_token(args.token, args.data).value
    test = LoadTest(
        url=args.url,
        token=token,
        rooms=args.rooms,
        scenario=args.scenario,
        codec=args.codec,
        moves=0 if args.duration and not args.moves_given else args.moves,
        duration=args.duration,
        think=args.think,
        observers=args.observers,
        workers=args.workers,
        verify=not args.no_verify,
        timeout=args.timeout,
        target=args.target,
        hold=args.hold,
        lean=args.lean or args.rate > 0,
        client=args.client,
        rate=args.rate,
        warmup=args.warmup,
        nodes=tuple(args.node or ()),
    )
    return main(test, args.json, args.slo)


def _export(args: argparse.Namespace) -> int:
    import aiohttp

    from dealroom.bots.reach import FacilitatorApi, facilitator_token, run_against

    token = facilitator_token(args.token, args.data)

    async def fetch() -> str:
        async with aiohttp.ClientSession() as session:
            api = FacilitatorApi(session, args.url, token)
            return await api.text(f"/api/workshops/{args.workshop}/export.{args.format}")

    text = run_against(args.url, fetch())
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    _write_out(args.out, text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dealroom")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help ends with its default.

    An option whose default is "absent" (None) says in its own words what
    happens then, e.g. "(default: $DEALROOM_FACILITATOR_TOKEN)"; a test holds
    every option of every subcommand to this.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            "(default" in text
            or not action.option_strings
            or action.default in (None, argparse.SUPPRESS)
        ):
            return text
        if action.default is False:
            return f"{text} (default: off)"
        if action.default == []:
            return f"{text} (default: none)"
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose subcommands (and theirs) share one help format."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _networks(texts: list[str]) -> tuple[str, ...]:
    """``--trusted-proxy``'s values, each checked to be an address or a network."""
    import ipaddress

    from .errors import UserError

    for text in texts:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise UserError(
                f"--trusted-proxy {text!r} is not an IP address or network "
                "(e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return tuple(texts)


REDIS_ENV = "DEALROOM_REDIS_URL"
LISTEN_BACKLOG = 4096
"""Connections the kernel may queue before the server accepts them (capped by the
system's net.core.somaxconn). aiohttp's default, 128, overflowed when a few thousand
clients connected at once (a room full of phones, a load test): the kernel drops the
connection attempts beyond it and the clients retry a second or more later."""
"""Where ``serve`` finds a Redis URL when ``--redis`` is absent (its password out of ``ps``)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``dealroom`` command."""
    from dealroom.bots.reach import DEFAULT_DATA, DEFAULT_URL, TOKEN_ENV

    from .cliargs import number, port, whole

    parser = _Parser(prog="dealroom", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, title="commands", metavar="COMMAND"
    )

    serve = commands.add_parser("serve", help="run the server", description="Run the server.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=port, default=8080, help="port to listen on")
    serve.add_argument("--data", default=DEFAULT_DATA, help="data directory")
    serve.add_argument(
        "--store",
        choices=("sqlite", "memory"),
        help="where the event log lives (default: sqlite, in --data)",
    )
    serve.add_argument(
        "--redis",
        metavar="URL",
        help="keep the event log in Redis: redis://HOST:PORT/DB, or redis+cluster://HOST:PORT "
        "for a Redis Cluster; the seat-token secret is kept there too, shared by every node on "
        "that Redis, and --data is not used (default: $DEALROOM_REDIS_URL unless --store is "
        "given, else none: the log is in --store)",
    )
    serve.add_argument(
        "--synchronous",
        choices=("full", "normal"),
        default="full",
        help="SQLite durability: full survives power loss, normal survives a process kill",
    )
    serve.add_argument(
        "--facilitator-token",
        help=f"the facilitator's token (default: ${TOKEN_ENV}, else the one kept in --data, "
        "else a generated one)",
    )
    serve.add_argument("--public-url", help="base URL for join links (default: the request's)")
    serve.add_argument("--scenarios", action="append", default=[], help="extra scenario folder")
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a load balancer (an address or a network, e.g. 10.0.0.0/24; repeat the flag) "
        "whose X-Forwarded-For names the client, for the open link's per-address pace "
        "(default: none, the socket's peer is the client)",
    )
    serve.add_argument(
        "--rate-limit",
        type=number(0),
        default=50.0,
        help="frames per second per seat, shared by its connections (0: off)",
    )
    serve.add_argument(
        "--loop",
        choices=("auto", "uvloop", "asyncio"),
        default="auto",
        help="event loop (default auto: uvloop where installed, else asyncio's own)",
    )
    serve.add_argument("--quiet", action="store_true", help="log warnings only")
    serve.set_defaults(run=_serve)

    scenarios = commands.add_parser(
        "scenarios", help="list or validate scenarios", description="List or validate scenarios."
    )
    scenario_commands = scenarios.add_subparsers(
        dest="scenarios_command", required=True, metavar="COMMAND"
    )
    listing = scenario_commands.add_parser(
        "list", help="list the available scenarios", description="List the available scenarios."
    )
    listing.add_argument("--scenarios", action="append", default=[], help="extra scenario folder")
    listing.set_defaults(run=_scenarios_list)
    validate = scenario_commands.add_parser(
        "validate", help="check scenario files", description="Check scenario files."
    )
    validate.add_argument("files", nargs="+", help="scenario files (TOML)")
    validate.set_defaults(run=_scenarios_validate)

    def server_access(command: argparse.ArgumentParser) -> None:
        """--url, --token and --data: how a client command finds and enters the server."""
        command.add_argument("--url", default=DEFAULT_URL, help="the server's base URL")
        command.add_argument(
            "--token", help=f"facilitator token (default: ${TOKEN_ENV}, else the one in --data)"
        )
        command.add_argument(
            "--data",
            default=DEFAULT_DATA,
            metavar="DIR",
            help=f"the server's data directory, read for its facilitator token when --token "
            f"and ${TOKEN_ENV} are absent",
        )

    load = commands.add_parser(
        "loadtest",
        help="play N rooms of bot pairs against a server and report latencies",
        description="Play N rooms of bot pairs against a server, then report rooms completed, "
        "moves per second and latency percentiles. Ctrl-C stops early with a partial report.",
    )
    server_access(load)
    load.add_argument("--rooms", type=whole(1), default=100, help="rooms to create and play")
    load.add_argument("--scenario", default="equipment-purchase", help="scenario id")
    load.add_argument(
        "--codec", choices=("json", "msgpack"), default="json", help="wire codec of every seat"
    )
    load.add_argument(
        "--moves",
        type=whole(0),
        default=None,
        help="offers per room before the closing accept (default: 20; none with --duration)",
    )
    load.add_argument(
        "--duration", type=number(0), help="play for this many seconds instead (default: off)"
    )
    load.add_argument(
        "--think",
        type=number(0),
        default=0.0,
        help="seconds between a room's moves; 0 plays ping-pong as fast as possible",
    )
    load.add_argument("--observers", type=whole(0), default=0, help="observer connections per room")
    load.add_argument("--workers", type=whole(1), default=1, help="generator processes")
    load.add_argument("--no-verify", action="store_true", help="skip the log check at the end")
    load.add_argument(
        "--target",
        choices=("dealroom", "relay"),
        default="dealroom",
        help="relay: drive the bare relay baseline (benchmarks/bare_relay.py) instead",
    )
    load.add_argument(
        "--lean",
        action="store_true",
        help="lean seats (peek-only decoding, moves encoded ahead, no reconnect) so that one "
        "core can saturate the server",
    )
    load.add_argument(
        "--client",
        choices=("picows", "aiohttp"),
        default="picows",
        help="the lean seats' WebSocket library (aiohttp: the slower fallback)",
    )
    load.add_argument(
        "--rate",
        type=number(0),
        default=0.0,
        help="open model: each room sends this many offers per second on a fixed schedule, "
        "whatever the replies, latency timed from the schedule (implies --lean; needs "
        "--duration and a free-turn scenario; 0: off)",
    )
    load.add_argument(
        "--node",
        action="append",
        metavar="URL",
        help="several nodes: seat each room's buyer on one node's URL and its seller on the "
        "next (repeat the flag per node); a seat whose node is gone reconnects through --url "
        "(a load balancer in front of them); lean seats stay where they are "
        "(default: every seat through --url)",
    )
    load.add_argument(
        "--warmup",
        type=number(0),
        default=0.0,
        help="lean seats: play this many seconds before the measured window opens; "
        "warm-up moves are neither counted nor timed (fresh connections are slow at first)",
    )
    load.add_argument(
        "--hold",
        type=number(0),
        default=0.0,
        help="idle mode: connect every seat, hold the connections this many seconds, no moves",
    )
    load.add_argument("--timeout", type=number(0), default=600.0, help="hard stop, seconds")
    load.add_argument(
        "--json", help="write the report as JSON to this file, - for stdout (default: none)"
    )
    load.add_argument(
        "--slo",
        help="thresholds, e.g. 'delivery_p99_ms<=25,ack_p99_ms<=50,errors.rate_limited<=0' "
        "(default: none)",
    )
    load.set_defaults(run=_loadtest)

    from dealroom.bots.cli import add_parser as add_bots_parser

    add_bots_parser(commands)

    export = commands.add_parser(
        "export",
        help="a workshop's rooms as CSV or events as JSON Lines",
        description="Export a workshop: one CSV row per room, or every event as JSON Lines.",
    )
    export.add_argument("workshop", help="workshop id")
    export.add_argument(
        "--format", choices=("csv", "jsonl"), default="csv", help="csv: rooms, jsonl: events"
    )
    server_access(export)
    export.add_argument("--out", default="-", help="file to write, - for stdout")
    export.set_defaults(run=_export)

    protocol = commands.add_parser("protocol", help="protocol tools", description="Protocol tools.")
    protocol_commands = protocol.add_subparsers(
        dest="protocol_command", required=True, metavar="COMMAND"
    )
    schema = protocol_commands.add_parser(
        "schema",
        help="export the JSON Schema of all frames",
        description="Export the JSON Schema of all frames.",
    )
    schema.add_argument("--out", default="-", help="file to write, - for stdout")
    schema.set_defaults(run=_protocol_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dealroom`` command.

    A :class:`~.errors.UserError` ends the command with its one line on stderr
    and no traceback; so does Ctrl-C.
    """
    from .errors import UserError

    args = build_parser().parse_args(argv)
    if getattr(args, "run", None) is _loadtest:
        args.moves_given = args.moves is not None
        args.moves = 20 if args.moves is None else args.moves
    try:
        return int(args.run(args))
    except UserError as exc:
        print(f"dealroom: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dealroom: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
