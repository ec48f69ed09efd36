"""dealroom.bots: a protocol v1 client, negotiating strategies, personas, and the load tool."""

from __future__ import annotations

from .client import Client, ClientClosed, MoveRefused

__all__ = ["Client", "ClientClosed", "MoveRefused"]
