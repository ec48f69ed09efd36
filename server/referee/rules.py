"""decide(): the referee's judgement of one command in one state.

Pure (DESIGN.md principle 1): it reads its arguments, returns a
:data:`~.decisions.Decision`, and changes nothing. The order of checks is the
contract clients see when several things are wrong at once:

1. a move id already applied is a :class:`Duplicate` (principle 5: a retried id
   is acknowledged again, never applied twice) - before anything else, so a
   retry still gets its ack after the room has ended;
2. the phase table (:mod:`.table`) allows or refuses the command;
3. anything but the clock's tick and seats joining or leaving is refused past
   the deadline (the tick will record the expiry);
4. the command's content: turns, terms, standing offers, concessions.
"""

from __future__ import annotations

from typing import assert_never

import msgspec

from dealroom.protocol import (
    Accept,
    Accepted,
    Agreement,
    Announcement,
    ApprovalDecided,
    ApprovalRequested,
    Concede,
    Deadlock,
    Ended,
    ErrorCode,
    Event,
    Extended,
    Joined,
    Left,
    Offer,
    OfferClass,
    Offered,
    Outcome,
    Paused,
    Reject,
    Rejected,
    Resumed,
    Role,
    Scenario,
    SendMessage,
    Started,
    Terms,
    WalkAway,
    WalkedAway,
)
from dealroom.protocol import Message as MessageEvent

from .commands import (
    Announce,
    Approve,
    Command,
    End,
    Extend,
    Join,
    Leave,
    Mediate,
    MoveCommand,
    Pause,
    Resume,
    Start,
    Tick,
)
from .decisions import Applied, Decision, Duplicate, Refused
from .state import Phase, RoomState, counterpart
from .table import ALLOW, IGNORE, PHASE_TABLE

__all__ = ["MAX_EXTEND_SECONDS", "MESSAGE_CHARS_PER_ROLE", "command_name", "decide"]

MAX_EXTEND_SECONDS = 24 * 3600
MESSAGE_CHARS_PER_ROLE = 200_000
"""Message text one role may add to one room's log (DESIGN.md principle 7: a seat's cost
to the server is bounded). A long, chatty negotiation uses a few thousand."""

_MOVE_NAMES: dict[type, str] = {
    Offer: "offer",
    Concede: "concede",
    Accept: "accept",
    Reject: "reject",
    WalkAway: "walk_away",
    SendMessage: "message",
}
_COMMAND_NAMES: dict[type, str] = {
    Join: "join",
    Leave: "leave",
    Start: "start",
    Pause: "pause",
    Resume: "resume",
    Extend: "extend",
    Announce: "announce",
    Mediate: "mediate",
    End: "end",
    Approve: "approve",
    Tick: "tick",
}


def command_name(command: Command) -> str:
    """The command's row name in the phase table."""
    if isinstance(command, MoveCommand):
        return _MOVE_NAMES[type(command.move)]
    return _COMMAND_NAMES[type(command)]


