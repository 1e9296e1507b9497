"""The red-flag screen as a user meets it in the dialogue: each tier's message first, the answer
after it, the crisis helplines alone, the calm GP note after an answer, a flag mid-routine
pausing it, "It hurts" screening what the user says, and the checklist before a routine."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core import routine as rt
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.replies import Reply, Send
from bot.store import Store
from tests.unit.dialogue_chat import (
    Chat,
    Clock,
    active_state,
    all_data,
    go_to_step,
    joined,
    pain_data,
    rt_data,
    texts,
)


def first_text(replies: Sequence[Reply]) -> str:
    sends = [r for r in replies if isinstance(r, Send)]
    assert sends, replies
    return sends[0].text


async def test_a_crisis_message_gets_the_helplines_first_and_nothing_else_competes(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.text("I can't go on living with this pain, what stretches help?")
    sent = texts(replies)
    assert escape(kb.tiers["crisis"].title) in sent[0] and "999" in sent[0]
    # At most the crisis entry follows: no stretching answer, no "did you mean", no buttons.
    expected = [msg.answer(kb.entries["crisis"])] if "crisis" in kb.entries else []
    assert sent[1:] == expected
    assert all_data(replies) == []


async def test_an_overdose_is_the_crisis_tier_even_when_the_person_feels_fine(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.text("took 20 paracetamol an hour ago but I feel fine")
    assert escape(kb.tiers["crisis"].title) in first_text(replies)
    assert "even if you feel fine" in first_text(replies)


async def test_a_suspected_hip_fracture_gets_the_emergency_message_first(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.text("I'm 84, I fell in the kitchen and now I can't put weight on my leg")
    assert escape(kb.tiers["emergency"].title) in first_text(replies)


async def test_pregnancy_warning_signs_send_to_the_midwife_first(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.text("I'm 30 weeks pregnant, my back aches and the baby is moving less")
    assert escape(kb.tiers["maternity"].title) in first_text(replies)
    assert "midwife" in first_text(replies)


async def test_a_flag_inside_a_question_comes_first_and_the_answer_follows(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.text(
        "Should I use heat or ice on my back? Also since yesterday both my legs are numb"
    )
    sent = texts(replies)
    assert escape(kb.tiers["emergency"].title) in sent[0]
    assert any(escape(kb.entries["heat-or-ice"].title) in t for t in sent[1:])


async def test_asking_what_a_flag_means_gets_the_red_flags_entry_without_an_alarm(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.text("what does saddle numbness mean")
    assert not any(t.startswith("⚠️") for t in texts(replies))
    assert escape(kb.entries["red-flags"].title) in joined(replies)


async def test_weak_legs_asking_for_exercises_gets_no_alarm(chat: Chat) -> None:
    replies = await chat.text("My legs are weak, what exercises help?")
    assert not any(t.startswith("⚠️") for t in texts(replies))


async def test_inflammatory_back_pain_gets_a_calm_note_after_the_answer(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.text(
        "I'm 29, my back has been stiff every morning for a year but loosens up once I move."
        " Would stretching help?"
    )
    sent = texts(replies)
    assert not any(t.startswith("⚠️") for t in sent)
    assert escape(kb.tiers["gp-note"].title) in sent[-1]
    assert len(sent) >= 2


async def test_a_red_flag_typed_mid_routine_pauses_it(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 3)
    replies = await chat.text("I just realised I can't feel the toilet paper when I wipe")
    assert escape(kb.tiers["emergency"].title) in first_text(replies)
    assert msg.routine_paused_for_safety() in texts(replies)
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.PAUSED and state.step_index == 2


async def test_it_hurts_asks_what_happened_and_an_ordinary_answer_asks_for_the_score(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    asked = await chat.press(rt_data("hurt"))
    assert "What happened?" in joined(asked)
    replies = await chat.text("just a bit sore in the lower back when I lift my leg")
    assert replies and texts(replies)[0] == msg.hurt_noted()
    assert pain_data(5) in all_data(replies)
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.HURT_CHECK


async def test_it_hurts_then_a_red_flag_in_the_reply_pauses_the_routine(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    await chat.press(rt_data("hurt"))
    replies = await chat.text("my bum has gone numb and I can't pee")
    assert escape(kb.tiers["emergency"].title) in first_text(replies)
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.PAUSED
    assert state.paused_phase == rt.Phase.HURT_CHECK


async def test_the_checklist_is_shown_in_full_at_the_first_routine_then_as_one_line(
    chat: Chat, clock: Clock, kb: KnowledgeBase
) -> None:
    start = cb.encode(cb.StartRoutine("beginner", "weeks-1-2"))
    first = await chat.press(start)
    for bullet in kb.safety_checklist["emergency"]:
        assert escape(bullet) in joined(first)
    await chat.press(rt_data("stop"))

    clock.advance(days=3)
    second = await chat.press(start)
    assert msg.safety_check_short(kb.routines["beginner"]) in joined(second)
    assert rt_data("list") in all_data(second)
    listed = await chat.press(rt_data("list"))
    for bullet in kb.safety_checklist["same-day"]:
        assert escape(bullet) in joined(listed)
    await chat.press(rt_data("stop"))

    clock.advance(days=31)
    third = await chat.press(start)
    assert escape(kb.safety_checklist["emergency"][0]) in joined(third)


async def test_none_of_these_on_the_short_checklist_starts_the_routine(chat: Chat) -> None:
    start = cb.encode(cb.StartRoutine("beginner", "weeks-1-2"))
    await chat.press(start)
    await chat.press(rt_data("stop"))
    await chat.press(start)
    replies = await chat.press(rt_data("safe"))
    assert "How much does your back hurt right now?" in joined(replies)
