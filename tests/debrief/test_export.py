"""Exports: CSV per room and JSON Lines per event, and the JSONL round trip."""

from __future__ import annotations

import asyncio
import csv
import io

from dealroom.server.cli import main as cli
from dealroom.server.debrief import CSV_COLUMNS, analyse_room, events_jsonl, read_jsonl, rooms_csv
from tests.serverproc import TOKEN, Process

from .test_analysis import _example_room


def test_jsonl_round_trip_reproduces_the_analysis() -> None:
    table = _example_room()
    text = events_jsonl({"r1": table.log})
    assert len(text.splitlines()) == len(table.log)
    rooms = read_jsonl(text)
    assert rooms["r1"] == table.log
    assert analyse_room(rooms["r1"]) == analyse_room(table.log)


def test_csv_has_one_row_per_room() -> None:
    analysis = analyse_room(_example_room().log)
    rows = list(csv.DictReader(io.StringIO(rooms_csv([analysis, analysis]))))
    assert len(rows) == 2 and tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["outcome"] == "agreed" and float(rows[0]["joint"]) == 102.5
    assert rows[0]["buyer_growing_concessions"] == "2" and rows[0]["buyer_questions"] == "2"


def test_dealroom_export_from_a_running_server(process: Process, tmp_path) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(process.start())
    workshop = asyncio.run(
        process.api("POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 3})
    )
    out = tmp_path / "events.jsonl"
    args = ["export", workshop["id"], "--url", process.base, "--token", TOKEN]
    assert cli([*args, "--format", "jsonl", "--out", str(out)]) == 0
    rooms = read_jsonl(out.read_text())
    assert sorted(rooms) == sorted(r["id"] for r in workshop["rooms"])
    table = tmp_path / "rooms.csv"
    assert cli([*args, "--out", str(table)]) == 0
    assert len(table.read_text().splitlines()) == 4
    assert cli(["export", "w-none", "--url", process.base, "--token", TOKEN]) == 1


def test_dealroom_export_says_when_the_server_is_unreachable(capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["export", "w1", "--url", "http://127.0.0.1:9", "--token", TOKEN]
    assert cli(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("dealroom: error: cannot reach the server at http://127.0.0.1:9")
    assert "Traceback" not in err
