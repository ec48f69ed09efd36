"""Property tests: random rooms, checked after every command.

Hypothesis drives a room with random commands - moves of every kind with
valid and invalid terms, accepts and rejects naming real and made-up offer
seqs, facilitator actions (a round's start included, in held rooms and in
rooms that start by themselves), joins, leaves and clock ticks at increasing times -
and checks the referee's promises after each one (DESIGN.md principles 1, 2
and 5): decide is pure, the log is gapless, nothing follows ``ended``, every
agreement is the counterpart's standing offer, and folding the log from
scratch gives the live state.
"""

from __future__ import annotations

import copy
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st

from dealroom.protocol import (
    MSGPACK,
    Accept,
    Accepted,
    Agreement,
    Concede,
    Deadlock,
    Ended,
    ErrorCode,
    Event,
    Intent,
    Offer,
    OfferClass,
    Offered,
    Outcome,
    Reject,
    Rejected,
    Role,
    Scenario,
    SendMessage,
    Started,
    Terms,
    WalkAway,
)
from dealroom.server.referee import (
    Announce,
    Applied,
    Command,
    Duplicate,
    End,
    Extend,
    Join,
    Leave,
    Mediate,
    MoveCommand,
    Pause,
    Phase,
    Refused,
    Resume,
    RoomState,
    Start,
    Tick,
    classify,
    counterpart,
    decide,
    fold,
    replay,
)
from tests.support import T0, Table, small_scenario

ROLES: tuple[Role, Role] = ("buyer", "seller")
PRICES = list(range(100, 201, 10))
WARRANTIES = ["1 year", "2 years", "3 years"]
ISSUE_IDS = ("price", "warranty", "delivery")
REFEREE_CODES = {
    ErrorCode.NOT_STARTED,
    ErrorCode.ROOM_PAUSED,
    ErrorCode.ROOM_ENDED,
    ErrorCode.NOT_YOUR_TURN,
    ErrorCode.INVALID_TERMS,
    ErrorCode.NOT_A_CONCESSION,
    ErrorCode.NO_STANDING_OFFER,
    ErrorCode.STALE_OFFER,
    ErrorCode.INVALID_ACTION,
}

# --- strategies ------------------------------------------------------------------------

SCENARIOS: st.SearchStrategy[Scenario] = st.builds(
    small_scenario,
    turns=st.sampled_from(["free", "alternating"]),
    first_mover=st.sampled_from(["buyer", "seller", "either"]),
    deadlock_after=st.integers(1, 4),
    deadline_seconds=st.sampled_from([0, 120, 300, 1200]),
)

VALID_TERMS = st.fixed_dictionaries(
    {
        "price": st.sampled_from(PRICES),
        "warranty": st.sampled_from(WARRANTIES),
        "delivery": st.integers(2, 12),
    }
)
ODD_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.integers(-20, 260),
    st.booleans(),
    st.sampled_from(["150", "6", "1 year", "5 years", ""]),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e3, max_value=1e3),
)


@st.composite
def invalid_terms(draw: st.DrawFn) -> dict[str, Any]:
    """Valid terms with one thing changed (often, but not always, making them invalid)."""
    values: dict[str, Any] = dict(draw(VALID_TERMS))
    how = draw(st.sampled_from(["drop", "add", "replace"]))
    if how == "drop":
        del values[draw(st.sampled_from(ISSUE_IDS))]
    elif how == "add":
        values[draw(st.sampled_from(["colour", "zz", "price2"]))] = draw(ODD_VALUES)
    else:
        values[draw(st.sampled_from(ISSUE_IDS))] = draw(ODD_VALUES)
    return values


TEXTS = st.sampled_from(["", "  ", "Hello", "What matters most to you?"])
WEIGHTS = {
    "offer": 10,
    "accept": 8,
    "message": 4,
    "tick": 6,
    "join": 3,
    "start": 3,
    "pause": 2,
    "extend": 3,
    "announce": 1,
    # Hypothesis favours the ends of a range, so the commands that end a room
    # sit in the middle of the pool and offers at both ends.
    "walk_away": 1,
    "end": 1,
    "mediate": 2,
    "leave": 2,
    "resume": 4,
    "reject": 6,
    "concede": 14,
    "offer ": 10,
}
COMMAND_KINDS = tuple(kind.strip() for kind, weight in WEIGHTS.items() for _ in range(weight))


