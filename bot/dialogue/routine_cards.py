"""How a routine session looks: the card's text and buttons for each phase."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import routine as rt
from bot.core.knowledge import KnowledgeBase
from bot.core.routine_model import Routine
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.context import kb_buttons, menu
from bot.dialogue.replies import Button, Keyboard

PAIN_PHASES = {
    rt.Phase.PAIN_BEFORE: "before",
    rt.Phase.HURT_CHECK: "hurt",
    rt.Phase.PAIN_AFTER: "after",
}
_STEP_NOTES = {
    rt.Notice.TIME_UP: msg.NOTE_TIME_UP,
    rt.Notice.HURT_OK: msg.NOTE_HURT_OK,
    rt.Notice.EASIER_CHOSEN: msg.NOTE_EASIER,
    rt.Notice.RESUMED: msg.NOTE_RESUMED,
    rt.Notice.WENT_BACK: msg.NOTE_WENT_BACK,
    rt.Notice.SKIPPED: msg.NOTE_SKIPPED,
}


@dataclass(frozen=True)
class Session:
    """A user's unfinished routine session, restored from the store."""

    routine: Routine
    state: rt.SessionState


def routine_data(action: cb.RoutineAction) -> str:
    """Callback data for a routine button."""
    return cb.encode(cb.RoutineButton(action))


def back_to_routine() -> list[Button]:
    """The button that shows the unfinished routine's card again."""
    return [Button(msg.SHOW_ROUTINE_LABEL, routine_data("show"))]


def pain_rows() -> Keyboard:
    """The 0 to 10 pain buttons, in two rows."""
    scores = [Button(str(n), cb.encode(cb.PainScore(n))) for n in range(11)]
    return kb_buttons([scores[:6], scores[6:]])


def session_card(
    kb: KnowledgeBase,
    session: Session,
    notice: rt.Notice,
    summary: rt.Summary | None,
    tier: str | None,
    note: str,
    cause: str = "",
    full_checklist: bool = False,
) -> tuple[str, list[list[Button]]]:
    """The text and buttons that show a session in its current phase."""
    routine, state = session.routine, session.state
    phase = state.phase
    if phase == rt.Phase.SAFETY_CHECK:
        return _safety_check(kb, routine, full_checklist)
    if phase in PAIN_PHASES:
        return _pain_question(state)
    if phase == rt.Phase.HURT_STOP:
        return _hurt_stop(routine, state, cause)
    if phase in (rt.Phase.STEP, rt.Phase.TIMER):
        return _step(routine, state, note or _STEP_NOTES.get(notice, ""))
    if phase == rt.Phase.PAUSED:
        return msg.paused(routine.title), [
            [Button(msg.RESUME_LABEL, routine_data("resume"))],
            [Button(msg.STOP_LABEL, routine_data("stop"))],
        ]
    if phase == rt.Phase.FINISHED and summary is not None:
        return msg.summary(routine, summary), [[Button(msg.START_ROUTINE_LABEL, menu("routine"))]]
    if phase == rt.Phase.SAFETY_STOP:
        chosen = kb.tiers.get(tier or "emergency") or kb.tiers["emergency"]
        return msg.safety_stopped(chosen), []
    return msg.stopped(summary is not None), []


def _safety_check(
    kb: KnowledgeBase, routine: Routine, full: bool
) -> tuple[str, list[list[Button]]]:
    if not full:
        return msg.safety_check_short(routine), [
            [Button(msg.SAFE_LABEL, routine_data("safe"))],
            [Button(msg.SHOW_LIST_LABEL, routine_data("list"))],
            [Button(msg.STOP_LABEL, routine_data("stop"))],
        ]
    checklist = kb.safety_checklist
    text = msg.safety_check(routine, checklist["emergency"], checklist["same-day"])
    return text, [
        [Button(msg.SAFE_LABEL, routine_data("safe"))],
        [
            Button(msg.FLAG_EMERGENCY_LABEL, routine_data("flag-emergency")),
            Button(msg.FLAG_SAME_DAY_LABEL, routine_data("flag-same-day")),
        ],
        [Button(msg.STOP_LABEL, routine_data("stop"))],
    ]


def _pain_question(state: rt.SessionState) -> tuple[str, list[list[Button]]]:
    rows = [list(row) for row in pain_rows()]
    if state.phase == rt.Phase.HURT_CHECK:
        rows.append(
            [
                Button(msg.SHARP_LABEL, routine_data("sharp")),
                Button(msg.TINGLE_LABEL, routine_data("tingle")),
            ]
        )
    rows.append(
        [
            Button(msg.PAUSE_LABEL, routine_data("pause")),
            Button(msg.STOP_LABEL, routine_data("stop")),
        ]
    )
    when = PAIN_PHASES[state.phase]
    if state.phase == rt.Phase.PAIN_AFTER and state.ended_early:
        when = "after-early"
    return msg.pain_question(when), rows


def _hurt_stop(
    routine: Routine, state: rt.SessionState, cause: str
) -> tuple[str, list[list[Button]]]:
    view = rt.step_view(routine, state)
    assert view is not None
    rows = []
    if view.easier is not None and view.variant != "easier":
        rows.append([Button(msg.EASIER_LABEL, routine_data("easier"))])
    rows += [
        [Button(msg.SKIP_LABEL, routine_data("skip"))],
        [Button(msg.END_LABEL, routine_data("end"))],
    ]
    text = msg.exercise_stopped(
        view, sharp=cause == "sharp", tingling=cause == "tingle", pain_up=cause == "pain"
    )
    return text, rows


def _step(routine: Routine, state: rt.SessionState, note: str) -> tuple[str, list[list[Button]]]:
    view = rt.step_view(routine, state)
    assert view is not None
    timing = state.phase == rt.Phase.TIMER
    text = msg.step_card(routine, view, note, timer_running=timing)
    first = [Button(msg.DONE_LABEL, routine_data("done"))]
    if not timing:
        first.append(Button(msg.SKIP_LABEL, routine_data("skip")))
        if view.timer_seconds:
            first.append(Button(msg.TIMER_LABEL, routine_data("timer")))
    second = [Button(msg.HURTS_LABEL, routine_data("hurt"))]
    if not timing and view.number > 1:
        second.insert(0, Button(msg.BACK_STEP_LABEL, routine_data("back")))
    third = [
        Button(msg.PAUSE_LABEL, routine_data("pause")),
        Button(msg.STOP_LABEL, routine_data("stop")),
    ]
    return text, [first, second, third]
