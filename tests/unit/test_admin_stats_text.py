"""The /stats text built from given figures: every line, the shares, the median pain change,
and the order of the worst-rated entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.dialogue.stats import KINDS, WORST_ENTRIES, Stats
from bot.store.model import FinishedSession

DAY = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)


def session(before: int | None, after: int | None, completed: bool = True) -> FinishedSession:
    return FinishedSession(
        7, "beginner", "weeks-1-2", DAY, DAY + timedelta(minutes=12), before, after, 7, 0, completed
    )


def stats(
    *,
    users: int = 0,
    questions: dict[str, int] | None = None,
    feedback: dict[str, tuple[int, int]] | None = None,
    sessions: list[FinishedSession] | None = None,
    active: int = 0,
) -> list[str]:
    return Stats(users, questions or {}, feedback or {}, sessions or [], active).lines()


def test_an_empty_store_gives_the_four_basic_lines_only() -> None:
    assert stats() == [
        "<b>Statistics</b>",
        "Users: 0",
        "Questions asked: 0",
        "Routines started: 0, finished: 0",
    ]


def test_the_question_kinds_are_shown_as_rounded_shares_in_a_fixed_order() -> None:
    lines = stats(users=3, questions={"fallback": 1, "answer": 2, "urgent": 5})
    assert lines[:4] == [
        "<b>Statistics</b>",
        "Users: 3",
        "Questions asked: 8",
        "  answer 25 %, clarify 0 %, fallback 12 %, urgent 62 %, smalltalk 0 %",
    ]
    assert KINDS == ("answer", "clarify", "fallback", "urgent", "smalltalk")


def test_started_routines_count_the_unfinished_ones_and_finished_only_completed_ones() -> None:
    lines = stats(sessions=[session(5, 3), session(4, None, completed=False)], active=2)
    assert "Routines started: 4, finished: 1" in lines


def test_the_median_pain_change_counts_completed_sessions_with_both_scores() -> None:
    lines = stats(
        sessions=[
            session(5, 3),  # -2
            session(4, 5),  # +1
            session(6, 2),  # -4
            session(2, 9, completed=False),  # not finished: left out
            session(None, 3),  # no starting score: left out
        ]
    )
    assert lines[-1] == "Median pain change (after − before): -2"


def test_a_median_between_two_changes_keeps_its_half_and_its_sign() -> None:
    lines = stats(sessions=[session(3, 4), session(3, 5)])
    assert lines[-1] == "Median pain change (after − before): +1.5"
    flat = stats(sessions=[session(3, 3)])
    assert flat[-1] == "Median pain change (after − before): +0"


def test_no_median_line_without_a_session_scored_before_and_after() -> None:
    lines = stats(sessions=[session(None, 4), session(4, None)])
    assert not any(line.startswith("Median") for line in lines)


def test_rated_entries_are_listed_worst_ratio_first_then_most_votes_then_by_name() -> None:
    lines = stats(
        feedback={
            "b-entry": (1, 1),  # 50 % of 2
            "a-entry": (1, 1),  # 50 % of 2, same: by name
            "many": (2, 2),  # 50 % of 4: more votes first
            "good": (3, 0),  # 100 %
            "single": (1, 0),  # 100 % of 1: fewer votes, after "good"
            "bad": (0, 3),  # 0 %
        }
    )
    header = lines.index("<b>Helpful ratio per entry, worst first</b>")
    assert lines[header - 1] == ""
    assert lines[header + 1 :] == [
        "bad: 0 % of 3",
        "many: 50 % of 4",
        "a-entry: 50 % of 2",
        "b-entry: 50 % of 2",
        "good: 100 % of 3",
        "single: 100 % of 1",
    ]


def test_only_the_ten_worst_entries_are_listed() -> None:
    feedback = {f"entry-{n:02d}": (n, 20 - n) for n in range(15)}
    lines = stats(feedback=feedback)
    header = lines.index("<b>Helpful ratio per entry, worst first</b>")
    listed = lines[header + 1 :]
    assert WORST_ENTRIES == 10
    assert [line.split(":")[0] for line in listed] == [f"entry-{n:02d}" for n in range(10)]
    assert listed[1] == "entry-01: 5 % of 20"


def test_an_entry_id_is_escaped_in_the_html() -> None:
    lines = stats(feedback={"a<b>&c": (1, 0)})
    assert lines[-1] == "a&lt;b&gt;&amp;c: 100 % of 1"