@st.composite
def nudged(draw: st.DrawFn, scenario: Scenario, role: Role, previous: Terms) -> Terms:
    """``previous`` moved one step on one or two issues: any class, mostly small moves.

    With ``towards_counterpart`` drawn true, every step gives ground: a concession
    (unless the issue is already at the counterpart's end).
    """
    prefers = scenario.roles[role].prefers
    towards_counterpart = draw(st.booleans())
    values = dict(previous)
    for issue in draw(st.lists(st.sampled_from(scenario.issues), min_size=1, max_size=2)):
        if towards_counterpart:
            step = -1 if prefers[issue.id] == "up" else 1
        else:
            step = draw(st.sampled_from([-1, 1]))
        rank = issue.rank(values[issue.id]) + step
        if 0 <= rank < issue.size():
            values[issue.id] = issue.value_at(rank)
    return values


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Draw from one of ``choices``, picked in proportion to its weight.

    (``st.one_of(a, a, b)`` is not 2:1: one_of drops repeated strategies.)
    """
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(pool).flatmap(lambda strategy: strategy)


def terms_for(state: RoomState, role: Role) -> st.SearchStrategy[dict[str, Any]]:
    """Terms ``role`` might send: fresh, broken, or a step from its previous offer."""
    previous = state.previous_terms.get(role)
    if previous is None:
        return weighted((3, VALID_TERMS), (1, invalid_terms()))
    return weighted(
        (5, nudged(state.scenario, role, previous)), (2, VALID_TERMS), (1, invalid_terms())
    )


def terms_are_valid(values: dict[str, Any]) -> bool:
    """An oracle for the small scenario's domains, written apart from Issue.check."""
    if set(values) != set(ISSUE_IDS):
        return False
    price, warranty, delivery = values["price"], values["warranty"], values["delivery"]
    return (
        type(price) is int
        and price in PRICES
        and warranty in WARRANTIES
        and type(delivery) is int
        and 2 <= delivery <= 12
    )


def draw_command(data: st.DataObject, table: Table, now: int) -> Command:
    """One random command for ``table`` at time ``now``."""
    kind = data.draw(st.sampled_from(COMMAND_KINDS), label="kind")
    if kind in ("walk_away", "end") and data.draw(st.integers(0, 3), label="really") != 1:
        kind = "offer"  # rarer still: a room that ends at once teaches little
    role: Role = data.draw(st.sampled_from(ROLES), label="role")
    # Mostly a fresh move id; sometimes one already used, by this seat or the other.
    used = sorted({move_id for ids in table.state.moves.values() for move_id in ids})
    fresh = st.builds(table.next_id)
    move_ids = weighted((6, fresh), (1, st.sampled_from(used))) if used else fresh
    if kind in ("offer", "concede"):
        values = data.draw(terms_for(table.state, role), label="terms")
        move_id = data.draw(move_ids, label="id")
        frame = (Offer if kind == "offer" else Concede)(id=move_id, terms=values)
        return MoveCommand(role=role, move=frame, now=now)
    if kind in ("accept", "reject"):
        # Real offers (standing, older, own) mostly; now and then any seq at all.
        real = [e.seq for e in table.log if isinstance(e, Offered)]
        standing = [s.seq for s in table.state.standing.values()]
        seqs = weighted(
            (1, st.integers(1, len(table.log) + 3)),
            *([(2, st.sampled_from(real))] if real else []),
            *([(4, st.sampled_from(standing))] if standing else []),
        )
        seq = data.draw(seqs, label="offer seq")
        move_id = data.draw(move_ids, label="id")
        if kind == "accept":
            return MoveCommand(role=role, move=Accept(id=move_id, offer=seq), now=now)
        return MoveCommand(role=role, move=Reject(id=move_id, offer=seq, reason="no"), now=now)
    if kind == "walk_away":
        return MoveCommand(role=role, move=WalkAway(id=data.draw(move_ids, label="id")), now=now)
    if kind == "message":
        intent = data.draw(st.none() | st.sampled_from(list(Intent)))
        said = SendMessage(id=data.draw(move_ids, label="id"), text="Hi", intent=intent)
        return MoveCommand(role=role, move=said, now=now)
    if kind == "join":
        return Join(role=role, now=now, lang=data.draw(st.sampled_from(["", "es", "ms"])))
    if kind == "start":
        # The round's deadline: mostly ahead, sometimes none, now or already past.
        later = data.draw(st.sampled_from([None, -1_000, 0, 60_000, 600_000]), label="round")
        return Start(deadline=None if later is None else now + later, now=now)
    if kind == "leave":
        return Leave(role=role, now=now)
    if kind == "extend":
        seconds = data.draw(st.sampled_from([-5, 0, 1, 30, 120, 24 * 3600, 24 * 3600 + 1]))
        return Extend(seconds=seconds, now=now)
    if kind == "announce":
        return Announce(text=data.draw(TEXTS), now=now)
    if kind == "mediate":
        to: Role | None = data.draw(st.sampled_from([None, *ROLES]))
        return Mediate(text=data.draw(TEXTS), now=now, to=to)
    simple: dict[str, Command] = {
        "pause": Pause(now=now),
        "resume": Resume(now=now),
        "end": End(now=now),
        "tick": Tick(now=now),
    }
    return simple[kind]


