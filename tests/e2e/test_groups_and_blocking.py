"""Group chats (answer only what is addressed to the bot) and users who blocked the bot."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.dialogue import messages as msg
from tests.e2e.harness import AnyApplication, Chat, shown, texts
from tests.fakes import FakeBotApi, FakeUser

ErrorLog = Callable[[], list[logging.LogRecord]]
GROUP = -500_100
QUESTION = "should I use heat or ice on my back?"


@pytest.mark.parametrize("supergroup", [False, True], ids=["group", "supergroup"])
async def test_a_plain_group_message_is_ignored(
    supergroup: bool,
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    group = chat(alice, GROUP)

    replies = await group.push(
        lambda: fake.send_group_text(GROUP, alice, QUESTION, supergroup=supergroup)
    )

    assert replies == []
    assert [c.method for c in fake.calls if c.chat_id == GROUP] == []


async def test_a_group_message_mentioning_the_bot_is_answered_in_the_group(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    replies = await chat(alice, GROUP).say(f"@HipBackCoachBot {QUESTION}")

    assert replies and "Sources" in texts(replies)[-1]
    assert fake.sent_messages(alice.id) == []  # not in Alice's private chat


async def test_a_reply_to_the_bot_in_a_group_is_answered(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    group = chat(alice, GROUP)
    help_message = await group.say_one("/help")

    replies = await group.push(
        lambda: fake.send_text(
            GROUP, QUESTION, "group", user=alice, reply_to_message_id=help_message.message_id
        )
    )

    assert replies and "Sources" in texts(replies)[-1]


@pytest.mark.parametrize("command", ["/help", "/help@HipBackCoachBot", "/HELP@hipbackcoachbot"])
async def test_commands_in_a_group_are_answered(
    command: str, app: AnyApplication, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    reply = await chat(alice, GROUP).say_one(command)

    assert (reply.rendered_text or "").startswith("What I can do")


async def test_a_command_for_another_bot_in_a_group_is_ignored(
    app: AnyApplication, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    assert await chat(alice, GROUP).say("/help@SomeOtherBot") == []


async def test_buttons_pressed_in_a_group_are_answered_in_the_group(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    group = chat(alice, GROUP)
    topics = await group.say_one("/topics")

    pressed = await group.press(topics.message_id, topics.callback_data[0])

    assert pressed.answer is not None
    assert pressed.message.edit_count == 1


async def test_a_user_who_blocked_the_bot_causes_no_crash(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alices = chat(alice)
    greeting = await alices.say_one("/start")
    await alices.push(lambda: fake.send_my_chat_member(alice, new_status="kicked"))

    assert await alices.say(QUESTION) == []
    pressed = await alices.press(greeting.message_id, "mn:topics")
    assert pressed.answer is not None  # the query is answered even though the send fails

    forbidden = [c for c in fake.calls if c.status == 403]
    assert {c.method for c in forbidden} == {"sendMessage"}
    assert any("blocked the bot" in r.getMessage() for r in caplog.records)
    assert hipbot_errors() == []
    assert await chat(bob).say_one("/start")  # everyone else is still served

    await alices.push(lambda: fake.send_my_chat_member(alice, new_status="member"))
    assert await alices.say_one("/help")  # and Alice again once she unblocks


async def test_a_403_on_one_send_drops_the_rest_of_that_reply_quietly(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    fake.inject_fault("sendMessage", status=403, chat_id=alice.id)

    assert await chat(alice).say("/start") == []
    assert await chat(alice).say_one("/start")
    assert shown(msg.something_went_wrong()) not in texts(fake.sent_messages(alice.id))
    assert hipbot_errors() == []