def decide(state: RoomState, command: Command) -> Decision:
    """Judge ``command`` in ``state``: the events it causes, or why it is refused."""
    if isinstance(command, MoveCommand):
        seq = state.moves[command.role].get(command.move.id)
        if seq is not None:
            return Duplicate(seq)
    name = command_name(command)
    verdict = PHASE_TABLE[state.phase][name]
    if verdict == IGNORE:
        return Applied(())
    if verdict != ALLOW:
        return Refused(verdict, _PHASE_REASONS[verdict].format(action=name, phase=state.phase))
    # Past the deadline the room is over, even before the clock's tick records the
    # expiry: only that tick (and seats coming and going) may still happen, so
    # nothing (a move, an extension) can slip in before `ended(expired)`.
    if (
        state.deadline is not None
        and command.now >= state.deadline
        and not isinstance(command, Tick | Join | Leave)
    ):
        return Refused(ErrorCode.ROOM_ENDED, "The deadline has passed; the room is expiring.")
    emit = _Emitter(state, command.now)
    match command:
        case MoveCommand():
            return _move(state, command, emit)
        case Join(role=role, name=display, lang=lang):
            emit(Joined(by=role, name=display, lang=lang, seq=emit.seq, at=emit.at))
            both = state.joined | {role} >= {"buyer", "seller"}
            # A held room waits, both seats in, for the facilitator's Start (a round).
            if state.phase is Phase.WAITING and both and not state.held:
                deadline = None if state.duration_ms is None else command.now + state.duration_ms
                emit(Started(by="system", deadline=deadline, seq=emit.seq, at=emit.at))
        case Leave(role=role):
            emit(Left(by=role, seq=emit.seq, at=emit.at))
        case Start():
            return _start(state, command, emit)
        case Tick(now=now):
            if state.deadline is not None and now >= state.deadline:
                emit(Ended(by="system", outcome=Outcome.EXPIRED, seq=emit.seq, at=emit.at))
        case Pause(now=now):
            remaining = None if state.deadline is None else max(0, state.deadline - now)
            emit(Paused(by="facilitator", remaining_ms=remaining, seq=emit.seq, at=emit.at))
        case Resume(now=now):
            deadline = None if state.remaining_ms is None else now + state.remaining_ms
            emit(Resumed(by="facilitator", deadline=deadline, seq=emit.seq, at=emit.at))
        case Extend(seconds=seconds):
            return _extend(state, seconds, emit)
        case Announce(text=text):
            if not text.strip():
                return Refused(ErrorCode.INVALID_ACTION, "An announcement needs some text.")
            emit(Announcement(by="facilitator", text=text, seq=emit.seq, at=emit.at))
        case Mediate(text=text, to=to):
            if not text.strip():
                return Refused(ErrorCode.INVALID_ACTION, "A mediator message needs some text.")
            emit(MessageEvent(by="facilitator", text=text, to=to, seq=emit.seq, at=emit.at))
        case End():
            emit(Ended(by="facilitator", outcome=Outcome.CLOSED, seq=emit.seq, at=emit.at))
        case Approve():
            return _approve(state, command, emit)
        case _:
            assert_never(command)
    return Applied(tuple(emit.events))


_PHASE_REASONS: dict[ErrorCode, str] = {
    ErrorCode.NOT_STARTED: "The room has not started yet: both seats must join before {action}.",
    ErrorCode.ROOM_PAUSED: "The facilitator has paused the room; {action} must wait.",
    ErrorCode.ROOM_ENDED: "The room has ended; {action} is no longer possible.",
    ErrorCode.INVALID_ACTION: "Cannot {action} while the room is {phase}.",
}


class _Emitter:
    """Collects the events of one decision, numbering them from the state's seq."""

    def __init__(self, state: RoomState, now: int) -> None:
        self._next = state.seq + 1
        self._now = now
        self.events: list[Event] = []

    @property
    def seq(self) -> int:
        """The seq the next event gets."""
        return self._next + len(self.events)

    @property
    def at(self) -> int:
        """The time every event of this decision carries."""
        return self._now

    def __call__(self, event: Event) -> None:
        self.events.append(event)


def _move(state: RoomState, command: MoveCommand, emit: _Emitter) -> Decision:
    role, move = command.role, command.move
    match move:
        case Offer(terms=terms) | Concede(terms=terms):
            return _offer(state, role, move.id, terms, isinstance(move, Concede), emit)
        case Accept(offer=offer_seq):
            return _accept(state, role, move.id, offer_seq, emit)
        case Reject(offer=offer_seq, reason=reason):
            refusal = _check_standing(state, role, offer_seq)
            if refusal is not None:
                return refusal
            emit(
                Rejected(
                    by=role, move=move.id, offer=offer_seq, reason=reason, seq=emit.seq, at=emit.at
                )
            )
        case WalkAway(reason=reason):
            emit(WalkedAway(by=role, move=move.id, reason=reason, seq=emit.seq, at=emit.at))
            emit(Ended(by="system", outcome=Outcome.WALKED_AWAY, seq=emit.seq, at=emit.at))
        case SendMessage(text=text, intent=intent):
            if state.message_chars.get(role, 0) + len(text) > MESSAGE_CHARS_PER_ROLE:
                return Refused(
                    ErrorCode.MESSAGE_LIMIT,
                    f"The {role}'s messages in this room have reached "
                    f"{MESSAGE_CHARS_PER_ROLE:,} characters, the most a room keeps; "
                    "offers, accept, reject and walk away still work.",
                )
            emit(
                MessageEvent(
                    by=role, move=move.id, text=text, intent=intent, seq=emit.seq, at=emit.at
                )
            )
        case _:
            assert_never(move)
    return Applied(tuple(emit.events))


