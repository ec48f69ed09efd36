"""JSON Schema of every protocol v1 frame, exported from the Struct declarations.

The frame families use different tag fields (``type`` for hello/ping/welcome/
ack/error/pong, ``kind`` for moves and events), so each family is exported as its own
component (msgspec cannot export one union mixing tag fields).
"""

from __future__ import annotations

import inspect
from typing import Any

import msgspec

from .events import Event
from .frames import Ack, Error, Hello, Move, Ping, Pong, Welcome
from .version import PROTOCOL_VERSION, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK

__all__ = ["schema"]

_FAMILIES: dict[str, Any] = {
    "ClientHello": Hello,
    "ClientMove": Move,
    "ClientPing": Ping,
    "ServerWelcome": Welcome,
    "ServerAck": Ack,
    "ServerError": Error,
    "ServerPong": Pong,
    "ServerEvent": Event,
}


def schema() -> dict[str, Any]:
    """One JSON Schema (2020-12) document with a definition per frame family."""
    roots, components = msgspec.json.schema_components(
        list(_FAMILIES.values()), ref_template="#/$defs/{name}"
    )
    defs = dict(components)
    for name, root in zip(_FAMILIES, roots, strict=True):
        defs[name] = root
    _clean_descriptions(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"dealroom wire protocol v{PROTOCOL_VERSION}",
        "description": (
            f"Frames on the /ws endpoint, subprotocols {SUBPROTOCOL_JSON} (JSON text frames) "
            f"and {SUBPROTOCOL_MSGPACK} (MessagePack binary frames, same field names). "
            "A client sends ClientHello first, then ClientMove frames, and ClientPing at any "
            "time; the server sends ServerWelcome, then ServerEvent, ServerAck and ServerError "
            "frames, and a ServerPong per ClientPing."
        ),
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in _FAMILIES],
        "$defs": dict(sorted(defs.items())),
    }


def _clean_descriptions(node: Any) -> None:
    """Docstrings as :func:`inspect.cleandoc` reads them, whichever msgspec rendered them.

    msgspec 0.23 de-indents docstrings and older releases did not: the schema
    says the same either way, so it is written the same either way.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = inspect.cleandoc(value)
            else:
                _clean_descriptions(value)
    elif isinstance(node, list):
        for item in node:
            _clean_descriptions(item)
