"""Answers, topics, "did you mean" and feedback through the dialogue: every keyboard with its
labels and data, the follow-up window's edges, typed commands and typed pain scores, inline
results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import routine as rt
from bot.core.answering import Answerer
from bot.core.knowledge import Entry, KnowledgeBase
from bot.dialogue import Dialogue
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.context import MAX_KEPT_QUESTION, menu, show
from bot.dialogue.questions import (
    FOLLOW_UP_WINDOW,
    LAST_ANSWER,
    _recent_answer,
    typed_command,
)
from bot.dialogue.replies import Button, Edit, EditButtons, Keyboard, Send, Toast
from bot.dialogue.routine_cards import back_to_routine
from bot.store import Store
from tests.unit.dialogue_chat import (
    BEGINNER_STEPS,
    START,
    USER,
    Chat,
    active_state,
    go_to_step,
    rt_data,
    step_of,
)

OFF_TOPIC = "what is the capital of france"
BROWSE = ((Button(msg.BROWSE_TOPICS_LABEL, menu("topics")),),)


def answered_entry(kb: KnowledgeBase, answerer: Answerer) -> tuple[str, Entry]:
    """A question the matcher answers with an entry that has three related topics or more."""
    for entry in kb.entries.values():
        related = [r for r in entry.related if r in kb.entries]
        if entry.category == "about" or len(related) < 3:
            continue
        for question in entry.questions[:1]:
            verdict = answerer.verdict(question)
            if verdict.entry_id == entry.id and verdict.screen.tier is None:
                return question, entry
    pytest.fail("no entry with three related topics is answered by its own question")


def full_keyboard(kb: KnowledgeBase, entry: Entry, *, votes: bool = True) -> Keyboard:
    related = [r for r in entry.related if r in kb.entries][:3]
    rows: list[tuple[Button, ...]] = [
        (Button(msg.RELATED_PREFIX + kb.entries[r].title, show(r)),) for r in related
    ]
    if votes:
        rows.append(
            (
                Button(msg.HELPFUL_LABEL, cb.encode(cb.Feedback(entry.id, True))),
                Button(msg.NOT_HELPFUL_LABEL, cb.encode(cb.Feedback(entry.id, False))),
            )
        )
    return tuple(rows)


async def test_an_answer_has_three_related_topics_then_the_two_votes(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer
) -> None:
    question, entry = answered_entry(kb, answerer)
    assert await chat.text(question) == [Send(msg.answer(entry), full_keyboard(kb, entry))]


async def test_an_answer_mid_routine_adds_back_to_the_routine_last(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer
) -> None:
    question, entry = answered_entry(kb, answerer)
    await go_to_step(chat, 2)
    [answer] = await chat.text(question)
    assert isinstance(answer, Send)
    assert answer.buttons == (*full_keyboard(kb, entry), tuple(back_to_routine()))


async def test_a_fallback_offers_the_topics_button(chat: Chat) -> None:
    assert await chat.text(OFF_TOPIC) == [Send(msg.fallback(), BROWSE)]


async def test_a_fallback_mid_routine_also_offers_back_to_the_routine(chat: Chat) -> None:
    await go_to_step(chat, 2)
    [reply] = await chat.text(OFF_TOPIC)
    assert reply == Send(msg.fallback(), (*BROWSE, tuple(back_to_routine())))


async def test_none_of_these_edits_the_question_into_the_fallback(chat: Chat) -> None:
    replies = await chat.press(cb.encode(cb.NoneOfThese()), message_id=8)
    assert replies == [Toast(""), Edit(8, msg.fallback(), BROWSE)]


async def test_helpful_thanks_and_leaves_related_topics_without_the_votes(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer, store: Store
) -> None:
    question, entry = answered_entry(kb, answerer)
    await chat.text(question)
    replies = await chat.press(cb.encode(cb.Feedback(entry.id, True)), message_id=9)
    assert replies == [
        Toast(msg.FEEDBACK_THANKS),
        EditButtons(9, full_keyboard(kb, entry, votes=False)),
    ]
    assert await store.unanswered() == []


async def test_not_helpful_keeps_the_question_that_was_answered(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer, store: Store
) -> None:
    question, entry = answered_entry(kb, answerer)
    await chat.text(question)
    replies = await chat.press(cb.encode(cb.Feedback(entry.id, False)), message_id=None)
    assert replies == [Toast(msg.FEEDBACK_SORRY)]
    assert [q for q, _ in await store.unanswered()] == [question]
    async with store.user_action(USER) as tx:
        assert await tx.get_state(f"answered:{entry.id}") is None


async def test_not_helpful_without_a_question_keeps_the_entry_title(
    chat: Chat, kb: KnowledgeBase, store: Store
) -> None:
    entry = next(iter(kb.entries.values()))
    await chat.press(cb.encode(cb.Feedback(entry.id, False)))
    assert [q for q, _ in await store.unanswered()] == [entry.title]


async def test_feedback_on_an_unknown_entry_is_a_stale_button(chat: Chat, store: Store) -> None:
    replies = await chat.press(cb.encode(cb.Feedback("no-such-entry", True)))
    assert replies == [Toast(msg.stale_button())]
    assert await store.feedback_counts() == {}


@pytest.mark.parametrize(
    "action",
    [cb.ShowEntry("no-such-entry"), cb.ChooseEntry("no-such-entry"), cb.BrowseEntry("nope")],
)
async def test_a_button_for_an_unknown_entry_is_stale(chat: Chat, action: cb.Action) -> None:
    assert await chat.press(cb.encode(action)) == [Toast(msg.stale_button())]


async def test_show_entry_sends_it_as_a_new_answer(chat: Chat, kb: KnowledgeBase) -> None:
    entry = next(iter(kb.entries.values()))
    replies = await chat.press(show(entry.id), message_id=3)
    assert replies == [Toast(""), Send(msg.answer(entry), full_keyboard(kb, entry))]


async def test_the_topics_are_one_button_per_category(chat: Chat, kb: KnowledgeBase) -> None:
    rows = tuple((Button(c.title, cb.encode(cb.BrowseCategory(c.id))),) for c in kb.categories)
    assert await chat.command("topics") == [Send(msg.topics_root(), rows)]
    assert await chat.press(menu("topics")) == [Toast(""), Send(msg.topics_root(), rows)]
    assert await chat.press(cb.encode(cb.BrowseCategory("")), message_id=4) == [
        Edit(4, msg.topics_root(), rows)
    ]


async def test_a_category_lists_its_entries_and_all_topics(chat: Chat, kb: KnowledgeBase) -> None:
    category = kb.categories[-1]
    replies = await chat.press(cb.encode(cb.BrowseCategory(category.id)), message_id=None)
    rows = tuple(
        (Button(kb.entries[i].title, cb.encode(cb.BrowseEntry(i))),) for i in category.entry_ids
    )
    all_topics = ((Button(msg.ALL_TOPICS_LABEL, cb.encode(cb.BrowseCategory(""))),),)
    assert replies == [Send(msg.topics_category(category.title), (*rows, *all_topics))]


async def test_an_unknown_category_is_a_stale_button(chat: Chat) -> None:
    replies = await chat.press(cb.encode(cb.BrowseCategory("no-such-category")))
    assert replies == [Toast(msg.stale_button())]


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("help", "help"),
        ("Commands", "help"),
        ("menu", "start"),
        ("main menu", "start"),
        ("show me the menu please", "start"),
        ("Start over!", "start"),
        ("restart", "start"),
    ],
)
def test_a_command_typed_as_words_is_read_as_that_command(typed: str, command: str) -> None:
    assert typed_command(typed) == command


@pytest.mark.parametrize(
    "typed", ["", "please", "the menu of the day", "help my back hurts", "help me now please ok"]
)
def test_other_words_are_not_a_command(typed: str) -> None:
    assert typed_command(typed) is None


def test_an_answer_is_followed_up_within_five_minutes_and_not_after() -> None:
    answered_at = START.isoformat()
    kept = f"heat-or-ice {answered_at}"
    assert timedelta(minutes=5) == FOLLOW_UP_WINDOW
    assert _recent_answer(kept, START) == "heat-or-ice"
    assert _recent_answer(kept, START + FOLLOW_UP_WINDOW) == "heat-or-ice"
    assert _recent_answer(kept, START + FOLLOW_UP_WINDOW + timedelta(seconds=1)) is None
    assert _recent_answer(kept, START - timedelta(seconds=1)) is None


@pytest.mark.parametrize("kept", [None, "", "heat-or-ice", "heat-or-ice yesterday"])
def test_no_follow_up_without_a_readable_last_answer(kept: str | None) -> None:
    assert _recent_answer(kept, START) is None


async def test_an_answer_remembers_its_entry_and_time_for_a_follow_up(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer, store: Store
) -> None:
    question, entry = answered_entry(kb, answerer)
    await chat.text(question)
    async with store.user_action(USER) as tx:
        assert await tx.get_state(LAST_ANSWER) == f"{entry.id} {START.isoformat()}"
        assert await tx.get_state(f"answered:{entry.id}") == question


@pytest.mark.parametrize(("typed", "pain"), [("7", 7), (" 3 / 10 ", 3), ("0/10", 0), ("10", 10)])
async def test_a_typed_pain_score_answers_the_starting_pain_question(
    chat: Chat, store: Store, kb: KnowledgeBase, typed: str, pain: int
) -> None:
    await chat.press(cb.encode(cb.StartRoutine("beginner", "weeks-1-2")))
    await chat.press(rt_data("safe"))
    replies = await chat.text(typed)
    assert step_of(replies) == (1, BEGINNER_STEPS)
    state = await active_state(store, kb)
    assert state is not None and state.pain_before == pain


@pytest.mark.parametrize("typed", ["11", "-1", "100"])
async def test_a_typed_pain_score_out_of_range_asks_again(
    chat: Chat, store: Store, kb: KnowledgeBase, typed: str
) -> None:
    await chat.press(cb.encode(cb.StartRoutine("beginner", "weeks-1-2")))
    await chat.press(rt_data("safe"))
    assert await chat.text(typed) == [Send(msg.invalid_pain())]
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.PAIN_BEFORE


async def test_a_number_typed_during_a_step_is_not_a_pain_score(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    await chat.text("7")
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.STEP and state.step_index == 1


async def test_an_ordinary_reply_to_it_hurts_asks_for_the_score_on_a_new_card(chat: Chat) -> None:
    await go_to_step(chat, 2)
    await chat.press(rt_data("hurt"))
    replies = await chat.text("it just aches a bit")
    assert replies[0] == Send(msg.hurt_noted())
    [card] = replies[1:]
    assert isinstance(card, Send) and card.card
    assert card.text == msg.pain_question("hurt")


async def test_a_very_long_question_is_kept_cut_to_the_limit(chat: Chat, store: Store) -> None:
    text = "where is the capital of france " * 200
    await chat.text(text)
    [(kept, _)] = await store.unanswered()
    assert len(kept) == MAX_KEPT_QUESTION
    assert text.startswith(kept)


def test_inline_without_a_query_offers_the_first_ten_entries(
    kb: KnowledgeBase, dialogue: Dialogue
) -> None:
    items = dialogue.inline("   ")
    first = list(kb.entries.values())[:10]
    assert [i.entry_id for i in items] == [e.id for e in first]
    item, entry = items[0], first[0]
    assert (item.title, item.text, item.start_payload) == (
        entry.title,
        msg.answer(entry),
        f"kb-{entry.id}",
    )
    assert item.description == msg.inline_description(entry)


def test_inline_offers_only_entries_above_the_clarify_floor_best_first(
    answerer: Answerer, dialogue: Dialogue
) -> None:
    query = "psoas"
    items = dialogue.inline(query)
    floor = answerer.matcher.thresholds.clarify
    expected = [c.entry_id for c in answerer.matcher.score(query)[:10] if c.score >= floor]
    assert expected
    assert [i.entry_id for i in items] == expected
    assert dialogue.inline("zzqx wibble") == []


async def test_each_question_is_logged_with_its_kind_entry_and_score(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer, store: Store
) -> None:
    question, entry = answered_entry(kb, answerer)
    await chat.text(question)
    await chat.text(OFF_TOPIC)
    rows = (await store.export_rows())["question_log"]
    logged = sorted((r[1], r[2], r[3]) for r in rows)
    assert logged == sorted(
        [
            ("answer", entry.id, answerer.verdict(question).score),
            ("fallback", None, answerer.verdict(OFF_TOPIC).score),
        ]
    )


async def test_kept_questions_name_why_they_were_kept_and_the_entry(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer, store: Store
) -> None:
    question, entry = answered_entry(kb, answerer)
    await chat.text(OFF_TOPIC)
    await chat.text(question)
    await chat.press(cb.encode(cb.Feedback(entry.id, False)))
    kept = sorted((k.text, k.reason, k.entry_id) for k in await store.review_questions())
    assert kept == sorted([(OFF_TOPIC, "unanswered", None), (question, "not-helpful", entry.id)])


async def clarified(chat: Chat, answerer: Answerer) -> tuple[str, list[str]]:
    for question in ("hip flexor exercises", "How long should I sit?", "stretch or rest"):
        verdict = answerer.verdict(question)
        if verdict.kind == "clarify":
            await chat.text(question)
            return question, [c.entry_id for c in verdict.candidates]
    pytest.fail("none of the vague questions gets a 'did you mean' any more")


async def test_an_entry_that_was_not_offered_is_answered_but_not_kept(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer, store: Store
) -> None:
    question, offered = await clarified(chat, answerer)
    other = next(e for e in kb.entries.values() if e.id not in offered)
    replies = await chat.press(cb.encode(cb.ChooseEntry(other.id)), message_id=None)
    assert replies == [Toast(""), Send(msg.answer(other), full_keyboard(kb, other))]
    assert await store.review_questions() == []
    await chat.press(cb.encode(cb.ChooseEntry(offered[0])))
    kept = [(k.text, k.reason, k.entry_id) for k in await store.review_questions()]
    assert kept == [(question, "chosen", offered[0])]


async def test_a_chosen_entry_remembers_the_question_for_its_feedback(
    chat: Chat, kb: KnowledgeBase, answerer: Answerer, store: Store
) -> None:
    question, offered = await clarified(chat, answerer)
    await chat.press(cb.encode(cb.ChooseEntry(offered[0])))
    async with store.user_action(USER) as tx:
        assert await tx.get_state(f"answered:{offered[0]}") == question
        assert await tx.get_state(LAST_ANSWER) == f"{offered[0]} {START.isoformat()}"


async def test_none_of_these_without_a_question_keeps_nothing(chat: Chat, store: Store) -> None:
    replies = await chat.press(cb.encode(cb.NoneOfThese()), message_id=None)
    assert replies == [Toast(""), Send(msg.fallback(), BROWSE)]
    assert await store.review_questions() == []


FLAGGED_QUESTION = "Should I use heat or ice on my back? Also since yesterday both my legs are numb"


async def test_a_flagged_question_mid_routine_pauses_it_and_offers_no_way_back(
    chat: Chat, kb: KnowledgeBase, store: Store
) -> None:
    await go_to_step(chat, 2)
    replies = await chat.text(FLAGGED_QUESTION)
    entry = kb.entries["heat-or-ice"]
    assert replies == [
        Send(msg.urgent(kb.tiers["emergency"])),
        Send(msg.routine_paused_for_safety()),
        Send(msg.answer(entry), full_keyboard(kb, entry)),
    ]
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.PAUSED


async def test_a_flagged_question_without_a_routine_gets_the_alarm_then_the_answer(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.text(FLAGGED_QUESTION)
    entry = kb.entries["heat-or-ice"]
    assert replies == [
        Send(msg.urgent(kb.tiers["emergency"])),
        Send(msg.answer(entry), full_keyboard(kb, entry)),
    ]


async def test_a_red_flag_in_reply_to_it_hurts_pauses_and_asks_nothing_more(
    chat: Chat, kb: KnowledgeBase, store: Store
) -> None:
    await go_to_step(chat, 2)
    await chat.press(rt_data("hurt"))
    replies = await chat.text("both my legs are numb since yesterday")
    assert replies == [
        Send(msg.urgent(kb.tiers["emergency"])),
        Send(msg.routine_paused_for_safety()),
    ]
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.PAUSED