# --- checks ----------------------------------------------------------------------------


def check_decision(before: RoomState, log: list[Event], command: Command, decision: Any) -> None:
    """What must hold of one decision, judged against the state it was made in."""
    if isinstance(decision, Duplicate):
        assert isinstance(command, MoveCommand)
        original = log[decision.seq - 1]
        assert original.by == command.role
        assert getattr(original, "move", None) == command.move.id
        return
    if isinstance(decision, Refused):
        assert decision.code in REFEREE_CODES
        assert decision.message
        if decision.code is ErrorCode.INVALID_TERMS:
            assert isinstance(command, MoveCommand)
            assert not terms_are_valid(command.move.terms)  # type: ignore[union-attr]
        return
    assert isinstance(decision, Applied)
    events = decision.events
    if before.phase is Phase.ENDED:
        assert events == (), "nothing happens after the end"
    is_move = isinstance(command, MoveCommand)
    if is_move and before.deadline is not None and command.now >= before.deadline:
        raise AssertionError("a move at or after the deadline was applied")
    for i, event in enumerate(events):
        assert event.seq == before.seq + 1 + i
        assert event.at == command.now
        if isinstance(event, Offered):
            assert isinstance(command, MoveCommand)
            role = command.role
            assert event.by == role
            assert terms_are_valid(event.terms)
            assert before.turn in (None, role)
            previous = before.previous_terms.get(role)
            expected = classify(before.scenario, role, previous, event.terms)
            assert event.offer_class is expected
            assert event.offer_class == expected_class(before.scenario, role, previous, event.terms)
            if event.concede:
                assert event.offer_class is OfferClass.CONCESSION
        if isinstance(event, Started):
            # A held room starts only on the round's Start, any other only when its
            # second seat joins; either way from waiting with both seats in.
            assert before.phase is Phase.WAITING
            if before.held:
                assert isinstance(command, Start)
                assert before.joined == set(ROLES)
                assert event.deadline == command.deadline
                assert command.deadline is None or command.deadline > command.now
            else:
                assert isinstance(command, Join)
                assert before.joined | {command.role} == set(ROLES)
        if isinstance(event, Deadlock):
            assert i > 0 and isinstance(events[i - 1], Offered)
        if isinstance(event, Accepted):
            assert event.by in ROLES
            standing = before.standing[counterpart(event.by)]
            assert event.offer == standing.seq
            offered = log[event.offer - 1]
            assert isinstance(offered, Offered) and offered.by == counterpart(event.by)
            agreement, ended = events[i + 1], events[i + 2]
            assert isinstance(agreement, Agreement)
            assert agreement.terms == standing.terms == offered.terms
            assert agreement.offer == event.offer
            assert (agreement.proposer, agreement.acceptor) == (offered.by, event.by)
            assert isinstance(ended, Ended) and ended.outcome is Outcome.AGREED


def expected_deadlocks(log: list[Event], after: int) -> int:
    """The deadlocks a room should have recorded, recounted from its offers."""
    streak, armed, count = 0, True, 0
    for event in log:
        if isinstance(event, Offered):
            if event.offer_class is OfferClass.CONCESSION:
                streak, armed = 0, True
            else:
                streak += 1
                if armed and streak >= after:
                    count, armed = count + 1, False
    return count


def expected_class(scenario: Scenario, role: Role, previous: Terms | None, new: Terms) -> str:
    """The class of an offer, judged issue by issue without the referee's helpers."""
    if previous is None:
        return "opening"
    gave = took = False
    for issue in scenario.issues:
        order = list(issue.options) if issue.kind == "options" else None
        before, after = previous[issue.id], new[issue.id]
        up = order.index(after) - order.index(before) if order else after - before  # type: ignore[operator,arg-type]
        if up == 0:
            continue
        wants_up = scenario.roles[role].prefers[issue.id] == "up"
        if (up > 0) == wants_up:
            took = True
        else:
            gave = True
    if gave and took:
        return "trade"
    return "concession" if gave else "hardening" if took else "repeat"


