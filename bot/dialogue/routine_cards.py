"""How a routine session looks: the card's text and buttons for each phase.

Every button of a card names the session (`session_tag`: its owner and start) and the step
and phase (`card_key`) it was drawn for, so a press can be checked against where the session
is now.
"""

from __future__ import annotations

import base64
import hashlib
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


# A card's phase as one letter; STEP and TIMER share theirs: the same step's buttons still
# fit when a timer starts or ends under them (Done, It hurts, Pause, Stop).
_PHASE_CODES = {
    rt.Phase.SAFETY_CHECK: "c",
    rt.Phase.PAIN_BEFORE: "b",
    rt.Phase.STEP: "s",
    rt.Phase.TIMER: "s",
    rt.Phase.HURT_CHECK: "h",
    rt.Phase.HURT_STOP: "x",
    rt.Phase.PAUSED: "p",
    rt.Phase.PAIN_AFTER: "a",
}


@dataclass(frozen=True)
class Session:
    """A user's unfinished routine session, restored from the store."""

    routine: Routine
    state: rt.SessionState
    user_id: int

    @property
    def tag(self) -> str:
        """`session_tag` of this session."""
        return session_tag(self.user_id, self.state)

    @property
    def card(self) -> str:
        """`card_key` of this session."""
        return card_key(self.state)


def session_tag(user_id: int, state: rt.SessionState) -> str:
    """A short name of the session: its owner and start, hashed (another user's session, or
    this user's previous one, has another)."""
    digest = hashlib.sha256(f"{user_id}|{state.started_at.isoformat()}".encode()).digest()
    return base64.b32encode(digest[:5]).decode().lower()


def card_key(state: rt.SessionState) -> str:
    """The phase and step a card shows, e.g. "s3" (step index 3)."""
    return f"{_PHASE_CODES.get(state.phase, 'z')}{state.step_index}"


def routine_data(action: cb.RoutineAction, session: Session | None = None) -> str:
    """Callback data for a routine button: bound to the session's current card when given."""
    if session is None:
        return cb.encode(cb.RoutineButton(action))
    return cb.encode(cb.RoutineButton(action, session.tag, session.card))


def session_data(action: cb.RoutineAction, session: Session) -> str:
    """Callback data for a button about the session as a whole, at whatever step."""
    return cb.encode(cb.RoutineButton(action, session.tag))


def back_to_routine() -> list[Button]:
    """The button that shows the unfinished routine's card again."""
    return [Button(msg.SHOW_ROUTINE_LABEL, routine_data("show"))]


def pain_rows(session: Session) -> Keyboard:
    """The 0 to 10 pain buttons of the session's card, in two rows."""
    scores = [
        Button(str(n), cb.encode(cb.PainScore(n, session.tag, session.card))) for n in range(11)
    ]
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
    pictured: bool = False,
) -> tuple[str, list[list[Button]]]:
    """The text and buttons that show a session in its current phase."""
    routine, state = session.routine, session.state
    phase = state.phase
    if phase == rt.Phase.SAFETY_CHECK:
        return _safety_check(kb, session, full_checklist)
    if phase in PAIN_PHASES:
        return _pain_question(session)
    if phase == rt.Phase.HURT_STOP:
        return _hurt_stop(session, cause)
    if phase in rt.CARD_PHASES:
        return _step(session, note or _STEP_NOTES.get(notice, ""), pictured)
    if phase == rt.Phase.PAUSED:
        return msg.paused(routine.title), [
            [Button(msg.RESUME_LABEL, routine_data("resume", session))],
            [Button(msg.STOP_LABEL, routine_data("stop", session))],
        ]
    if phase == rt.Phase.FINISHED and summary is not None:
        return msg.summary(routine, summary), [[Button(msg.START_ROUTINE_LABEL, menu("routine"))]]
    if phase == rt.Phase.SAFETY_STOP:
        chosen = kb.tiers.get(tier or "emergency") or kb.tiers["emergency"]
        return msg.safety_stopped(chosen), []
    return msg.stopped(summary is not None), []


