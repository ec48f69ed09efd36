"""dealroom.protocol.schema: the exported JSON Schema describes the real frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# jsonschema is a test-only dependency (not in pyproject's `test` extra yet).
import jsonschema
import msgspec
import pytest

from dealroom.protocol.schema import schema

from .samples import (
    CLIENT_FRAMES,
    EVENTS,
    HELLOS,
    MOVES,
    PINGS,
    PONGS,
    REPLIES,
    SERVER_FRAMES,
    WELCOMES,
    frame_id,
    wire,
)

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "protocol" / "schema.json"


def as_json(value: Any) -> Any:
    """``value`` as it reads back from a JSON file (tuples become lists)."""
    return json.loads(json.dumps(value))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return schema()


@pytest.fixture(scope="module")
def validator(document: dict[str, Any]) -> Any:
    return jsonschema.Draft202012Validator(document)


def family(document: dict[str, Any], name: str) -> Any:
    """A validator for one frame family (``ClientMove``, ``ServerEvent`` ...)."""
    return jsonschema.Draft202012Validator({**document, "oneOf": [{"$ref": f"#/$defs/{name}"}]})


def test_schema_is_valid_json_schema_2020_12(document: dict[str, Any]) -> None:
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)
    json.dumps(document)  # and serialisable as it is


def test_schema_has_one_definition_per_frame_family(document: dict[str, Any]) -> None:
    families = (
        "ClientHello",
        "ClientMove",
        "ClientPing",
        "ServerWelcome",
        "ServerAck",
        "ServerError",
        "ServerPong",
        "ServerEvent",
    )
    assert set(families) <= document["$defs"].keys()
    assert [entry["$ref"] for entry in document["oneOf"]] == [
        f"#/$defs/{name}" for name in families
    ]


@pytest.mark.parametrize("frame", [*CLIENT_FRAMES, *SERVER_FRAMES], ids=frame_id)
def test_real_frames_validate(validator: Any, frame: msgspec.Struct) -> None:
    validator.validate(wire(frame))


@pytest.mark.parametrize(
    ("name", "frames"),
    [
        ("ClientHello", HELLOS),
        ("ClientMove", MOVES),
        ("ClientPing", PINGS),
        ("ServerWelcome", WELCOMES),
        ("ServerAck", REPLIES[:2]),
        ("ServerError", REPLIES[2:]),
        ("ServerPong", PONGS),
        ("ServerEvent", EVENTS),
    ],
)
def test_each_frame_matches_its_family(
    document: dict[str, Any], name: str, frames: list[msgspec.Struct]
) -> None:
    check = family(document, name)
    for frame in frames:
        check.validate(wire(frame))


def test_every_move_and_event_kind_is_in_the_schema(document: dict[str, Any]) -> None:
    move_kinds = set(document["$defs"]["ClientMove"]["discriminator"]["mapping"])
    event_kinds = set(document["$defs"]["ServerEvent"]["discriminator"]["mapping"])
    assert move_kinds == {wire(m)["kind"] for m in MOVES}
    assert event_kinds == {wire(e)["kind"] for e in EVENTS}


def test_offer_event_schema_uses_the_wire_name_class(document: dict[str, Any]) -> None:
    offered = document["$defs"]["Offered"]
    assert "class" in offered["properties"]
    assert "class" in offered["required"]
    assert "offer_class" not in offered["properties"]


REJECTED: list[tuple[str, Any]] = [
    ("unknown move kind", {"type": "move", "id": "m1", "kind": "bribe"}),
    ("move without id", {"type": "move", "kind": "walk_away"}),
    ("empty move id", {"type": "move", "id": "", "kind": "walk_away"}),
    ("offer without terms", {"type": "move", "id": "m1", "kind": "offer"}),
    ("float term", {"type": "move", "id": "m1", "kind": "offer", "terms": {"price": 1.5}}),
    ("accept offer 0", {"type": "move", "id": "m1", "kind": "accept", "offer": 0}),
    (
        "bad intent",
        {"type": "move", "id": "m1", "kind": "message", "text": "x", "intent": "threat"},
    ),
    ("hello without token", {"type": "hello"}),
    ("ping with empty id", {"type": "ping", "id": ""}),
    ("ping with long id", {"type": "ping", "id": "x" * 65}),
    ("ping with numeric id", {"type": "ping", "id": 7}),
    ("pong without seq", {"type": "pong", "id": None, "server_time": 1}),
    ("negative resume_after", {"type": "hello", "token": "t", "resume_after": -1}),
    ("unknown type", {"type": "subscribe"}),
    ("no type", {"token": "t"}),
    ("not a map", ["hello"]),
    ("ack with string seq", {"type": "ack", "id": "m1", "seq": "8"}),
    ("error with unknown code", {"type": "error", "id": None, "code": "oops", "message": "x"}),
    ("unknown event kind", {"type": "event", "kind": "party", "seq": 1, "at": 1, "by": "system"}),
    (
        "offer event named offer_class",
        {
            "type": "event",
            "kind": "offer",
            "seq": 3,
            "at": 1,
            "by": "buyer",
            "move": "m1",
            "terms": {},
            "offer_class": "opening",
        },
    ),
    (
        "ended with unknown outcome",
        {"type": "event", "kind": "ended", "seq": 9, "at": 1, "by": "system", "outcome": "won"},
    ),
]


@pytest.mark.parametrize(("label", "instance"), REJECTED, ids=[r[0] for r in REJECTED])
def test_schema_rejects_invalid_frames(validator: Any, label: str, instance: Any) -> None:
    assert not validator.is_valid(instance), label


# The keywords that decide which frames a schema accepts, as every msgspec
# release since 0.19 renders them. Left out: annotations (description, title),
# which do not change what validates, and propertyNames, which msgspec 0.23
# began to render for dicts keyed by an enum (the sample frames below check
# that the committed file accepts and refuses what the code does).
CONTRACT = frozenset(
    {
        "$defs",
        "$ref",
        "additionalProperties",
        "anyOf",
        "const",
        "discriminator",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "format",
        "items",
        "mapping",
        "maxItems",
        "maxLength",
        "maximum",
        "minItems",
        "minLength",
        "minimum",
        "oneOf",
        "pattern",
        "prefixItems",
        "propertyName",
        "properties",
        "required",
        "type",
    }
)


def contract(node: Any, *, named: bool = False) -> Any:
    """What in a schema decides what validates (``named``: keys are names, not keywords)."""
    if isinstance(node, dict):
        return {
            key: contract(value, named=key in ("properties", "$defs", "mapping"))
            for key, value in node.items()
            if named or key in CONTRACT
        }
    if isinstance(node, list):
        return [contract(item) for item in node]
    return node


def committed() -> dict[str, Any]:
    assert SCHEMA_FILE.exists(), (
        "protocol/schema.json is missing: run `dealroom protocol schema --out protocol/schema.json`"
    )
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_committed_schema_file_is_up_to_date(document: dict[str, Any]) -> None:
    assert contract(committed()) == contract(as_json(document)), (
        "protocol/schema.json is stale: run `dealroom protocol schema --out protocol/schema.json`"
    )


def test_the_contract_sees_what_matters(document: dict[str, Any]) -> None:
    """A changed field type, a new field or a dropped enum value is stale; a reworded doc is not."""
    reworded = as_json(document)
    reworded["$defs"]["Offered"]["description"] = "Reworded."
    assert contract(reworded) == contract(as_json(document))
    for change in (
        lambda d: d["$defs"]["Offered"]["properties"].pop("class"),
        lambda d: d["$defs"]["Offered"]["properties"].update(extra={"type": "string"}),
        lambda d: d["$defs"]["Outcome"]["enum"].pop(),
        lambda d: d["$defs"]["Hello"]["required"].append("name"),
    ):
        changed = as_json(document)
        change(changed)
        assert contract(changed) != contract(as_json(document))


@pytest.mark.parametrize("frame", [*CLIENT_FRAMES, *SERVER_FRAMES], ids=frame_id)
def test_the_committed_file_accepts_real_frames(frame: msgspec.Struct) -> None:
    jsonschema.Draft202012Validator(committed()).validate(wire(frame))


@pytest.mark.parametrize(("label", "instance"), REJECTED, ids=[r[0] for r in REJECTED])
def test_the_committed_file_rejects_invalid_frames(label: str, instance: Any) -> None:
    assert not jsonschema.Draft202012Validator(committed()).is_valid(instance), label