def _accept(
    state: RoomState,
    role: Role,
    move_id: str,
    offer_seq: int,
    emit: _Emitter,
    authorised: bool = False,
) -> Decision:
    refusal = _check_standing(state, role, offer_seq)
    if refusal is not None:
        return refusal
    standing = state.standing[counterpart(role)]
    # Authority limits (scenario rule): closing past them waits for sign-off.
    beyond = state.scenario.beyond_authority(role, standing.terms)
    if beyond and not authorised:
        emit(
            ApprovalRequested(
                by=role,
                move=move_id,
                action="accept",
                terms=standing.terms,
                issues=beyond,
                offer=offer_seq,
                seq=emit.seq,
                at=emit.at,
            )
        )
        return Applied(tuple(emit.events))
    emit(Accepted(by=role, move=move_id, offer=offer_seq, seq=emit.seq, at=emit.at))
    emit(
        Agreement(
            by="system",
            offer=offer_seq,
            terms=standing.terms,
            proposer=counterpart(role),
            acceptor=role,
            seq=emit.seq,
            at=emit.at,
        )
    )
    emit(Ended(by="system", outcome=Outcome.AGREED, seq=emit.seq, at=emit.at))
    return Applied(tuple(emit.events))


def _approve(state: RoomState, command: Approve, emit: _Emitter) -> Decision:
    found = [(r, p) for r, p in state.pending.items() if p.seq == command.request]
    if not found:
        return Refused(
            ErrorCode.NO_PENDING_APPROVAL,
            f"Request {command.request} is not waiting for a decision "
            "(unknown, decided, or replaced by a newer move).",
        )
    role, request = found[0]
    decided = ApprovalDecided(
        by="facilitator",
        request=request.seq,
        role=role,
        approved=command.approved,
        note=command.note,
        seq=emit.seq,
        at=emit.at,
    )
    emit(decided)
    if not command.approved:
        return Applied(tuple(emit.events))
    # Signed off: the move is judged again as the room stands now (the standing
    # offer may have changed meanwhile); the decision records whether it landed.
    if request.action == "accept":
        assert request.offer is not None
        moved = _accept(state, role, request.move, request.offer, emit, authorised=True)
    else:
        concede = request.action == "concede"
        moved = _offer(state, role, request.move, request.terms, concede, emit, authorised=True)
    if isinstance(moved, Refused):
        decided = msgspec.structs.replace(decided, reason=moved.message)
    else:
        decided = msgspec.structs.replace(decided, applied=True)
    return Applied((decided, *emit.events[1:]))


def _offer(
    state: RoomState,
    role: Role,
    move_id: str,
    terms: dict[str, int | str],
    concede: bool,
    emit: _Emitter,
    authorised: bool = False,
) -> Decision:
    scenario = state.scenario
    # Turn-taking (scenario rule `turns = "alternating"`): offers alternate.
    if state.turn is not None and state.turn != role:
        return Refused(ErrorCode.NOT_YOUR_TURN, f"It is the {state.turn}'s turn to make an offer.")
    # Terms: a value for every issue, each inside its issue's domain. The
    # compiled domain answers in ranks; the refusal's words come from the issues.
    domain = state.domain
    previous = state.previous_terms.get(role)
    judged = (
        domain.judge(role, terms, None if previous is None else domain.ranks(previous))
        if terms.keys() == domain.id_set
        else None
    )
    if judged is None:
        return _invalid_terms(scenario, terms)
    klass, beyond = judged.offer_class, judged.beyond
    if concede and klass is not OfferClass.CONCESSION:
        return Refused(
            ErrorCode.NOT_A_CONCESSION,
            f"These terms are {_article(klass)} {klass} on your previous offer, not a concession.",
        )
    # Authority limits (scenario rule): offering past them waits for sign-off.
    if beyond and not authorised:
        emit(
            ApprovalRequested(
                by=role,
                move=move_id,
                action="concede" if concede else "offer",
                terms=terms,
                issues=beyond,
                seq=emit.seq,
                at=emit.at,
            )
        )
        return Applied(tuple(emit.events))
    emit(
        Offered(
            by=role,
            move=move_id,
            terms=terms,
            offer_class=klass,
            concede=concede,
            seq=emit.seq,
            at=emit.at,
        )
    )
    # Deadlock (scenario rule `deadlock_after` = N): N offers in a row without a
    # concession; recorded once, re-armed by the next concession (see fold).
    streak = 0 if klass is OfferClass.CONCESSION else state.since_concession + 1
    if state.deadlock_armed and streak >= scenario.rules.deadlock_after:
        emit(Deadlock(by="system", offers=streak, seq=emit.seq, at=emit.at))
    return Applied(tuple(emit.events))


