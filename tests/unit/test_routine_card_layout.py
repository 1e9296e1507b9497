"""The routine card of each phase, built directly: its text, and every button's label, action
and the session and step it is bound to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core import routine as rt
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.context import menu
from bot.dialogue.replies import Button
from bot.dialogue.routine_cards import (
    Session,
    back_to_routine,
    card_key,
    pain_rows,
    routine_data,
    session_card,
    session_data,
    session_tag,
    step_picture,
)
from tests.unit.dialogue_chat import GLUTE_BRIDGE, START, USER

Rows = Sequence[Sequence[Button]]


def beginner(kb: KnowledgeBase, *events: rt.Event, pain: int = 4) -> Session:
    """The beginner routine at "Weeks 1-2": checklist cleared, starting pain given, then
    `events`."""
    routine = kb.routines["beginner"]
    state = rt.start(routine, "weeks-1-2", START)
    for event in (rt.SafetyClear(), rt.Pain(pain), *events):
        result = rt.transition(routine, state, event, START)
        assert result.notice not in (rt.Notice.NOT_NOW, rt.Notice.INVALID_PAIN), event
        state = result.state
    return Session(routine, state, USER)


def at_safety_check(kb: KnowledgeBase) -> Session:
    routine = kb.routines["beginner"]
    return Session(routine, rt.start(routine, "weeks-1-2", START), USER)


def layout(rows: Rows) -> list[list[tuple[str, str]]]:
    """Each row as (label, action) pairs; the action is the button's action or pain value."""
    out: list[list[tuple[str, str]]] = []
    for row in rows:
        pairs: list[tuple[str, str]] = []
        for button in row:
            action = cb.parse(button.data)
            match action:
                case cb.RoutineButton(name):
                    pairs.append((button.label, name))
                case cb.PainScore(value):
                    pairs.append((button.label, str(value)))
                case _:
                    pairs.append((button.label, button.data))
        out.append(pairs)
    return out


def assert_bound_to(rows: Rows, session: Session) -> None:
    """Every routine and pain button names this session and the card it is at now."""
    for row in rows:
        for button in row:
            action = cb.parse(button.data)
            assert isinstance(action, cb.RoutineButton | cb.PainScore), button
            assert (action.session, action.card) == (session.tag, session.card), button


DONE = (msg.DONE_LABEL, "done")
SKIP = (msg.SKIP_LABEL, "skip")
TIMER = (msg.TIMER_LABEL, "timer")
BACK = (msg.BACK_STEP_LABEL, "back")
HURTS = (msg.HURTS_LABEL, "hurt")
MORE = (msg.MORE_LABEL, "more")
PAUSE = (msg.PAUSE_LABEL, "pause")
STOP = (msg.STOP_LABEL, "stop")


def card(
    kb: KnowledgeBase,
    session: Session,
    notice: rt.Notice = rt.Notice.NEXT_STEP,
    *,
    summary: rt.Summary | None = None,
    tier: str | None = None,
    note: str = "",
    cause: str = "",
    full: bool = False,
    pictured: bool = False,
) -> tuple[str, list[list[tuple[str, str]]]]:
    text, rows = session_card(kb, session, notice, summary, tier, note, cause, full, pictured)
    return text, layout(rows)


def test_the_first_step_offers_done_skip_it_hurts_pause_and_stop_but_no_back(
    kb: KnowledgeBase,
) -> None:
    session = beginner(kb)
    text, rows = session_card(kb, session, rt.Notice.STARTED, None, None, "", "", False, False)
    assert layout(rows) == [[DONE, SKIP], [HURTS], [PAUSE, STOP]]
    assert_bound_to(rows, session)
    view = rt.step_view(session.routine, session.state)
    assert view is not None
    assert text == msg.step_card(session.routine, view, "", timer_running=False, caption=False)


def test_a_later_step_puts_back_before_it_hurts(kb: KnowledgeBase) -> None:
    session = beginner(kb, rt.Done())
    _, rows = session_card(kb, session, rt.Notice.NEXT_STEP, None, None, "", "", False, False)
    assert layout(rows) == [[DONE, SKIP], [BACK, HURTS], [PAUSE, STOP]]
    assert_bound_to(rows, session)