def _safety_check(
    kb: KnowledgeBase, session: Session, full: bool
) -> tuple[str, list[list[Button]]]:
    if not full:
        return msg.safety_check_short(session.routine), [
            [Button(msg.SAFE_LABEL, routine_data("safe", session))],
            [Button(msg.SHOW_LIST_LABEL, routine_data("list", session))],
            [Button(msg.STOP_LABEL, routine_data("stop", session))],
        ]
    checklist = kb.safety_checklist
    text = msg.safety_check(session.routine, checklist["emergency"], checklist["same-day"])
    return text, [
        [Button(msg.SAFE_LABEL, routine_data("safe", session))],
        [
            Button(msg.FLAG_EMERGENCY_LABEL, routine_data("flag-emergency", session)),
            Button(msg.FLAG_SAME_DAY_LABEL, routine_data("flag-same-day", session)),
        ],
        [Button(msg.STOP_LABEL, routine_data("stop", session))],
    ]


def _pain_question(session: Session) -> tuple[str, list[list[Button]]]:
    state = session.state
    rows = [list(row) for row in pain_rows(session)]
    if state.phase == rt.Phase.HURT_CHECK:
        rows.append(
            [
                Button(msg.SHARP_LABEL, routine_data("sharp", session)),
                Button(msg.TINGLE_LABEL, routine_data("tingle", session)),
            ]
        )
    rows.append(
        [
            Button(msg.PAUSE_LABEL, routine_data("pause", session)),
            Button(msg.STOP_LABEL, routine_data("stop", session)),
        ]
    )
    when = PAIN_PHASES[state.phase]
    if state.phase == rt.Phase.PAIN_AFTER and state.ended_early:
        when = "after-early"
    return msg.pain_question(when), rows


def _hurt_stop(session: Session, cause: str) -> tuple[str, list[list[Button]]]:
    view = rt.step_view(session.routine, session.state)
    assert view is not None
    rows = []
    if view.easier is not None and view.variant != "easier":
        rows.append([Button(msg.EASIER_LABEL, routine_data("easier", session))])
    rows += [
        [Button(msg.SKIP_LABEL, routine_data("skip", session))],
        [Button(msg.END_LABEL, routine_data("end", session))],
    ]
    text = msg.exercise_stopped(
        view, sharp=cause == "sharp", tingling=cause == "tingle", pain_up=cause == "pain"
    )
    return text, rows


def step_picture(kb: KnowledgeBase, session: Session) -> str | None:
    """The exercise picture of the step a session is at (its variant's own, else the step's)."""
    if session.state.phase not in rt.CARD_PHASES:
        return None
    view = rt.step_view(session.routine, session.state)
    if view is None:
        return None
    variant = None if view.variant == "standard" else view.variant
    return kb.step_picture(session.routine.id, view.step_id, variant)


def _step(session: Session, note: str, pictured: bool) -> tuple[str, list[list[Button]]]:
    routine, state = session.routine, session.state
    view = rt.step_view(routine, state)
    assert view is not None
    timing = state.phase == rt.Phase.TIMER
    # Under a picture the card is a caption: the variants are one tap away ("More").
    text = msg.step_card(routine, view, note, timer_running=timing, caption=pictured)
    first = [Button(msg.DONE_LABEL, routine_data("done", session))]
    if not timing:
        first.append(Button(msg.SKIP_LABEL, routine_data("skip", session)))
        if view.timer_seconds:
            first.append(Button(msg.TIMER_LABEL, routine_data("timer", session)))
    second = [Button(msg.HURTS_LABEL, routine_data("hurt", session))]
    if not timing and view.number > 1:
        second.insert(0, Button(msg.BACK_STEP_LABEL, routine_data("back", session)))
    if pictured:
        second.append(Button(msg.MORE_LABEL, routine_data("more", session)))
    third = [
        Button(msg.PAUSE_LABEL, routine_data("pause", session)),
        Button(msg.STOP_LABEL, routine_data("stop", session)),
    ]
    return text, [first, second, third]