def _invalid_terms(scenario: Scenario, terms: Terms) -> Refused:
    """Why ``terms`` are not a package of ``scenario``: the first thing wrong, in words."""
    known = {issue.id for issue in scenario.issues}
    unknown = sorted(set(terms) - known)
    if unknown:
        return Refused(ErrorCode.INVALID_TERMS, f"Unknown issue(s): {', '.join(unknown)}.")
    missing = [issue.id for issue in scenario.issues if issue.id not in terms]
    if missing:
        return Refused(ErrorCode.INVALID_TERMS, f"Missing a value for: {', '.join(missing)}.")
    for issue in scenario.issues:
        problem = issue.check(terms[issue.id])
        if problem is not None:
            return Refused(ErrorCode.INVALID_TERMS, f"Invalid terms: {problem}.")
    raise AssertionError("terms the compiled domain refused are valid")  # a referee bug


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _check_standing(state: RoomState, role: Role, offer_seq: int) -> Refused | None:
    standing = state.standing.get(counterpart(role))
    if standing is None:
        return Refused(
            ErrorCode.NO_STANDING_OFFER, f"The {counterpart(role)} has no offer standing."
        )
    if standing.seq != offer_seq:
        return Refused(
            ErrorCode.STALE_OFFER,
            f"Offer {offer_seq} is not the {counterpart(role)}'s standing offer "
            f"(that is {standing.seq}).",
        )
    return None


def _start(state: RoomState, command: Start, emit: _Emitter) -> Decision:
    """A round's start: only a held room, both seats in, before the round's deadline."""
    if not state.held:
        return Refused(
            ErrorCode.INVALID_ACTION,
            "This room starts by itself once both seats have joined; it is not held for a round.",
        )
    if state.joined < {"buyer", "seller"}:
        return Refused(ErrorCode.NOT_STARTED, "Both seats must join before the room can start.")
    if command.deadline is not None and command.deadline <= command.now:
        return Refused(ErrorCode.INVALID_ACTION, "The round's deadline has already passed.")
    emit(Started(by="system", deadline=command.deadline, seq=emit.seq, at=emit.at))
    return Applied(tuple(emit.events))


def _extend(state: RoomState, seconds: int, emit: _Emitter) -> Decision:
    if not 0 < seconds <= MAX_EXTEND_SECONDS:
        return Refused(
            ErrorCode.INVALID_ACTION,
            f"An extension is between 1 and {MAX_EXTEND_SECONDS} seconds, not {seconds}.",
        )
    add = seconds * 1000
    if state.phase is Phase.WAITING and state.held:
        # Its clock is the round's: the start gives it the round's deadline.
        return Refused(
            ErrorCode.INVALID_ACTION,
            "This room is held for its round: it will get the round's deadline when it "
            "starts; extend the round once it runs.",
        )
    if state.phase is Phase.WAITING:
        if state.duration_ms is None:
            return Refused(ErrorCode.INVALID_ACTION, "This scenario has no deadline to extend.")
        deadline, remaining = None, state.duration_ms + add
    elif state.phase is Phase.PAUSED:
        if state.remaining_ms is None:
            return Refused(ErrorCode.INVALID_ACTION, "This room has no deadline to extend.")
        deadline, remaining = None, state.remaining_ms + add
    else:
        if state.deadline is None:
            return Refused(ErrorCode.INVALID_ACTION, "This room has no deadline to extend.")
        deadline, remaining = state.deadline + add, None
    emit(
        Extended(
            by="facilitator",
            seconds=seconds,
            deadline=deadline,
            remaining_ms=remaining,
            seq=emit.seq,
            at=emit.at,
        )
    )
    return Applied(tuple(emit.events))