def test_a_step_with_a_hold_offers_the_timer_after_skip(kb: KnowledgeBase) -> None:
    session = beginner(kb, *[rt.Done()] * GLUTE_BRIDGE)
    assert card(kb, session)[1] == [[DONE, SKIP, TIMER], [BACK, HURTS], [PAUSE, STOP]]


def test_a_pictured_step_adds_more_after_it_hurts(kb: KnowledgeBase) -> None:
    first = beginner(kb)
    assert card(kb, first, pictured=True)[1] == [[DONE, SKIP], [HURTS, MORE], [PAUSE, STOP]]
    second = beginner(kb, rt.Done())
    assert card(kb, second, pictured=True)[1][1] == [BACK, HURTS, MORE]


def test_while_the_timer_runs_only_done_it_hurts_pause_and_stop_are_offered(
    kb: KnowledgeBase,
) -> None:
    session = beginner(kb, *[rt.Done()] * GLUTE_BRIDGE, rt.StartTimer())
    assert session.state.phase == rt.Phase.TIMER
    text, rows = session_card(kb, session, rt.Notice.TIMER_STARTED, None, None, "", "", False, True)
    assert layout(rows) == [[DONE], [HURTS, MORE], [PAUSE, STOP]]
    assert_bound_to(rows, session)
    view = rt.step_view(session.routine, session.state)
    assert view is not None
    assert text == msg.step_card(session.routine, view, "", timer_running=True, caption=True)


@pytest.mark.parametrize(
    ("notice", "note"),
    [
        (rt.Notice.TIME_UP, msg.NOTE_TIME_UP),
        (rt.Notice.HURT_OK, msg.NOTE_HURT_OK),
        (rt.Notice.EASIER_CHOSEN, msg.NOTE_EASIER),
        (rt.Notice.RESUMED, msg.NOTE_RESUMED),
        (rt.Notice.WENT_BACK, msg.NOTE_WENT_BACK),
        (rt.Notice.SKIPPED, msg.NOTE_SKIPPED),
        (rt.Notice.NEXT_STEP, ""),
        (rt.Notice.STARTED, ""),
    ],
)
def test_the_step_card_carries_the_note_of_what_just_happened(
    kb: KnowledgeBase, notice: rt.Notice, note: str
) -> None:
    session = beginner(kb, rt.Done())
    view = rt.step_view(session.routine, session.state)
    assert view is not None
    text, _ = card(kb, session, notice)
    assert text == msg.step_card(session.routine, view, note, timer_running=False, caption=False)


def test_a_note_given_by_the_caller_replaces_the_notices_own(kb: KnowledgeBase) -> None:
    session = beginner(kb, rt.Done())
    view = rt.step_view(session.routine, session.state)
    assert view is not None
    text, _ = card(kb, session, rt.Notice.SKIPPED, note="A note of my own.")
    assert "A note of my own." in text
    assert msg.NOTE_SKIPPED not in text


def test_the_short_checklist_offers_none_of_these_the_list_and_stop(kb: KnowledgeBase) -> None:
    session = at_safety_check(kb)
    text, rows = session_card(kb, session, rt.Notice.STARTED, None, None, "", "", False, False)
    assert text == msg.safety_check_short(session.routine)
    assert layout(rows) == [
        [(msg.SAFE_LABEL, "safe")],
        [(msg.SHOW_LIST_LABEL, "list")],
        [STOP],
    ]
    assert_bound_to(rows, session)


def test_the_full_checklist_offers_a_button_for_each_list(kb: KnowledgeBase) -> None:
    session = at_safety_check(kb)
    text, rows = session_card(kb, session, rt.Notice.STARTED, None, None, "", "", True, False)
    checklist = kb.safety_checklist
    assert text == msg.safety_check(session.routine, checklist["emergency"], checklist["same-day"])
    assert layout(rows) == [
        [(msg.SAFE_LABEL, "safe")],
        [(msg.FLAG_EMERGENCY_LABEL, "flag-emergency"), (msg.FLAG_SAME_DAY_LABEL, "flag-same-day")],
        [STOP],
    ]
    assert_bound_to(rows, session)


