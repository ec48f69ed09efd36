"""`benchmarks/run.py --quick` against a real dealroom server and the bare relay: the records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_quick_benchmark_records_every_measurement(tmp_path: Path) -> None:
    out = tmp_path / "bench.jsonl"
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    by = {(r["measurement"], r["target"]): r for r in records}
    assert set(by) == {
        ("tp100", "dealroom"),
        ("tp100", "relay"),
        ("tp100", "ratio"),
        ("open200", "dealroom"),
        ("open200", "relay"),
        ("idle100", "dealroom"),
        ("idle100", "relay"),
    }
    machine = records[0]["machine"]
    assert machine["cpu_model"] and machine["kernel"] and machine["python"] and machine["git"]
    assert machine["versions"]["picows"] and machine["versions"]["hdrhistogram"]
    for (name, target), record in by.items():
        if target == "ratio":
            assert record["moves_per_server_cpu_s_ratio"] > 0
            continue
        report = record["report"]
        assert record["generator_exit"] == 0, record["generator_stderr_tail"]
        assert record["server_cpu_s"] >= 0 and record["window_s"] > 0
        assert record["server_waited_for_cpu_s"] >= 0
        assert report["tool_cpu"]["workers"] and "saturated" in report["tool_cpu"]
        if name == "tp100":
            assert report["moves_acked"] > 0 and record["moves_per_server_cpu_s"] > 0
        if name == "open200":
            assert report["moves_scheduled"] == report["moves_sent"] == 200 * 2 * 3
            assert report["moves_delivered"] == report["moves_scheduled"]
            assert set(report["delivery_ms"]) >= {"p50", "p90", "p99", "p99_9", "max"}
        if name == "idle100":
            assert record["kib_per_connection"] > 0
    assert "| tp100 | dealroom / relay |" in done.stdout


def test_the_floor_and_the_collections_inside_the_play_window(tmp_path: Path) -> None:
    """``--floor`` adds the durable relay beside the bare one; the gc trace, each server's
    collections while its moves were timed."""
    trace = tmp_path / "gc"
    trace.mkdir()
    out = tmp_path / "bench.jsonl"
    env = {
        **__import__("os").environ,
        "DEALROOM_GC_TRACE_DIR": str(trace),
        "PYTHONPATH": str(ROOT / "benchmarks" / "gc_trace"),
    }
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--only=tp100", "--floor", f"--out={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    records = {r["target"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {"dealroom", "relay", "durable-relay", "ratio", "floor"}
    durable = records["durable-relay"]
    assert durable["generator_exit"] == 0, durable["generator_stderr_tail"]
    assert durable["report"]["moves_acked"] > 0 and durable["moves_per_server_cpu_s"] > 0
    assert records["floor"]["moves_per_server_cpu_s_ratio"] > 0
    assert "| tp100 | durable-relay / relay |" in done.stdout
    for target in ("dealroom", "relay", "durable-relay"):  # collections while timed
        window = records[target]["window_s"]
        for generation, figures in records[target]["gc_in_window"].items():
            assert generation in ("gen0", "gen1", "gen2")
            assert figures["count"] >= 1 and 0 <= figures["max_ms"] <= figures["total_ms"]
            assert figures["total_ms"] < window * 1000
    # Every process the run started wrote its trace: the servers and the load tool.
    traces = list(trace.glob("gc.*"))
    assert len(traces) >= 3
    assert any(line.split()[1] in "012" for t in traces for line in t.read_text().splitlines())
