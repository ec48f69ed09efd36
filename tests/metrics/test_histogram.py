"""The fixed-bucket histogram counts as prometheus_client's own Histogram does."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry
from prometheus_client import Histogram as ClientHistogram

from dealroom.server.metrics import LATENCY_BOUNDS, Histogram


def test_a_bound_is_inclusive_and_the_last_bucket_takes_the_rest() -> None:
    histogram = Histogram((0.1, 1.0))
    for seconds in (0.0, 0.1, 0.5, 1.0, 7.0):
        histogram.observe(seconds)
    assert histogram.cumulative() == [(0.1, 2), (1.0, 4), (math.inf, 5)]
    assert histogram.count == 5
    assert histogram.sum == pytest.approx(8.6)


def test_bounds_must_increase() -> None:
    with pytest.raises(ValueError):
        Histogram((1.0, 0.5))
    with pytest.raises(ValueError):
        Histogram((0.5, 0.5))


@given(st.lists(st.floats(min_value=0, max_value=20, allow_nan=False)))
def test_same_buckets_as_prometheus_client(samples: list[float]) -> None:
    ours = Histogram()
    theirs = ClientHistogram("t", "t", buckets=LATENCY_BOUNDS, registry=CollectorRegistry())
    for seconds in samples:
        ours.observe(seconds)
        theirs.observe(seconds)
    [family] = theirs.collect()
    buckets = [s.value for s in family.samples if s.name == "t_bucket"]
    assert [count for _, count in ours.cumulative()] == buckets
    assert ours.sum == pytest.approx(sum(samples))