def test_the_starting_pain_question_has_eleven_scores_in_two_rows(kb: KnowledgeBase) -> None:
    routine = kb.routines["beginner"]
    state = rt.transition(routine, rt.start(routine, "weeks-1-2", START), rt.SafetyClear(), START)
    session = Session(routine, state.state, USER)
    text, rows = session_card(
        kb, session, rt.Notice.SAFETY_CLEARED, None, None, "", "", False, False
    )
    assert text == msg.pain_question("before")
    scores = [(str(n), str(n)) for n in range(11)]
    assert layout(rows) == [scores[:6], scores[6:], [PAUSE, STOP]]
    assert_bound_to(rows, session)


def test_it_hurts_asks_for_the_score_or_sharp_pain_or_tingling(kb: KnowledgeBase) -> None:
    session = beginner(kb, rt.Hurts())
    text, keyboard = session_card(kb, session, rt.Notice.HURT_ASKED, None, None, "")
    assert_bound_to(keyboard, session)
    rows = layout(keyboard)
    assert text == msg.pain_question("hurt")
    scores = [(str(n), str(n)) for n in range(11)]
    assert rows == [
        scores[:6],
        scores[6:],
        [(msg.SHARP_LABEL, "sharp"), (msg.TINGLE_LABEL, "tingle")],
        [PAUSE, STOP],
    ]


def test_the_closing_pain_question_says_whether_the_session_ended_early(
    kb: KnowledgeBase,
) -> None:
    finished = beginner(kb, *[rt.Done()] * 7)
    assert finished.state.phase == rt.Phase.PAIN_AFTER
    assert card(kb, finished)[0] == msg.pain_question("after")
    early = beginner(kb, rt.SharpPain(), rt.EndSession())
    assert early.state.phase == rt.Phase.PAIN_AFTER
    assert card(kb, early)[0] == msg.pain_question("after-early")
    assert msg.pain_question("after") != msg.pain_question("after-early")


def test_the_pain_buttons_name_the_session_and_the_card(kb: KnowledgeBase) -> None:
    session = beginner(kb, rt.Hurts())
    rows = pain_rows(session)
    assert [len(row) for row in rows] == [6, 5]
    values = [cb.parse(b.data) for row in rows for b in row]
    assert values == [cb.PainScore(n, session.tag, session.card) for n in range(11)]
    assert [b.label for row in rows for b in row] == [str(n) for n in range(11)]


@pytest.mark.parametrize(
    ("cause", "flags"),
    [
        ("sharp", {"sharp": True, "tingling": False, "pain_up": False}),
        ("tingle", {"sharp": False, "tingling": True, "pain_up": False}),
        ("pain", {"sharp": False, "tingling": False, "pain_up": True}),
        ("", {"sharp": False, "tingling": False, "pain_up": False}),
    ],
)
def test_a_stopped_exercise_says_why_and_offers_easier_skip_and_end(
    kb: KnowledgeBase, cause: str, flags: dict[str, bool]
) -> None:
    session = beginner(kb, rt.SharpPain())
    view = rt.step_view(session.routine, session.state)
    assert view is not None and view.easier is not None
    text, rows = session_card(kb, session, rt.Notice.EXERCISE_STOPPED, None, None, "", cause)
    assert text == msg.exercise_stopped(view, **flags)
    assert layout(rows) == [
        [(msg.EASIER_LABEL, "easier")],
        [SKIP],
        [(msg.END_LABEL, "end")],
    ]
    assert_bound_to(rows, session)


def test_the_causes_of_a_stopped_exercise_read_differently(kb: KnowledgeBase) -> None:
    session = beginner(kb, rt.SharpPain())
    shown = {card(kb, session, cause=c)[0] for c in ("sharp", "tingle", "pain", "")}
    assert len(shown) == 4


