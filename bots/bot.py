"""A bot at the table: a strategy (what to offer) and a persona (how it behaves).

The bot speaks protocol v1 through :class:`~.client.Client` like any other
client. It folds the events it sees into a :class:`~.negotiation.Situation`
(its own brief, the offers on the table, the time), asks its strategy for an
action when something changes or when it has thought long enough, and sends
the move. It stops when the room ends.

A bot that talks says ``hello`` with ``lang = "*"``: its welcome carries the
scenario's words in every language the scenario has, and once its
counterpart's ``joined`` names a language, its persona writes in that one.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dealroom.protocol import (
    Accept,
    Brief,
    Concede,
    Ended,
    Event,
    Intent,
    Joined,
    Offer,
    Offered,
    PublicScenario,
    Rejected,
    Resumed,
    Role,
    SendMessage,
    Started,
    Terms,
    WalkAway,
)
from dealroom.protocol.scenario import EVERY_LANGUAGE

from .client import Client, ClientClosed, MoveRefused
from .negotiation import AcceptOffer, Hold, Leave, Propose, Situation
from .strategies import Strategy

__all__ = ["Bot", "Strategy", "Talk", "Think"]

log = logging.getLogger(__name__)

Think = Callable[[random.Random], float]
"""Seconds to wait before the next move."""
Talk = Callable[[Situation, random.Random], tuple[str, Intent] | None]
"""A message to send with a move, or None."""

_ROUNDS_WITHOUT_DEADLINE = 40


@dataclass
class _Table:
    """What the bot has seen of the room, folded from events."""

    role: Role
    my_offers: list[Terms] = field(default_factory=list)
    their_offers: list[tuple[int, Terms]] = field(default_factory=list)
    standing: tuple[int, Terms] | None = None
    turn: Role | None = None
    alternating: bool = False
    started_at: float | None = None
    deadline: float | None = None
    outcome: str | None = None
    changed: bool = True
    their_language: str = ""

    def fold(self, event: Event) -> None:
        match event:
            case Started(deadline=deadline, at=at):
                self.started_at, self.deadline = (
                    at / 1000,
                    None if deadline is None else deadline / 1000,
                )
                self.changed = True
            case Resumed(deadline=deadline):
                self.deadline = None if deadline is None else deadline / 1000
            case Offered(by=by, terms=terms, seq=seq):
                if by == self.role:
                    self.my_offers.append(terms)
                else:
                    self.their_offers.append((seq, terms))
                    self.standing = (seq, terms)
                    self.changed = True
                if self.alternating:
                    self.turn = "seller" if by == "buyer" else "buyer"
            case Rejected(by=by) if by == self.role:
                self.standing = None
            case Ended(outcome=outcome):
                self.outcome = outcome.value
                self.changed = True
            case Joined(by=by, lang=lang) if by != self.role:
                self.their_language = lang  # again after a `left`: whoever sits there now


class Bot:
    """One seat played by a strategy with a persona's pace and voice."""

    def __init__(
        self,
        url: str,
        token: str,
        strategy: Strategy,
        *,
        think: Think | None = None,
        talk: Talk | None = None,
        codec: str = "json",
        name: str = "",
        seed: int | str | None = None,
        rounds: int | None = None,
    ) -> None:
        """
        Args:
            rounds: measure the negotiation's time in the bot's own decisions
                (``rounds`` of them from start to end) instead of the room's
                clock: for bots playing each other as fast as possible.
        """
        # Only a bot that talks needs the scenario's words in its counterpart's language.
        lang = EVERY_LANGUAGE if talk is not None else ""
        self.client = Client(url, token, codec=codec, name=name, lang=lang)
        self.rounds = rounds
        self.decisions = 0
        self.strategy = strategy
        self.think: Think = think or (lambda rng: 0.0)
        self.talk = talk
        self.rng = random.Random(seed)
        self.clock_offset = 0.0
        self.moves_sent = 0

    async def run(self, timeout: float | None = None) -> str | None:
        """Play until the room ends (or ``timeout`` seconds); the outcome, if it ended."""
        try:
            return await asyncio.wait_for(self._play(), timeout)
        finally:
            await self.client.close()

    async def _play(self) -> str | None:
        welcome = await self.client.connect()
        if welcome.brief is None or welcome.role not in ("buyer", "seller"):
            raise ValueError("a bot needs a buyer or seller seat token")
        role: Role = welcome.brief.role
        rules = welcome.scenario.rules
        table = _Table(role=role, alternating=rules.turns == "alternating")
        table.turn = welcome.state.turn
        self.clock_offset = welcome.server_time / 1000 - time.time()
        if welcome.state.deadline is not None:
            table.deadline = welcome.state.deadline / 1000
        while table.outcome is None:
            wait = self.think(self.rng)
            try:
                # Reconsider after a silence of a few think times (quickly at pace 0).
                event = await self.client.next_event(timeout=3 * wait + (0.5 if wait else 0.05))
            except ClientClosed:
                return None
            if event is None:
                table.changed = True  # silence from the counterpart: reconsider on the clock
            if event is not None:
                table.fold(event)
                for more in self.client.received():  # decide on everything that arrived
                    table.fold(more)
            if table.outcome is not None or table.started_at is None or not table.changed:
                continue
            if wait > 0:
                await asyncio.sleep(wait)
            await self._act(table, welcome.brief, welcome.scenario)
        return table.outcome

    def _now(self) -> float:
        return time.time() + self.clock_offset

    def _situation(self, table: _Table, brief: Brief, scenario: PublicScenario) -> Situation:
        if self.rounds:
            progress = self.decisions / self.rounds
        elif table.deadline is not None and table.started_at is not None:
            span = max(table.deadline - table.started_at, 1e-3)
            progress = (self._now() - table.started_at) / span
        else:
            progress = len(table.my_offers) / _ROUNDS_WITHOUT_DEADLINE
        return Situation(
            role=table.role,
            brief=brief,
            issues=scenario.issues,
            time=min(1.0, max(0.0, progress)),
            my_offers=tuple(table.my_offers),
            their_offers=tuple(table.their_offers),
            standing=table.standing,
            my_turn=table.turn in (None, table.role),
            their_language=table.their_language,
            translations=scenario.translations,
        )

    async def _act(self, table: _Table, brief: Brief, scenario: PublicScenario) -> None:
        table.changed = False
        situation = self._situation(table, brief, scenario)
        self.decisions += 1
        action = self.strategy.respond(situation)
        if isinstance(action, Hold):
            return
        if self.talk is not None and isinstance(action, Propose | Leave):
            said = self.talk(situation, self.rng)
            if said is not None:
                await self._send(SendMessage(id=self.client.new_id(), text=said[0], intent=said[1]))
        match action:
            case Propose(terms=terms, concede=True):
                await self._send(Concede(id=self.client.new_id(), terms=terms))
            case Propose(terms=terms):
                await self._send(Offer(id=self.client.new_id(), terms=terms))
            case AcceptOffer(seq=seq):
                await self._send(Accept(id=self.client.new_id(), offer=seq))
            case Leave(reason=reason):
                await self._send(WalkAway(id=self.client.new_id(), reason=reason))

    async def _send(self, move: Offer | Concede | Accept | WalkAway | SendMessage) -> None:
        try:
            await self.client.move(move)
            self.moves_sent += 1
        except MoveRefused as refused:
            # The room moved on meanwhile (the counterpart accepted, the clock ran
            # out, it is not our turn): the next event tells the bot what is true.
            log.debug("bot move refused: %s", refused)
