"""The red-flag screen in Telegram, through the real Application and the fake Bot API: each
tier's message arrives first, asking what a flag means gets the information calmly, and a
red flag typed in the middle of a routine pauses it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from tests.e2e.harness import AnyApplication, Chat, texts
from tests.fakes import FakeBotApi, FakeUser


@pytest.mark.parametrize(
    ("message", "tier"),
    [
        ("I can't take this pain anymore, I want to end it all", "crisis"),
        ("I'm 82, I fell on the stairs at home and now I can't stand on my left leg", "emergency"),
        ("I'm 31 weeks pregnant with back pain and I'm leaking clear fluid", "maternity"),
    ],
)
async def test_each_tier_s_message_arrives_first(
    app: AnyApplication,
    kb: KnowledgeBase,
    alice: FakeUser,
    chat: Callable[..., Chat],
    message: str,
    tier: str,
) -> None:
    replies = await chat(alice).say(message)
    assert replies, message
    first = replies[0].rendered_text or ""
    assert kb.tiers[tier].title in first
    assert kb.tiers[tier].message.splitlines()[0] in first


async def test_asking_what_saddle_numbness_means_gets_the_red_flags_entry_without_an_alarm(
    app: AnyApplication, kb: KnowledgeBase, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    replies = await chat(alice).say("what does saddle numbness mean")
    assert not any(t.startswith("⚠️") for t in texts(replies))
    assert any(kb.entries["red-flags"].title in t for t in texts(replies))


@pytest.mark.usefixtures("unthrottled_chats")
async def test_a_red_flag_typed_mid_routine_pauses_it(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = (await alices.say("/routine gentle-start"))[-1]
    if "Which level?" in (card.rendered_text or ""):
        await alices.press(card.message_id, card.callback_data[0])
    await alices.press(card.message_id, "rt:safe")
    step = await alices.press(card.message_id, "pn:3")
    assert "Step 1 of" in (step.message.rendered_text or "")

    replies = await alices.say("hang on, both my legs have gone numb and weak since I lay down")
    assert kb.tiers["emergency"].title in (replies[0].rendered_text or "")
    assert msg.routine_paused_for_safety() in texts(replies)
    resumed = await alices.say("/resume")
    assert "Step 1 of" in " ".join(texts(resumed))
