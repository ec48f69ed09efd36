"""The compiled domain answers exactly as the definitions it speeds up (property tests)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dealroom.protocol import Role, Scenario
from dealroom.server.referee.classify import classify
from dealroom.server.referee.domain import Domain
from dealroom.server.scenarios import builtin_scenarios
from tests.support import small_scenario

SCENARIOS: list[Scenario] = [*builtin_scenarios().values(), small_scenario()]


@st.composite
def packages(draw: st.DrawFn, scenario: Scenario, valid: bool = True) -> dict[str, Any]:
    terms: dict[str, Any] = {}
    for issue in scenario.issues:
        if valid or draw(st.booleans()):
            terms[issue.id] = issue.value_at(draw(st.integers(0, issue.size() - 1)))
        else:  # anything a client might send: off-step, out of range, wrong type, a bool
            terms[issue.id] = draw(
                st.one_of(
                    st.integers(-(10**7), 10**7),
                    st.text(max_size=8),
                    st.booleans(),
                    st.sampled_from([*issue.options, "1 year ", str(issue.min)]),
                )
            )
    return terms


@st.composite
def cases(draw: st.DrawFn, valid: bool = True) -> tuple[Scenario, Role, dict[str, Any], Any]:
    scenario = draw(st.sampled_from(SCENARIOS))
    role: Role = draw(st.sampled_from(["buyer", "seller"]))
    return scenario, role, draw(packages(scenario, valid)), draw(packages(scenario))


@settings(max_examples=400)
@given(cases(valid=False))
def test_ranks_refuse_exactly_what_the_issues_refuse(case: Any) -> None:
    scenario, _, terms, _ = case
    ranks = Domain.of(scenario).ranks(terms)
    problems = [issue.check(terms[issue.id]) for issue in scenario.issues]
    assert (ranks is None) == any(p is not None for p in problems)
    if ranks is not None:
        assert ranks == tuple(issue.rank(terms[issue.id]) for issue in scenario.issues)


@settings(max_examples=400)
@given(cases(valid=False))
def test_judge_refuses_exactly_what_the_issues_refuse(case: Any) -> None:
    scenario, role, terms, previous = case
    domain = Domain.of(scenario)
    judged = domain.judge(role, terms, domain.ranks(previous))
    assert (judged is None) == (domain.ranks(terms) is None)


@settings(max_examples=400)
@given(cases())
def test_judge_answers_the_definitions(case: Any) -> None:
    scenario, role, terms, previous = case
    domain = Domain.of(scenario)
    before = domain.ranks(previous)
    judged, opening = domain.judge(role, terms, before), domain.judge(role, terms, None)
    assert judged is not None and opening is not None
    assert judged.ranks == opening.ranks == domain.ranks(terms)
    assert judged.offer_class == classify(scenario, role, previous, terms)
    assert opening.offer_class == classify(scenario, role, None, terms)
    assert judged.beyond == opening.beyond == scenario.beyond_authority(role, terms)
