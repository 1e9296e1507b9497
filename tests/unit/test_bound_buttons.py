"""Buttons bound to what they were drawn for: routine buttons to their session and step, the
/forget confirmation to a one-time nonce; a change whose card never arrived is taken back;
an update id is handled once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import routine as rt
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import CommandIn
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.replies import Edit, Send, Toast, WakeAt
from bot.store import Store
from tests.unit.dialogue_chat import (
    CARD,
    GLUTE_BRIDGE,
    Chat,
    Clock,
    active_state,
    go_to_step,
    joined,
    raw_data,
    step_of,
    toasts,
)

# ---------------------------------------------------------------------------- the codec


_TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz234567", min_size=8, max_size=8)
_CARD_KEY = st.builds(lambda c, n: f"{c}{n}", st.sampled_from("cbshxpa"), st.integers(0, 999))


@given(st.sampled_from(sorted(cb.ROUTINE_ACTIONS)), _TAG, _CARD_KEY)
def test_a_bound_routine_button_fits_64_bytes_and_parses_back(
    action: str, tag: str, card: str
) -> None:
    button = cb.RoutineButton(action, tag, card)  # type: ignore[arg-type]
    data = cb.encode(button)
    assert len(data.encode()) <= cb.MAX_BYTES
    assert cb.parse(data) == button


@given(st.integers(0, 10), _TAG, _CARD_KEY)
def test_a_bound_pain_button_parses_back(value: int, tag: str, card: str) -> None:
    assert cb.parse(cb.encode(cb.PainScore(value, tag, card))) == cb.PainScore(value, tag, card)


@pytest.mark.parametrize(
    "data",
    ["rt:done:ab:s1:x", "rt:done:AB:s1", "rt:done:ab:1s", "pn:3:ab:s1234", "fg:no:nonce",
     "fg:yes:bad nonce", "rt:done::s1"],
)  # fmt: skip
def test_malformed_tags_parse_to_nothing(data: str) -> None:
    assert cb.parse(data) is None


# ---------------------------------------------------------------------------- routine buttons


async def test_a_double_tap_changes_one_step_and_shows_it_again(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    done = chat.latest("rt:done")

    first = await chat.press(done)
    second = await chat.press(done)

    assert step_of(first)[0] == 3
    assert toasts(second) == [msg.stale_button()]
    [again] = [r for r in second if isinstance(r, Edit)]
    assert again.message_id == CARD and step_of([again])[0] == 3  # the card as it is now
    state = await active_state(store, kb)
    assert state is not None and state.step_index == 2


async def test_a_button_of_another_users_session_changes_nothing(
    chat: Chat, other: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    await go_to_step(other, 4)
    for data in ("rt:done", "rt:skip", "rt:stop", "rt:pause", "rt:hurt"):
        replies = await other.press(chat.latest(data))
        assert replies == [Toast(msg.stale_button())], data
    mine = await active_state(store, kb)
    theirs = await active_state(store, kb, user=other.who.user_id)
    assert mine is not None and mine.step_index == 1
    assert theirs is not None and theirs.step_index == 3


async def test_a_card_of_the_session_shown_by_resume_keeps_working_for_its_step(
    chat: Chat,
) -> None:
    await go_to_step(chat, 2)
    await chat.command("resume")  # the same step on a second card

    replies = await chat.press("rt:done", message_id=CARD + 1)

    assert step_of(replies)[0] == 3


async def test_a_timer_ending_under_the_card_keeps_its_done_button_working(
    chat: Chat, clock: Clock
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    done_with_timer = chat.latest("rt:done")
    await chat.press("rt:timer")
    clock.advance(seconds=60)
    await chat.fire_timers()

    replies = await chat.press(done_with_timer)

    assert step_of(replies)[0] == GLUTE_BRIDGE + 2


# ---------------------------------------------------------------------------- undo


async def test_undo_takes_back_a_change_whose_card_did_not_arrive(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    done_on_screen = chat.latest("rt:done")
    [card] = [r for r in await chat.press(done_on_screen) if isinstance(r, Edit)]
    assert card.card and card.undo is not None

    assert await chat.dialogue.undo(chat.who, card.undo) == []

    state = await active_state(store, kb)
    assert state is not None and state.step_index == 1
    assert step_of(await chat.press(done_on_screen))[0] == 3  # the screen's button works


async def test_undo_after_the_session_moved_on_changes_nothing(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    [card] = [r for r in await chat.press("rt:done") if isinstance(r, Edit)]
    await chat.press("rt:done")  # another process handled the next press meanwhile
    assert card.undo is not None

    assert await chat.dialogue.undo(chat.who, card.undo) is None

    state = await active_state(store, kb)
    assert state is not None and state.step_index == 3


async def test_undo_of_done_during_a_timer_sets_the_timer_again(
    chat: Chat, store: Store, kb: KnowledgeBase, clock: Clock
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press("rt:timer")
    [card] = [r for r in await chat.press("rt:done") if isinstance(r, Edit)]
    assert card.undo is not None

    replies = await chat.dialogue.undo(chat.who, card.undo)

    assert replies is not None and [type(r) for r in replies] == [WakeAt]
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.TIMER
    clock.advance(seconds=60)
    [(_, fired)] = await chat.fire_timers()
    assert "Time's up" in joined(fired)


async def test_a_starting_card_that_did_not_arrive_leaves_no_session(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    replies = await chat.press(cb.encode(cb.StartRoutine("gentle-start")))
    [card] = [r for r in replies if isinstance(r, Edit | Send) and r.card]
    assert card.undo is not None and card.undo.before is None

    await chat.dialogue.undo(chat.who, card.undo)

    assert await active_state(store, kb) is None


async def test_the_end_of_a_session_and_a_timers_card_are_not_taken_back(
    chat: Chat, clock: Clock
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press("rt:timer")
    clock.advance(seconds=60)
    [(_, fired)] = await chat.fire_timers()
    stopped = await chat.press("rt:stop")

    for reply in [*fired, *stopped]:
        if isinstance(reply, Edit | Send):
            assert reply.undo is None


# ---------------------------------------------------------------------------- /forget


async def test_only_the_latest_forget_question_deletes(chat: Chat, store: Store) -> None:
    await chat.command("reminder", "08:00")
    first = await chat.command("forget")
    await chat.command("forget")
    [old_yes] = [d for d in raw_data(first) if d.startswith("fg:yes:")]

    replies = await chat.press(old_yes, message_id=61)

    assert toasts(replies) == [msg.stale_button()]
    assert [r.text for r in replies if isinstance(r, Send)] == [msg.forget_question()]
    assert await store.user_count() == 1
    assert joined(await chat.press("fg:yes", message_id=63)) == msg.forgotten()
    assert await store.user_count() == 0


# ---------------------------------------------------------------------------- update ids


async def test_an_update_id_is_handled_once(chat: Chat) -> None:
    event = CommandIn(chat.who, "help")
    first = await chat.dialogue.handle_once(event, 1001)
    again = await chat.dialogue.handle_once(event, 1001)

    assert first and again is None
    assert await chat.dialogue.handle_once(event, 1002)
