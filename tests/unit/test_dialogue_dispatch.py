"""The dispatcher: which feature each event reaches, the start menu, the main-menu buttons,
commands in any case, the user row it keeps, update ids it forgets, the admin gate; and the
small helpers every feature shares (private chat, keyboards, time zones)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import ButtonIn, CommandIn, Dialogue, OtherIn, TextIn, Who
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.context import (
    Ctx,
    edit_or_send,
    kb_buttons,
    keep_question,
    menu,
    utcnow,
    zone,
)
from bot.dialogue.events import private_chat
from bot.dialogue.questions import LAST_QUESTION
from bot.dialogue.replies import Button, Edit, Send, Toast
from bot.dialogue.routines import Routines
from bot.store import Store
from tests.unit.dialogue_chat import START, USER, Chat, Clock, active_state, go_to_step

START_MENU = (
    (Button(msg.START_ROUTINE_LABEL, menu("routine")),),
    (Button(msg.BROWSE_TOPICS_LABEL, menu("topics")),),
    (Button(msg.HELP_LABEL, menu("help")),),
)


async def test_start_greets_by_name_with_the_three_menu_buttons(chat: Chat) -> None:
    assert await chat.command("start") == [Send(msg.greeting("Ann"), START_MENU)]
    assert await chat.command("START", "  ") == [Send(msg.greeting("Ann"), START_MENU)]


@pytest.mark.parametrize("payload", ["kb-no-such-entry", "kb-", "nonsense", "Beginner"])
async def test_start_with_a_payload_it_does_not_know_just_greets(chat: Chat, payload: str) -> None:
    assert await chat.command("start", payload) == [Send(msg.greeting("Ann"), START_MENU)]


async def test_start_with_an_entry_link_sends_that_answer(chat: Chat, kb: KnowledgeBase) -> None:
    entry = list(kb.entries.values())[1]
    [answer] = await chat.command("start", f"kb-{entry.id} extra")
    assert isinstance(answer, Send) and answer.text == msg.answer(entry)


async def test_the_main_menu_buttons_answer_with_an_empty_toast_first(
    chat: Chat, kb: KnowledgeBase
) -> None:
    routine_menu = await chat.press(menu("routine"))
    assert routine_menu[0] == Toast("")
    assert isinstance(routine_menu[1], Send)
    assert routine_menu[1].text == msg.routine_menu(list(kb.routines.values()))
    topics = await chat.press(menu("topics"))
    assert topics[0] == Toast("")
    assert isinstance(topics[1], Send) and topics[1].text == msg.topics_root()
    assert await chat.press(menu("help")) == [Toast(""), Send(msg.help_text())]


async def test_an_unknown_routine_is_a_stale_button_and_the_menu(
    chat: Chat, kb: KnowledgeBase
) -> None:
    replies = await chat.press(cb.encode(cb.StartRoutine("yoga")))
    assert replies[0] == Toast(msg.stale_button())
    [menu_reply] = replies[1:]
    assert isinstance(menu_reply, Send)
    assert menu_reply.text == msg.routine_menu(list(kb.routines.values()))


@pytest.mark.parametrize("data", ["", "garbage", "rt:nosuchaction", "mn:nosuchmenu"])
async def test_data_the_bot_does_not_know_is_a_stale_button(chat: Chat, data: str) -> None:
    assert await chat.send(ButtonIn(chat.who, data, 3)) == [Toast(msg.stale_button())]


async def test_commands_are_read_in_any_case(chat: Chat) -> None:
    assert await chat.command("Help") == [Send(msg.help_text())]
    assert await chat.command("nosuch") == [Send(msg.unknown_command())]


async def test_help_typed_as_a_word_is_the_help_command(chat: Chat) -> None:
    assert await chat.text("Help please") == [Send(msg.help_text())]
    assert await chat.text("menu") == [Send(msg.greeting("Ann"), START_MENU)]


async def test_anything_but_text_gets_the_text_only_reply(chat: Chat) -> None:
    assert await chat.send(OtherIn(chat.who, "sticker")) == [Send(msg.not_text())]


async def test_cancel_forgets_the_question_kept_for_did_you_mean(chat: Chat, store: Store) -> None:
    async with store.user_action(USER) as tx:
        await tx.set_state(LAST_QUESTION, "how do I stretch")
    assert await chat.command("cancel") == [Send(msg.cancelled(False))]
    async with store.user_action(USER) as tx:
        assert await tx.get_state(LAST_QUESTION) is None


async def test_cancel_stops_the_routine_in_progress(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    replies = await chat.command("cancel")
    assert msg.stopped(True) in [r.text for r in replies if isinstance(r, Send | Edit)]
    assert await active_state(store, kb) is None


async def test_the_first_event_saves_the_user_with_the_private_chat_and_utc(
    dialogue: Dialogue, store: Store
) -> None:
    await dialogue.handle(TextIn(Who(USER, -100500, "Ann"), "hello"))
    async with store.user_action(USER) as tx:
        user = await tx.get_user()
    assert user is not None and (user.chat_id, user.timezone) == (USER, "UTC")


async def test_a_user_keeps_their_time_zone_when_their_chat_changes(
    dialogue: Dialogue, store: Store
) -> None:
    await dialogue.handle(CommandIn(Who(USER, USER), "timezone", "Europe/Paris"))
    await dialogue.handle(TextIn(Who(USER, USER + 1), "hello"))
    async with store.user_action(USER) as tx:
        user = await tx.get_user()
    assert user is not None and (user.chat_id, user.timezone) == (USER + 1, "Europe/Paris")


async def test_update_ids_are_forgotten_after_a_day(dialogue: Dialogue, clock: Clock) -> None:
    # The store notes when an update was seen by the wall clock, not the dialogue's.
    clock.now = datetime.now(UTC)
    who = Who(USER, USER)
    assert await dialogue.handle_once(CommandIn(who, "help"), 1) is not None
    assert await dialogue.handle_once(CommandIn(who, "help"), 2) is not None
    assert await dialogue.handle_once(CommandIn(who, "help"), 1) is None
    assert await dialogue.forget_handled_updates() == 0
    clock.advance(days=1, minutes=1)
    assert await dialogue.forget_handled_updates() == 2
    assert await dialogue.handle_once(CommandIn(who, "help"), 1) is not None


async def test_a_shorter_keep_forgets_sooner(dialogue: Dialogue, clock: Clock) -> None:
    clock.now = datetime.now(UTC)
    await dialogue.handle_once(CommandIn(Who(USER, USER), "help"), 7)
    clock.advance(minutes=2)
    assert await dialogue.forget_handled_updates(timedelta(minutes=1)) == 1


async def test_the_next_wake_is_the_timer_of_a_hold(chat: Chat, dialogue: Dialogue) -> None:
    assert await dialogue.next_wake() is None
    await go_to_step(chat, 4)
    await chat.press("rt:timer")
    assert await dialogue.next_wake() == START + timedelta(seconds=3)


async def test_admin_commands_are_read_in_any_case_for_admins_only(
    kb: KnowledgeBase, answerer: Answerer, store: Store, clock: Clock
) -> None:
    dialogue = Dialogue(kb, store, answerer, clock=clock, admin_ids=frozenset({USER}))
    [stats] = await dialogue.handle(CommandIn(Who(USER, USER), "Stats"))
    assert isinstance(stats, Send) and stats.text.startswith("<b>Statistics</b>")
    assert await dialogue.handle(CommandIn(Who(USER, USER), "RELOAD")) == [
        Send(msg.reload_unavailable())
    ]
    other = await dialogue.handle(CommandIn(Who(USER + 1, USER + 1), "stats"))
    assert other == [Send(msg.unknown_command())]


async def test_stats_count_users_and_unfinished_sessions(
    kb: KnowledgeBase, answerer: Answerer, store: Store, clock: Clock
) -> None:
    dialogue = Dialogue(kb, store, answerer, clock=clock, admin_ids=frozenset({USER}))
    chat = Chat(dialogue, Who(USER + 1, USER + 1))
    await go_to_step(chat, 2)
    [stats] = await dialogue.handle(CommandIn(Who(USER, USER), "stats"))
    assert isinstance(stats, Send)
    assert "Users: 1" in stats.text  # the admin's command is no user action
    assert "Routines started: 1, finished: 0" in stats.text


def test_the_dialogue_exposes_its_knowledge_store_and_clock_and_swaps_knowledge(
    dialogue: Dialogue, kb: KnowledgeBase, store: Store, clock: Clock
) -> None:
    assert dialogue.kb is kb and dialogue.store is store and dialogue.clock is clock
    other = Answerer(kb)
    dialogue.replace_knowledge(kb, other)
    assert dialogue.services.answerer is other


@pytest.mark.parametrize(
    ("user", "chat_id", "private"), [(5, 5, 5), (5, 1, 1), (5, -1, 5), (5, -100, 5), (5, 0, 5)]
)
def test_the_private_chat_is_the_users_own_unless_the_chat_is_positive(
    user: int, chat_id: int, private: int
) -> None:
    assert private_chat(Who(user, chat_id)) == private
    assert private_chat(Who(5, 77)) == 77


def test_a_keyboard_leaves_out_empty_rows() -> None:
    a, b = Button("a", "x"), Button("b", "y")
    assert kb_buttons([[a], [], [b, a], ()]) == ((a,), (b, a))
    assert kb_buttons([]) == ()


async def test_edit_or_send_edits_the_pressed_message_else_sends(store: Store) -> None:
    async with store.user_action(USER) as tx:
        ctx = Ctx(tx, Who(USER, USER), START)
        rows = [[Button("a", "x")], []]
        assert edit_or_send(ctx, "t", rows) == [Send("t", ((Button("a", "x"),),))]
        ctx.message_id = 9
        assert edit_or_send(ctx, "t", rows) == [Edit(9, "t", ((Button("a", "x"),),))]


async def test_a_kept_question_is_written_after_the_commit_with_its_reason(
    store: Store,
) -> None:
    async with store.user_action(USER) as tx:
        ctx = Ctx(tx, Who(USER, USER), START)
        keep_question(ctx, store, "x" * 1500)
        keep_question(ctx, store, "why", "not-helpful", "heat-or-ice")
    assert await store.unanswered() == []
    for write in ctx.after_commit:
        await write()
    kept = await store.unanswered()
    assert sorted(len(text) for text, _ in kept) == [3, 1000]


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "Europe/"])
def test_an_unknown_time_zone_is_none(name: str) -> None:
    assert zone(name) is None


def test_a_known_time_zone_is_found() -> None:
    assert zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")


def test_the_routines_feature_shares_the_dialogues_services(dialogue: Dialogue) -> None:
    assert isinstance(dialogue.routines, Routines)
    assert dialogue.routines.s is dialogue.services
    assert dialogue.questions.routines is dialogue.routines


def test_the_default_clock_is_the_current_time_in_utc() -> None:
    before = datetime.now(UTC)
    now = utcnow()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("command", "first_text"),
    [
        ("start", lambda kb: msg.greeting("Ann")),
        ("help", lambda kb: msg.help_text()),
        ("topics", lambda kb: msg.topics_root()),
        ("routine", lambda kb: msg.routine_menu(list(kb.routines.values()))),
        ("resume", lambda kb: msg.no_routine()),
        ("progress", lambda kb: msg.progress(0, 0, [], None, None)),
        ("reminder", lambda kb: msg.reminder_usage(None)),
        ("timezone", lambda kb: msg.timezone_usage("UTC")),
        ("cancel", lambda kb: msg.cancelled(False)),
        ("forget", lambda kb: msg.forget_question()),
    ],
)
async def test_each_command_reaches_its_feature(
    chat: Chat, kb: KnowledgeBase, command: str, first_text: Callable[[KnowledgeBase], str]
) -> None:
    [reply] = await chat.command(command)
    assert isinstance(reply, Send) and reply.text == first_text(kb)
