"""Tokens: seat tokens that cannot be forged, and the facilitator's token.

A seat token is ``ROOM.ROLE.MAC`` where MAC is an HMAC-SHA256 of the room and
role under the server's secret: changing the room or the role breaks the MAC,
so a token opens one seat of one room and nothing else. Tokens are stateless,
so every node that shares the secret accepts them. The secret and the
facilitator token live under the data dir (``keyfiles``), created on first start.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from .keyfiles import MIN_SECRET_BYTES

__all__ = ["FacilitatorAccess", "Seat", "SeatRole", "Tokens"]

SeatRole = Literal["buyer", "seller", "observer"]
SEAT_ROLES: tuple[SeatRole, ...] = ("buyer", "seller", "observer")


@dataclass(frozen=True, slots=True)
class Seat:
    """A verified seat token."""

    room: str
    role: SeatRole


@dataclass(frozen=True, slots=True)
class FacilitatorAccess:
    """The facilitator token was presented."""


class Tokens:
    """Issues and verifies seat tokens; checks the facilitator token."""

    def __init__(self, secret: bytes, facilitator_token: str) -> None:
        # Last line of defence: an empty key makes every MAC computable by anyone,
        # and an empty facilitator token would match an empty bearer header.
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the seat-token secret must be at least {MIN_SECRET_BYTES} bytes")
        if not facilitator_token:
            raise ValueError("the facilitator token must not be empty")
        self._secret = secret
        self._facilitator = facilitator_token.encode()

    def _mac(self, room: str, role: str) -> str:
        digest = hmac.new(self._secret, f"seat\x00{room}\x00{role}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()[:18]).decode()

    def seat(self, room: str, role: SeatRole) -> str:
        """The token of ``role``'s seat in ``room``."""
        return f"{room}.{role}.{self._mac(room, role)}"

    def open_link(self, workshop: str) -> str:
        """The token of a workshop's open link (it hands out seats; it is not a seat)."""
        return self._workshop_token(workshop, "open")

    def verify_open_link(self, token: str) -> str | None:
        """The workshop an open-link token belongs to, or None."""
        return self._verify_workshop_token(token, "open")

    def projector(self, workshop: str) -> str:
        """The token of a workshop's projector view: aggregate figures only, no private text."""
        return self._workshop_token(workshop, "projector")

    def verify_projector(self, token: str) -> str | None:
        """The workshop a projector token belongs to, or None."""
        return self._verify_workshop_token(token, "projector")

    def _workshop_token(self, workshop: str, kind: str) -> str:
        return f"{workshop}.{kind}.{self._mac(workshop, kind)}"

    def _verify_workshop_token(self, token: str, kind: str) -> str | None:
        parts = token.split(".")
        if len(parts) != 3 or parts[1] != kind:
            return None
        workshop, _, mac = parts
        return workshop if _same(mac, self._mac(workshop, kind)) else None

    def is_facilitator(self, token: str) -> bool:
        """Constant-time check of the facilitator token."""
        return hmac.compare_digest(token.encode(), self._facilitator)

    def verify(self, token: str) -> Seat | FacilitatorAccess | None:
        """What ``token`` grants, or None if it is not valid."""
        if self.is_facilitator(token):
            return FacilitatorAccess()
        parts = token.split(".")
        if len(parts) != 3:
            return None
        room, role, mac = parts
        for seat_role in SEAT_ROLES:
            if role == seat_role and _same(mac, self._mac(room, role)):
                return Seat(room=room, role=seat_role)
        return None


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of a token part with the expected MAC.

    As bytes: ``hmac.compare_digest`` raises on a ``str`` with non-ASCII
    characters, and any text at all may arrive in a token.
    """
    return hmac.compare_digest(given.encode(), expected.encode())
