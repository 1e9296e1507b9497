"""Quality floors for the question matcher, counted on the held-out evaluation files
(tests/data/heldout.yaml, heldout2.yaml) as `hipbot kb eval` counts them. Counts, not timings.

The files are never used to tune the matcher; the floors sit a little under what it reached
when they were set (heldout: 161, 169, 3 of 174 in scope, 31/31 NONE, 25/25 URGENT;
heldout2: 212, 214, 3 of 218, 42/46 NONE, 9/9 URGENT), so that a change that costs accuracy
fails CI while a phrasing edit that moves one question does not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.answering import Answerer
from bot.curation.evaluation import Report, evaluate, load_cases

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Floors:
    """Shares (0-1) a report must reach, and the most it may miss."""

    answered_right: float
    right_among_candidates: float
    answered_wrong: float
    none_right: float
    urgent_right: float
    false_urgent: int


FLOORS = {
    "heldout.yaml": Floors(0.90, 0.95, 0.035, 0.93, 0.96, 1),
    "heldout2.yaml": Floors(0.95, 0.96, 0.03, 0.87, 0.88, 1),
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def measured(request: pytest.FixtureRequest, answerer: Answerer) -> tuple[Report, Floors]:
    name: str = request.param
    return evaluate(answerer, load_cases(DATA / name)), FLOORS[name]


def test_in_scope_questions_are_answered_right(measured: tuple[Report, Floors]) -> None:
    report, floors = measured
    assert report.answered_right >= floors.answered_right * report.in_scope, report.lines()


def test_the_right_entry_is_answered_or_among_the_clarify_candidates(
    measured: tuple[Report, Floors],
) -> None:
    report, floors = measured
    among = report.right_among_candidates
    assert among >= floors.right_among_candidates * report.in_scope, report.lines()


def test_few_in_scope_questions_get_a_wrong_answer(measured: tuple[Report, Floors]) -> None:
    report, floors = measured
    assert report.answered_wrong <= floors.answered_wrong * report.in_scope, report.lines()


def test_out_of_scope_questions_get_the_plain_fallback(measured: tuple[Report, Floors]) -> None:
    report, floors = measured
    assert report.none_right >= floors.none_right * report.none_total, report.lines()


def test_urgent_questions_get_the_safety_message_and_others_no_alarm(
    measured: tuple[Report, Floors],
) -> None:
    report, floors = measured
    assert report.urgent_right >= floors.urgent_right * report.urgent_total, report.lines()
    assert report.false_urgent <= floors.false_urgent, report.lines()


def test_the_files_hold_enough_questions_of_each_kind(measured: tuple[Report, Floors]) -> None:
    report, _ = measured
    assert report.in_scope >= 150
    assert report.none_total >= 30
    assert report.urgent_total >= 9
