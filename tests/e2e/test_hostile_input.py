"""Odd, hostile or unlucky input gets a polite answer, never a crash or an ERROR in the logs:
huge and HTML-laden messages, forged callback data, double taps ("message is not
modified"), expired queries ("query is too old"), media, edits and channel posts."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.dialogue import messages as msg
from tests.e2e.harness import AnyApplication, Chat, shown, texts
from tests.fakes import FakeBotApi, FakeUser
from tests.fakes.bot_api import MESSAGE_NOT_MODIFIED, QUERY_TOO_OLD

ErrorLog = Callable[[], list[logging.LogRecord]]


def assert_all_calls_ok(fake: FakeBotApi, *methods: str) -> None:
    for method in methods:
        failed = [(c.status, c.error) for c in fake.calls_to(method) if not c.ok]
        assert failed == [], f"{method} failed: {failed}"


def assert_nothing_went_wrong(fake: FakeBotApi, chat_id: int) -> None:
    said = [m.rendered_text for m in fake.sent_messages(chat_id)]
    assert shown(msg.something_went_wrong()) not in said


@pytest.mark.parametrize(
    "text",
    [
        ("my lower back hurts when I sit at my desk all day " * 250)[:10_000],
        "x" * 10_000,
        "\n\n".join(["why"] * 3_000)[:10_000],
    ],
    ids=["long-question", "one-long-word", "many-paragraphs"],
)
async def test_a_10000_character_message_gets_a_polite_answer(
    text: str,
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    assert len(text) == 10_000

    replies = await chat(alice).say(text)

    assert replies
    assert_all_calls_ok(fake, "sendMessage")
    assert_nothing_went_wrong(fake, alice.id)
    assert hipbot_errors() == []


async def test_html_in_a_message_is_neither_interpreted_nor_rejected(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    replies = await chat(alice).say("<b>x</b> & <script>alert(1)</script> back pain?")

    assert replies
    assert_all_calls_ok(fake, "sendMessage")
    assert_nothing_went_wrong(fake, alice.id)
    assert hipbot_errors() == []


async def test_html_in_a_users_name_is_shown_literally(
    app: AnyApplication,
    fake: FakeBotApi,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    mallory = fake.new_user(1003, "<b>x</b> & <script>")

    greeting = await chat(mallory).say_one("/start")

    assert (greeting.rendered_text or "").startswith("Hello <b>x</b> & <script>!")
    assert_all_calls_ok(fake, "sendMessage")
    assert hipbot_errors() == []


@pytest.mark.parametrize(
    "data",
    [
        "rt:zzz",
        "\x00\xff junk " * 20 + "x" * 50,  # 200+ bytes: more than Telegram allows
        "",
        "pn:99",
        "rs:no-such-routine",
        "kb:no-such-entry",
        "fb:2:heat-or-ice",
        "te:../../etc/passwd",
        "mn:admin",
    ],
    ids=[
        "unknown-action",
        "junk",
        "empty",
        "pain-99",
        "routine",
        "entry",
        "feedback",
        "path",
        "menu",
    ],
)
async def test_forged_callback_data_is_answered_politely(
    data: str,
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    alices = chat(alice)
    greeting = await alices.say_one("/start")

    forged = await alices.press(greeting.message_id, data, check_button=False)

    assert forged.answer is not None
    assert forged.toast == msg.stale_button()
    assert forged.message.edit_count == 0
    assert_nothing_went_wrong(fake, alice.id)
    assert hipbot_errors() == []


async def test_a_double_tap_on_a_topics_button_is_harmless(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    alices = chat(alice)
    topics = await alices.say_one("/topics")
    category = topics.callback_data[0]

    # Both taps reach the bot before it has edited the message.
    first = fake.press_button(alice.id, alice.id, topics.message_id, category)
    second = fake.press_button(alice.id, alice.id, topics.message_id, category)
    await alices.handled.wait(first)
    await alices.handled.wait(second)

    edits = fake.calls_to("editMessageText")
    assert [c.ok for c in edits] == [True, False]
    assert edits[1].error == MESSAGE_NOT_MODIFIED
    for update_id in (first, second):
        query_id = fake.update(update_id)["callback_query"]["id"]
        assert fake.callback_answer(query_id) is not None
    assert fake.message(alice.id, topics.message_id).edit_count == 1
    assert_nothing_went_wrong(fake, alice.id)
    assert hipbot_errors() == []


async def test_a_query_too_old_to_answer_still_gets_its_reply(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    alices = chat(alice)
    greeting = await alices.say_one("/start")
    topics = (await alices.say("/topics"))[-1]
    fake.inject_fault("answerCallbackQuery", status=400, description=QUERY_TOO_OLD, times=2)

    helped = await alices.press(greeting.message_id, "mn:help")  # answered first, then sent
    browsed = await alices.press(topics.message_id, topics.callback_data[0])  # edited first

    assert helped.answer is None and browsed.answer is None
    assert [c.error for c in fake.calls_to("answerCallbackQuery")] == [QUERY_TOO_OLD] * 2
    assert texts(helped.new)[0].startswith("What I can do")
    assert browsed.message.edit_count == 1
    assert_nothing_went_wrong(fake, alice.id)
    assert hipbot_errors() == []


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "location"])
async def test_a_message_without_text_gets_i_can_only_read_text(
    kind: str,
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    send: dict[str, Callable[[], int]] = {
        "sticker": lambda: fake.send_sticker(alice),
        "photo": lambda: fake.send_photo(alice, caption="my back, see?"),
        "voice": lambda: fake.send_voice(alice),
        "location": lambda: fake.send_location(alice, 52.52, 13.40),
    }

    replies = await chat(alice).push(send[kind])

    assert texts(replies) == [shown(msg.not_text())]
    assert hipbot_errors() == []


async def test_an_edited_message_is_ignored(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    alices = chat(alice)
    hello = fake.send_text(alice, "hello")
    await alices.handled.wait(hello)
    user_message_id = fake.update(hello)["message"]["message_id"]

    replies = await alices.push(
        lambda: fake.edit_user_message(alice.id, user_message_id, "Should I use heat or ice?")
    )

    assert replies == []
    assert hipbot_errors() == []


async def test_channel_posts_and_their_edits_are_ignored(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    hipbot_errors: ErrorLog,
) -> None:
    channel = -100_777
    alices = chat(alice)
    post = fake.send_channel_post(channel, "/start @HipBackCoachBot is heat good for my back?")
    await alices.handled.wait(post)
    edit = fake.edit_user_message(channel, fake.update(post)["channel_post"]["message_id"], "?")
    await alices.handled.wait(edit)

    assert [c for c in fake.calls if c.chat_id == channel] == []
    assert hipbot_errors() == []
