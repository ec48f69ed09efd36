"""``dealroom bots``: seat bots in rooms, fill whole rooms, or open a practice room."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from typing import Any

import aiohttp
from rich.console import Console

from dealroom.server.cliargs import number, whole
from dealroom.server.errors import UserError

from .bot import Bot
from .client import MoveRefused
from .personas import PERSONAS
from .play_progress import PlayProgress
from .reach import (
    DEFAULT_DATA,
    DEFAULT_URL,
    TOKEN_ENV,
    FacilitatorApi,
    facilitator_token,
    run_against,
)
from .seat import persona_bot
from .strategies import STRATEGIES

__all__ = ["add_parser"]


def _ws(url: str) -> str:
    return url.rstrip("/").replace("http", "ws", 1) + "/ws"


async def _practice_room(args: argparse.Namespace) -> Any:
    body = {
        "scenario": args.scenario,
        "persona": args.persona,
        "role": args.role,
        "pace": args.pace,
    }
    if args.strategy:
        body["strategy"] = args.strategy
    async with aiohttp.ClientSession() as session:
        api = FacilitatorApi(session, args.url, facilitator_token(args.token, args.data))
        await api.scenario(args.scenario)
        return await api.call("POST", "/api/practice", body)


def _practice(args: argparse.Namespace) -> int:
    answer = run_against(args.url, _practice_room(args))
    bot = answer["bot"]
    print(
        f"Practice room {answer['room']}: you are the {answer['role']}; the {bot['role']} "
        f"is a {bot['persona']} bot ({bot['strategy']})."
    )
    print(answer["url"])
    return 0


def _seat(args: argparse.Namespace) -> int:
    bot = persona_bot(
        _ws(args.url),
        args.seat_token,
        persona=args.persona,
        strategy=args.strategy,
        pace=args.pace,
        codec=args.codec,
    )
    try:
        outcome = run_against(args.url, _seat_outcome(bot, args.timeout))
    except MoveRefused as refused:  # the hello was refused: the token is not a seat here
        raise UserError(
            f"the server at {args.url} refused the seat token ({refused.error.code}: "
            f"{refused.error.message}): copy the token from the seat's join link or the console",
            exit_code=1,
        ) from refused
    except ValueError as exc:  # a valid token, but not a buyer's or seller's seat
        raise UserError(
            "that token is not a buyer's or seller's seat: `bots seat` plays one of those "
            "(copy the token from a buyer's or seller's join link)"
        ) from exc
    if outcome is None:
        raise UserError(
            f"lost the connection to the server at {args.url} before the room ended: "
            "run the same command again to take the seat back",
            exit_code=1,
        )
    print(f"room ended: {outcome}")
    return 0


async def _seat_outcome(bot: Bot, timeout: float) -> str | None:
    try:
        return await bot.run(timeout=timeout)
    except TimeoutError as exc:
        if bot.client.welcome is None:
            raise  # the connection itself timed out: the server is not answering
        raise UserError(
            f"the room had not ended after --timeout {timeout:g} s: the bot left its seat",
            exit_code=1,
        ) from exc


async def _play_rooms(args: argparse.Namespace, console: Console) -> Counter[str]:
    async with aiohttp.ClientSession() as session:
        api = FacilitatorApi(session, args.url, facilitator_token(args.token, args.data))
        await api.scenario(args.scenario)
        workshop = await api.call(
            "POST",
            "/api/workshops",
            {"scenario": args.scenario, "rooms": args.rooms, "title": "bots"},
        )
    bots: list[Bot] = []
    progress = PlayProgress(
        len(workshop["rooms"]), lambda: sum(b.moves_sent for b in bots), console, args.every
    )
    for room in workshop["rooms"]:
        for role, strategy, persona in (
            ("buyer", args.buyer, args.buyer_persona),
            ("seller", args.seller, args.seller_persona),
        ):
            bot = persona_bot(
                _ws(args.url),
                room["seats"][role]["token"],
                persona=persona,
                strategy=strategy,
                pace=args.pace,
                codec=args.codec,
                seed=f"{room['id']}:{role}",
            )
            bot.client.on_event = progress.watcher(room["id"])
            bots.append(bot)
    console.print(
        f"bots play: {len(workshop['rooms'])} rooms in workshop {workshop['id']} "
        f"on {args.url}, pace {args.pace:g}",
        highlight=False,
        soft_wrap=True,
    )
    shown = asyncio.create_task(progress.show())
    try:
        outcomes = await asyncio.gather(
            *(b.run(timeout=args.timeout) for b in bots), return_exceptions=True
        )
    finally:
        shown.cancel()
        await asyncio.gather(shown, return_exceptions=True)
        console.print(progress.line(), highlight=False, soft_wrap=True)
    tally: Counter[str] = Counter()
    for room, pair in zip(
        workshop["rooms"], zip(outcomes[::2], outcomes[1::2], strict=True), strict=True
    ):
        outcome = pair[0] if isinstance(pair[0], str) else _failure(pair[0])
        tally[outcome] += 1
        print(f"{room['id']}: {outcome}")
    print(f"workshop {workshop['id']}: {json.dumps(dict(tally))}")
    return tally


def _failure(result: object) -> str:
    """A room whose bot did not see it end, in a word or two (not a repr)."""
    if result is None:
        return "not ended (connection lost)"
    if isinstance(result, TimeoutError):
        return "not ended (--timeout)"
    return f"not ended ({type(result).__name__})"


def _play(args: argparse.Namespace) -> int:
    run_against(args.url, _play_rooms(args, Console(stderr=True)))
    return 0


def add_parser(commands: Any) -> None:
    """Add ``dealroom bots ...`` to the CLI."""
    bots = commands.add_parser(
        "bots",
        help="bots: practice rooms, fill rooms, seat a bot",
        description="Bots that speak the protocol: a practice opponent, whole rooms, one seat.",
    )
    sub = bots.add_subparsers(dest="bots_command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, facilitator: bool = True) -> None:
        p.add_argument("--url", default=DEFAULT_URL, help="the server's base URL")
        if facilitator:
            p.add_argument(
                "--token",
                help=f"facilitator token (default: ${TOKEN_ENV}, else the one in --data)",
            )
            p.add_argument(
                "--data",
                default=DEFAULT_DATA,
                metavar="DIR",
                help="the server's data directory, read for its facilitator token "
                "when --token and $DEALROOM_FACILITATOR_TOKEN are absent",
            )
        p.add_argument(
            "--pace",
            type=number(0),
            default=1.0,
            help="think-time factor: 1 human-like, 0 flat out",
        )
        p.add_argument("--codec", choices=("json", "msgpack"), default="json", help="wire codec")

    practice = sub.add_parser(
        "practice",
        help="a room against a persona bot; prints your link",
        description="Open a practice room against a persona bot and print your join link.",
    )
    common(practice)
    practice.add_argument("--scenario", default="equipment-purchase", help="scenario id")
    practice.add_argument(
        "--persona", choices=sorted(PERSONAS), default="driver", help="the bot's style"
    )
    practice.add_argument(
        "--strategy", choices=sorted(STRATEGIES), help="the bot's strategy (default: the persona's)"
    )
    practice.add_argument(
        "--role",
        choices=("buyer", "seller"),
        default="buyer",
        help="your role; the bot plays the other",
    )
    practice.set_defaults(run=_practice)

    seat = sub.add_parser(
        "seat",
        help="play one seat (by its seat token) until the room ends",
        description="Play one seat, given its seat token, until the room ends.",
    )
    common(seat, facilitator=False)
    seat.add_argument("seat_token", help="the seat's token (the last part of its join link)")
    seat.add_argument(
        "--persona", choices=sorted(PERSONAS), default="amiable", help="the bot's style"
    )
    seat.add_argument(
        "--strategy", choices=sorted(STRATEGIES), help="the bot's strategy (default: the persona's)"
    )
    seat.add_argument("--timeout", type=number(0), default=3600.0, help="give up after seconds")
    seat.set_defaults(run=_seat)

    play = sub.add_parser(
        "play",
        help="create rooms and fill both seats with bots",
        description="Create a workshop of rooms and fill both seats of each with bots; "
        "progress on stderr, each room's outcome on stdout.",
    )
    common(play)
    play.add_argument("--scenario", default="equipment-purchase", help="scenario id")
    play.add_argument("--rooms", type=whole(1), default=1, help="rooms to create and fill")
    play.add_argument(
        "--buyer", choices=sorted(STRATEGIES), default="boulware", help="buyer's strategy"
    )
    play.add_argument(
        "--seller", choices=sorted(STRATEGIES), default="conceder", help="seller's strategy"
    )
    play.add_argument(
        "--buyer-persona", choices=sorted(PERSONAS), default="analytical", help="buyer's style"
    )
    play.add_argument(
        "--seller-persona", choices=sorted(PERSONAS), default="amiable", help="seller's style"
    )
    play.add_argument("--timeout", type=number(0), default=3600.0, help="give up after seconds")
    play.add_argument(
        "--every",
        type=number(0.1),
        default=5.0,
        metavar="SECONDS",
        help="seconds between progress lines when stderr is not a terminal",
    )
    play.set_defaults(run=_play)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: dealroom bots ...")