def test_a_stopped_easier_version_offers_no_easier_one_again(kb: KnowledgeBase) -> None:
    session = beginner(kb, rt.SharpPain(), rt.UseEasier(), rt.Tingling())
    assert session.state.phase == rt.Phase.HURT_STOP
    assert card(kb, session, cause="tingle")[1] == [[SKIP], [(msg.END_LABEL, "end")]]


def test_a_paused_session_offers_continue_and_stop(kb: KnowledgeBase) -> None:
    session = beginner(kb, rt.Pause())
    text, rows = session_card(kb, session, rt.Notice.PAUSED, None, None, "", "", False, False)
    assert text == msg.paused(session.routine.title)
    assert layout(rows) == [[(msg.RESUME_LABEL, "resume")], [STOP]]
    assert_bound_to(rows, session)


def test_a_finished_session_shows_its_summary_and_a_way_to_start_another(
    kb: KnowledgeBase,
) -> None:
    routine = kb.routines["beginner"]
    before = beginner(kb, *[rt.Done()] * 7)
    result = rt.transition(routine, before.state, rt.Pain(2), START + timedelta(minutes=9))
    (ended,) = [e for e in result.effects if isinstance(e, rt.SessionEnded)]
    session = Session(routine, result.state, USER)
    text, rows = session_card(kb, session, result.notice, ended.summary, None, "")
    assert text == msg.summary(routine, ended.summary)
    assert rows == [[Button(msg.START_ROUTINE_LABEL, menu("routine"))]]


def test_a_finished_session_without_its_summary_reads_as_stopped(kb: KnowledgeBase) -> None:
    routine = kb.routines["beginner"]
    before = beginner(kb, *[rt.Done()] * 7)
    result = rt.transition(routine, before.state, rt.Pain(2), START)
    session = Session(routine, result.state, USER)
    assert card(kb, session, result.notice) == (msg.stopped(False), [])


def test_a_stopped_session_says_whether_it_was_recorded(kb: KnowledgeBase) -> None:
    routine = kb.routines["beginner"]
    result = rt.transition(routine, beginner(kb).state, rt.Stop(), START)
    (ended,) = [e for e in result.effects if isinstance(e, rt.SessionEnded)]
    session = Session(routine, result.state, USER)
    assert card(kb, session, result.notice, summary=ended.summary) == (msg.stopped(True), [])
    assert card(kb, session, result.notice) == (msg.stopped(False), [])
    assert msg.stopped(True) != msg.stopped(False)


@pytest.mark.parametrize(
    ("tier", "shown"), [("same-day", "same-day"), ("emergency", "emergency"), (None, "emergency")]
)
def test_a_flagged_checklist_shows_the_message_of_its_tier(
    kb: KnowledgeBase, tier: str | None, shown: str
) -> None:
    routine = kb.routines["beginner"]
    result = rt.transition(routine, at_safety_check(kb).state, rt.SafetyFlag(), START)
    session = Session(routine, result.state, USER)
    assert card(kb, session, result.notice, tier=tier) == (msg.safety_stopped(kb.tiers[shown]), [])


def test_an_unknown_tier_shows_the_emergency_message(kb: KnowledgeBase) -> None:
    routine = kb.routines["beginner"]
    result = rt.transition(routine, at_safety_check(kb).state, rt.SafetyFlag(), START)
    session = Session(routine, result.state, USER)
    text, _ = card(kb, session, result.notice, tier="no-such-tier")
    assert text == msg.safety_stopped(kb.tiers["emergency"])
    assert text != msg.safety_stopped(kb.tiers["same-day"])


@pytest.mark.parametrize(
    ("events", "key"),
    [
        ((), "s0"),
        ((rt.Done(),) * GLUTE_BRIDGE, f"s{GLUTE_BRIDGE}"),
        ((*(rt.Done(),) * GLUTE_BRIDGE, rt.StartTimer()), f"s{GLUTE_BRIDGE}"),
        ((rt.Done(), rt.Hurts()), "h1"),
        ((rt.Done(), rt.Done(), rt.SharpPain()), "x2"),
        ((rt.Done(), rt.Pause()), "p1"),
        ((rt.Done(),) * 7, "a6"),
    ],
)
def test_a_card_is_keyed_by_its_phase_letter_and_step_index(
    kb: KnowledgeBase, events: tuple[rt.Event, ...], key: str
) -> None:
    session = beginner(kb, *events)
    assert card_key(session.state) == key
    assert session.card == key


