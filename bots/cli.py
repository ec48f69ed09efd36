"""``dealroom bots``: seat bots in rooms, fill whole rooms, or open a practice room."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from typing import Any

import aiohttp

from .personas import PERSONAS
from .seat import persona_bot
from .strategies import STRATEGIES

__all__ = ["add_parser"]


async def _api(url: str, token: str, method: str, path: str, body: object = None) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, url.rstrip("/") + path, json=body, headers={"Authorization": f"Bearer {token}"}
        ) as response,
    ):
        answer = await response.json()
        if response.status >= 400:
            error = answer.get("error", {}) if isinstance(answer, dict) else {}
            raise SystemExit(f"error: {error.get('code')}: {error.get('message')}")
        return answer


def _token(args: argparse.Namespace) -> str:
    token: str | None = args.token or os.environ.get("DEALROOM_FACILITATOR_TOKEN")
    if not token:
        raise SystemExit("error: --token (or $DEALROOM_FACILITATOR_TOKEN) is required")
    return token


def _ws(url: str) -> str:
    return url.rstrip("/").replace("http", "ws", 1) + "/ws"


def _practice(args: argparse.Namespace) -> int:
    body = {
        "scenario": args.scenario,
        "persona": args.persona,
        "role": args.role,
        "pace": args.pace,
    }
    if args.strategy:
        body["strategy"] = args.strategy
    answer = asyncio.run(_api(args.url, _token(args), "POST", "/api/practice", body))
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
    outcome = asyncio.run(bot.run(timeout=args.timeout))
    print(f"room ended: {outcome}")
    return 0


async def _play_rooms(args: argparse.Namespace) -> Counter[str]:
    token = _token(args)
    workshop = await _api(
        args.url,
        token,
        "POST",
        "/api/workshops",
        {"scenario": args.scenario, "rooms": args.rooms, "title": "bots"},
    )
    bots = []
    for room in workshop["rooms"]:
        for role, strategy, persona in (
            ("buyer", args.buyer, args.buyer_persona),
            ("seller", args.seller, args.seller_persona),
        ):
            bots.append(
                persona_bot(
                    _ws(args.url),
                    room["seats"][role]["token"],
                    persona=persona,
                    strategy=strategy,
                    pace=args.pace,
                    codec=args.codec,
                    seed=f"{room['id']}:{role}",
                )
            )
    outcomes = await asyncio.gather(
        *(b.run(timeout=args.timeout) for b in bots), return_exceptions=True
    )
    tally: Counter[str] = Counter()
    for room, pair in zip(
        workshop["rooms"], zip(outcomes[::2], outcomes[1::2], strict=True), strict=True
    ):
        outcome = pair[0] if isinstance(pair[0], str) else repr(pair[0])
        tally[outcome] += 1
        print(f"{room['id']}: {outcome}")
    print(f"workshop {workshop['id']}: {json.dumps(dict(tally))}")
    return tally


def _play(args: argparse.Namespace) -> int:
    asyncio.run(_play_rooms(args))
    return 0


def add_parser(commands: Any) -> None:
    """Add ``dealroom bots ...`` to the CLI."""
    bots = commands.add_parser("bots", help="bots: practice rooms, fill rooms, seat a bot")
    sub = bots.add_subparsers(dest="bots_command", required=True)

    def common(p: argparse.ArgumentParser, facilitator: bool = True) -> None:
        p.add_argument("--url", default="http://127.0.0.1:8080", help="the server's base URL")
        if facilitator:
            p.add_argument(
                "--token", help="facilitator token (default: $DEALROOM_FACILITATOR_TOKEN)"
            )
        p.add_argument(
            "--pace",
            type=float,
            default=1.0,
            help="think-time factor: 1 human-like, 0 as fast as possible",
        )
        p.add_argument("--codec", choices=("json", "msgpack"), default="json")

    practice = sub.add_parser("practice", help="a room against a persona bot; prints your link")
    common(practice)
    practice.add_argument("--scenario", default="equipment-purchase")
    practice.add_argument("--persona", choices=sorted(PERSONAS), default="driver")
    practice.add_argument("--strategy", choices=sorted(STRATEGIES))
    practice.add_argument(
        "--role",
        choices=("buyer", "seller"),
        default="buyer",
        help="your role; the bot plays the other",
    )
    practice.set_defaults(run=_practice)

    seat = sub.add_parser("seat", help="play one seat (by its seat token) until the room ends")
    common(seat, facilitator=False)
    seat.add_argument("seat_token")
    seat.add_argument("--persona", choices=sorted(PERSONAS), default="amiable")
    seat.add_argument("--strategy", choices=sorted(STRATEGIES))
    seat.add_argument("--timeout", type=float, default=3600.0)
    seat.set_defaults(run=_seat)

    play = sub.add_parser("play", help="create rooms and fill both seats with bots")
    common(play)
    play.add_argument("--scenario", default="equipment-purchase")
    play.add_argument("--rooms", type=int, default=1)
    play.add_argument("--buyer", choices=sorted(STRATEGIES), default="boulware")
    play.add_argument("--seller", choices=sorted(STRATEGIES), default="conceder")
    play.add_argument("--buyer-persona", choices=sorted(PERSONAS), default="analytical")
    play.add_argument("--seller-persona", choices=sorted(PERSONAS), default="amiable")
    play.add_argument("--timeout", type=float, default=3600.0)
    play.set_defaults(run=_play)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: dealroom bots ...")
