"""The stable codes of protocol v1: error codes and WebSocket close codes.

Every refusal the server sends is an ``error`` frame whose ``code`` is one of
:class:`ErrorCode`. Codes are stable: clients may branch on them; the human
``message`` beside them may change. :data:`ERROR_MEANINGS` and
:data:`CLOSE_MEANINGS` are the one-line meanings the spec prints (a test checks
the spec lists every code).
"""

from __future__ import annotations

import enum

__all__ = ["CLOSE_MEANINGS", "ERROR_MEANINGS", "CloseCode", "ErrorCode"]


class ErrorCode(enum.StrEnum):
    """Why a frame or a command was refused."""

    # Frame level: the bytes could not become a frame.
    BAD_FRAME = "bad_frame"
    INVALID_FRAME = "invalid_frame"
    UNKNOWN_TYPE = "unknown_type"
    FRAME_TOO_LARGE = "frame_too_large"
    RATE_LIMITED = "rate_limited"
    # Session level: the frame is well formed but not now or not for you.
    HELLO_REQUIRED = "hello_required"
    ALREADY_JOINED = "already_joined"
    INVALID_TOKEN = "invalid_token"
    UNKNOWN_ROOM = "unknown_room"
    FORBIDDEN = "forbidden"
    SEAT_BUSY = "seat_busy"
    # Referee: the move is well formed but the rules refuse it.
    NOT_STARTED = "not_started"
    ROOM_PAUSED = "room_paused"
    ROOM_ENDED = "room_ended"
    NOT_YOUR_TURN = "not_your_turn"
    INVALID_TERMS = "invalid_terms"
    NOT_A_CONCESSION = "not_a_concession"
    NO_STANDING_OFFER = "no_standing_offer"
    STALE_OFFER = "stale_offer"
    INVALID_ACTION = "invalid_action"
    NO_PENDING_APPROVAL = "no_pending_approval"
    MESSAGE_LIMIT = "message_limit"
    # Server side.
    UNAVAILABLE = "unavailable"
    INTERNAL_ERROR = "internal_error"


ERROR_MEANINGS: dict[ErrorCode, str] = {
    ErrorCode.BAD_FRAME: "The frame is not valid JSON / MessagePack for the chosen subprotocol.",
    ErrorCode.INVALID_FRAME: "The frame decodes but breaks the schema (missing field, wrong type, "
    "unknown move kind, value out of its bounds).",
    ErrorCode.UNKNOWN_TYPE: "The frame's `type` is not one a client may send.",
    ErrorCode.FRAME_TOO_LARGE: "The frame is over the server's frame limit; it was not read.",
    ErrorCode.RATE_LIMITED: "Too many frames too fast; this frame was dropped unread.",
    ErrorCode.HELLO_REQUIRED: "The first frame on a connection must be `hello`.",
    ErrorCode.ALREADY_JOINED: "This connection already said `hello`.",
    ErrorCode.INVALID_TOKEN: "The token is not a valid seat or facilitator token.",
    ErrorCode.UNKNOWN_ROOM: "No room has that id.",
    ErrorCode.FORBIDDEN: "Your role may not do this (for example an observer sending a move).",
    ErrorCode.SEAT_BUSY: "The seat already has as many open connections as the server allows "
    "(4 by default); close one, then say `hello` again.",
    ErrorCode.NOT_STARTED: "The room has not started: both seats must join first.",
    ErrorCode.ROOM_PAUSED: "The facilitator has paused the room.",
    ErrorCode.ROOM_ENDED: "The room has ended, or its deadline has passed (the expiry is "
    "being recorded); nothing more can happen in it.",
    ErrorCode.NOT_YOUR_TURN: "The scenario takes turns and the next offer is the counterpart's.",
    ErrorCode.INVALID_TERMS: "The terms miss an issue, name an unknown one, or hold a value "
    "outside its issue's domain.",
    ErrorCode.NOT_A_CONCESSION: "A `concede` whose terms the referee does not find to be a "
    "concession on the sender's previous offer.",
    ErrorCode.NO_STANDING_OFFER: "The counterpart has no standing offer to accept or reject.",
    ErrorCode.STALE_OFFER: "The `offer` seq is not the counterpart's standing offer.",
    ErrorCode.INVALID_ACTION: "A facilitator action that cannot apply: a bad argument (a "
    "non-positive extension, empty text) or the wrong phase (resume when not paused).",
    ErrorCode.MESSAGE_LIMIT: "The role's messages in this room have reached the room's limit "
    "(200,000 characters per role); offers, accept, reject and walk away still work.",
    ErrorCode.NO_PENDING_APPROVAL: "An approval decision for a request that is not pending: "
    "unknown, already decided, or replaced by a newer move of that role.",
    ErrorCode.UNAVAILABLE: "The event log could not make the move durable; retry the same id.",
    ErrorCode.INTERNAL_ERROR: "A server bug. Retry the same id: if the move was applied, the "
    "retry is acknowledged with its seq; if not, it is applied once.",
}


class CloseCode(enum.IntEnum):
    """WebSocket close codes the server uses (RFC 6455 section 7.4)."""

    GOING_AWAY = 1001
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    HELLO_TIMEOUT = 4001
    SLOW_CONSUMER = 4002


CLOSE_MEANINGS: dict[CloseCode, str] = {
    CloseCode.GOING_AWAY: "The server is shutting down; reconnect and resume by seq.",
    CloseCode.POLICY_VIOLATION: "Protocol abuse: the client kept flooding after `rate_limited` "
    "errors.",
    CloseCode.MESSAGE_TOO_BIG: "A frame above the hard size cap (4 MiB); the WebSocket layer "
    "cannot read past it.",
    CloseCode.HELLO_TIMEOUT: "No accepted `hello` within the server's hello timeout (10 s by "
    "default) of opening the connection.",
    CloseCode.SLOW_CONSUMER: "The client read too slowly and its send queue overflowed; "
    "reconnect and resume by seq.",
}