def test_the_checklist_and_the_starting_pain_have_their_own_keys(kb: KnowledgeBase) -> None:
    routine = kb.routines["beginner"]
    state = rt.start(routine, "weeks-1-2", START)
    assert card_key(state) == "c0"
    assert card_key(replace(state, phase=rt.Phase.PAIN_BEFORE)) == "b0"
    assert card_key(replace(state, phase=rt.Phase.FINISHED)) == "z0"


def test_a_session_tag_is_short_and_names_the_owner_and_the_start(kb: KnowledgeBase) -> None:
    session = beginner(kb)
    tag = session_tag(USER, session.state)
    assert tag == session.tag
    assert len(tag) == 8
    assert tag == tag.lower() and tag.isalnum()
    assert session_tag(USER + 1, session.state) != tag
    later = replace(session.state, started_at=START + timedelta(seconds=1))
    assert session_tag(USER, later) != tag
    moved_on = beginner(kb, rt.Done(), rt.Done())
    assert moved_on.tag == tag


def test_routine_data_is_bound_to_the_session_only_when_given(kb: KnowledgeBase) -> None:
    session = beginner(kb, rt.Done())
    assert cb.parse(routine_data("show")) == cb.RoutineButton("show")
    bound = cb.parse(routine_data("done", session))
    assert bound == cb.RoutineButton("done", session.tag, "s1")
    whole = cb.parse(session_data("resume", session))
    assert whole == cb.RoutineButton("resume", session.tag)


def test_back_to_the_routine_is_one_unbound_show_button() -> None:
    assert back_to_routine() == [Button(msg.SHOW_ROUTINE_LABEL, routine_data("show"))]


def test_a_step_shows_its_own_picture_and_the_easier_versions_when_chosen(
    kb: KnowledgeBase,
) -> None:
    session = beginner(kb)
    view = rt.step_view(session.routine, session.state)
    assert view is not None
    picture = step_picture(kb, session)
    assert picture is not None
    assert picture == kb.step_picture("beginner", view.step_id, None)
    easier = beginner(kb, rt.SharpPain(), rt.UseEasier())
    assert step_picture(kb, easier) == kb.step_picture("beginner", view.step_id, "easier")
    timing = beginner(kb, *[rt.Done()] * GLUTE_BRIDGE, rt.StartTimer())
    assert step_picture(kb, timing) is not None


def test_only_a_step_shows_a_picture(kb: KnowledgeBase) -> None:
    assert step_picture(kb, at_safety_check(kb)) is None
    assert step_picture(kb, beginner(kb, rt.Hurts())) is None
    assert step_picture(kb, beginner(kb, rt.SharpPain())) is None
    assert step_picture(kb, beginner(kb, rt.Pause())) is None
    gone = beginner(kb)
    past_the_end = Session(gone.routine, replace(gone.state, step_index=99), USER)
    assert step_picture(kb, past_the_end) is None


def test_by_default_a_card_is_the_short_checklist_or_an_unpictured_step(
    kb: KnowledgeBase,
) -> None:
    checking = at_safety_check(kb)
    text, _ = session_card(kb, checking, rt.Notice.STARTED, None, None, "")
    assert text == msg.safety_check_short(checking.routine)
    stepping = beginner(kb)
    _, rows = session_card(kb, stepping, rt.Notice.STARTED, None, None, "")
    assert layout(rows) == [[DONE, SKIP], [HURTS], [PAUSE, STOP]]
    stopped = beginner(kb, rt.SharpPain())
    view = rt.step_view(stopped.routine, stopped.state)
    assert view is not None
    text, _ = session_card(kb, stopped, rt.Notice.EXERCISE_STOPPED, None, None, "")
    assert text == msg.exercise_stopped(view, sharp=False, tingling=False, pain_up=False)