def expected_seats(log: list[Event], scenario: Scenario) -> dict[str, Any]:
    """Standing offers, move ids and the turn, recounted from the log."""
    standing: dict[Role, int] = {}
    moves: dict[Role, dict[str, int]] = {"buyer": {}, "seller": {}}
    rules = scenario.rules
    turn = None if rules.turns == "free" or rules.first_mover == "either" else rules.first_mover
    for event in log:
        if event.by not in ROLES:
            continue
        role: Role = event.by
        move_id = getattr(event, "move", None)
        if move_id is not None:
            assert move_id not in moves[role], "a move id applied twice"
            moves[role][move_id] = event.seq
        if isinstance(event, Offered):
            standing[role] = event.seq
            if rules.turns == "alternating":
                turn = counterpart(role)
        elif isinstance(event, Rejected):
            assert standing.pop(counterpart(role)) == event.offer
    return {"standing": standing, "moves": moves, "turn": turn}


def check_room(log: list[Event], state: RoomState) -> None:
    """What must hold of a room's whole log after every step."""
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert state.seq == len(log)
    ended = [i for i, e in enumerate(log) if isinstance(e, Ended)]
    assert len(ended) <= 1
    if ended:
        assert ended[0] == len(log) - 1, "an event after ended"
        assert state.phase is Phase.ENDED
    agreements = [e for e in log if isinstance(e, Agreement)]
    assert len(agreements) <= 1
    if agreements:
        assert state.outcome is Outcome.AGREED and state.agreement == agreements[0].terms
    assert sum(isinstance(e, Started) for e in log) <= 1
    assert state.offers == sum(isinstance(e, Offered) for e in log)
    assert state.deadlocks == sum(isinstance(e, Deadlock) for e in log)
    assert state.deadlocks == expected_deadlocks(log, state.scenario.rules.deadlock_after)
    seats = expected_seats(log, state.scenario)
    assert {role: s.seq for role, s in state.standing.items()} == seats["standing"]
    assert state.moves == seats["moves"]
    assert state.turn == seats["turn"]
    replayed = replay(log)
    assert _fields(replayed) == _fields(state)
    assert replayed == state


def _fields(state: RoomState) -> dict[str, Any]:
    names = (
        "phase seq standing previous_terms offers deadlocks outcome agreement moves "
        "deadline remaining_ms turn joined present since_concession deadlock_armed duration_ms held"
    )
    return {name: getattr(state, name) for name in names.split()}


# --- the property ----------------------------------------------------------------------


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    data=st.data(),
    scenario=SCENARIOS,
    seated=st.integers(0, 3).map(bool),
    held=st.integers(0, 2).map(lambda n: n == 0),
)
def test_random_rooms_keep_the_referees_promises(
    data: st.DataObject, scenario: Scenario, seated: bool, held: bool
) -> None:
    table = Table(scenario, held=held)
    state, log = table.state, table.log
    now = T0
    prelude: list[Command] = [Join(role="buyer", now=now), Join(role="seller", now=now)]
    if held:  # a round's room: the facilitator starts it, with the round's deadline
        prelude.append(Start(deadline=now + 120_000, now=now))
    steps = data.draw(st.integers(1, 60), label="steps")
    after_end = 0
    for _ in range(steps):
        if state.phase is Phase.ENDED:
            after_end += 1
            if after_end > 4:  # a few commands after the end are enough
                break
        if seated and prelude:
            command = prelude.pop(0)
        else:
            now += data.draw(st.sampled_from([0, 1, 500, 2_000, 5_000, 20_000]), label="dt")
            deadline = state.deadline
            timer = data.draw(st.integers(0, 31), label="timer")
            if deadline is not None and now >= deadline and timer > 1:
                # Mostly the room's timer fires on time, as the room service's does.
                command = Tick(now=now)
            else:
                if deadline is not None and deadline > now and timer == 0:
                    now = deadline  # exactly the deadline: the boundary of every clock rule
                command = draw_command(data, table, now)
        snapshot = copy.deepcopy(state)
        decision = decide(state, command)
        assert state == snapshot, "decide changed the state"
        assert decide(state, command) == decision, "decide is not deterministic"
        check_decision(snapshot, log, command, decision)
        if isinstance(decision, Refused):
            note(f"refused: {decision.code}")
        if isinstance(decision, Applied):
            for event in decision.events:
                fold(state, event)
                log.append(event)
        check_room(log, state)
    # Shown by `pytest --hypothesis-show-statistics`: what the runs reached.
    note(f"held: {held}, phase: {state.phase}")
    note(f"ended: {state.outcome}")
    note(f"deadlocks: {min(state.deadlocks, 2)}")
    stored = [msgspec.msgpack.decode(MSGPACK.encode(e), type=Event) for e in log]
    assert replay(stored) == state
