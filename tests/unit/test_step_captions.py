"""Every step card fits under its picture: within Telegram's 1,024-character caption, at every
level and in every version, and "More" keeps the full card one tap away."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.core import routine as rt
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg

START = datetime(2025, 1, 1, tzinfo=UTC)


def views(kb: KnowledgeBase) -> list[tuple[str, rt.StepView]]:
    """Every step of every level of every routine, as the user sees it."""
    out = []
    for routine in kb.routines.values():
        for level in routine.levels:
            state = rt.start(routine, level.id, START, 10 if routine.kind == "walk" else None)
            for index in range(len(routine.steps_for(level.id))):
                view = rt.step_view(routine, state, index)
                assert view is not None
                out.append((routine.id, view))
    return out


def test_every_step_and_version_has_a_picture(kb: KnowledgeBase) -> None:
    for routine in kb.routines.values():
        for step in routine.steps:
            assert kb.step_picture(routine.id, step.id, None), (routine.id, step.id)
            for variant in ("easier", "harder"):
                if getattr(step, variant) is not None:
                    assert kb.step_picture(routine.id, step.id, variant), (step.id, variant)


def test_every_step_card_fits_a_caption_and_more_holds_the_rest(kb: KnowledgeBase) -> None:
    shown = views(kb)
    assert len(shown) >= 19
    for routine_id, view in shown:
        routine = kb.routines[routine_id]
        caption = msg.step_card(routine, view, msg.NOTE_HURT_OK, timer_running=True, caption=True)
        assert msg.visible_length(caption) <= msg.CAPTION_LIMIT, (routine_id, view.step_id)
        assert "Easier:" not in caption
        full = msg.step_card(routine, view)
        assert "Easier:" in full or view.easier is None or view.variant == "easier"


def test_a_caption_too_long_is_cut_at_a_word_and_still_names_the_step(kb: KnowledgeBase) -> None:
    routine_id, view = views(kb)[0]
    routine = kb.routines[routine_id]
    long_view = replace(view, how=" ".join(["Breathe out slowly and flatten your back."] * 60))
    caption = msg.step_card(routine, long_view, caption=True)
    assert msg.visible_length(caption) <= msg.CAPTION_LIMIT
    assert caption.startswith("<b>Step 1 of") and caption.count("…") == 1
