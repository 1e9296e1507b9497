"""Tests for the fake Telegram Bot API server, driven by the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import logging
import threading
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fakes.bot_api import (
    BAD_HTML_PREFIX,
    BUTTON_DATA_INVALID,
    MESSAGE_NOT_MODIFIED,
    MESSAGE_TEXT_EMPTY,
    MESSAGE_TO_EDIT_NOT_FOUND,
    MESSAGE_TOO_LONG,
    QUERY_TOO_OLD,
    FakeBotApi,
    FakeUser,
    HtmlParseError,
    parse_telegram_html,
)

TOKEN = "123456:TEST-token"


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server
    assert not server.internal_errors


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.api_url, base_file_url=fake.file_url) as tg_bot:
        yield tg_bot


@pytest.fixture
def alice(fake: FakeBotApi) -> FakeUser:
    return fake.new_user(1001, "Alice", username="alice")


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: int | dtm.timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ------------------------------------------------------------------------------------ basics


async def test_get_me_identifies_the_bot_from_its_token(fake: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "HipBackCoachBot"
    assert fake.calls_to("getMe")[0].ok


async def test_send_edit_and_not_modified(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    sent = await bot.send_message(
        alice.id, "<b>Hip</b> flexor stretch", parse_mode="HTML", reply_markup=keyboard("next")
    )
    assert sent.message_id == 1
    assert sent.text == "Hip flexor stretch"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 3)]
    assert sent.from_user is not None and sent.from_user.id == bot.id
    assert sent.chat.id == alice.id and sent.chat.type == "private"
    assert sent.reply_markup == keyboard("next")

    stored = fake.sent_messages(alice.id)
    assert len(stored) == 1
    assert stored[0].text == "<b>Hip</b> flexor stretch"  # as given
    assert stored[0].parse_mode == "HTML"
    assert stored[0].callback_data == ["next"]

    edited = await bot.edit_message_text(
        "Step 2", chat_id=alice.id, message_id=sent.message_id, reply_markup=keyboard("next")
    )
    assert isinstance(edited, type(sent)) and edited.text == "Step 2"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "Step 2", chat_id=alice.id, message_id=sent.message_id, reply_markup=keyboard("next")
        )
    assert fake.calls_to("editMessageText")[-1].error == MESSAGE_NOT_MODIFIED

    # Without reply_markup Telegram removes the inline keyboard: that is a modification.
    await bot.edit_message_text("Step 2", chat_id=alice.id, message_id=sent.message_id)
    current = fake.message(alice.id, sent.message_id)
    assert current.reply_markup is None
    assert current.edit_count == 2
    assert current.history == ["<b>Hip</b> flexor stretch", "Step 2", "Step 2"]

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id)
    await bot.edit_message_reply_markup(
        chat_id=alice.id, message_id=sent.message_id, reply_markup=keyboard("a", "b")
    )
    assert fake.message(alice.id, sent.message_id).callback_data == ["a", "b"]

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=99)
    assert fake.calls_to("editMessageText")[-1].error == MESSAGE_TO_EDIT_NOT_FOUND

    second = await bot.send_message(alice.id, "next one")
    assert second.message_id == 2


async def test_text_length_and_emptiness(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.id, "x" * 4096)
    # The limit applies to the text after entity parsing.
    await bot.send_message(alice.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "x" * 4097)
    assert fake.calls_to("sendMessage")[-1].error == MESSAGE_TOO_LONG
    for empty in ("", "   \n"):
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(alice.id, empty)
        assert fake.calls_to("sendMessage")[-1].error == MESSAGE_TEXT_EMPTY
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")
    assert len(fake.sent_messages(alice.id)) == 2


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<p>Stretch</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("pain < 3 days", 'Unsupported start tag "" at byte offset 5'),
        ("hold <b", "Unclosed start tag at byte offset 5"),
        ("<b>bold", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("é <br>", 'Unsupported start tag "br" at byte offset 3'),
        ('<span class="big">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("R&D", 'Unexpected "&" at byte offset 1; escape it as "&amp;"'),
    ],
)
async def test_invalid_html_is_rejected_like_telegram(
    fake: FakeBotApi, bot: Bot, alice: FakeUser, html: str, problem: str
) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(alice.id, html, parse_mode="HTML")
    assert fake.calls_to("sendMessage")[-1].error == BAD_HTML_PREFIX + problem
    assert fake.sent_messages(alice.id) == []


def test_parse_telegram_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_telegram_html(
        '😀 <b>Hold <i>30</i>s</b> &lt;3 <a href="https://e.x/?a=1&amp;b=2">src</a> '
        '<pre><code class="language-python">x = 1</code></pre>'
        "<tg-spoiler>s</tg-spoiler><blockquote expandable>q</blockquote>"
    )
    assert text == "😀 Hold 30s <3 src x = 1sq"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 8},
        {"type": "italic", "offset": 8, "length": 2},
        {"type": "text_link", "url": "https://e.x/?a=1&b=2", "offset": 15, "length": 3},
        {"type": "pre", "language": "python", "offset": 19, "length": 5},
        {"type": "spoiler", "offset": 24, "length": 1},
        {"type": "expandable_blockquote", "offset": 25, "length": 1},
    ]
    assert parse_telegram_html("R&D", strict_ampersand=False) == ("R&D", [])
    with pytest.raises(HtmlParseError):
        parse_telegram_html("R&D")


async def test_inline_keyboard_limits(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.id, "ok", reply_markup=keyboard("d" * 64))
    for too_long in ("d" * 65, "é" * 33):  # 64 *bytes* at most
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(alice.id, "x", reply_markup=keyboard(too_long))
        assert fake.calls_to("sendMessage")[-1].error == BUTTON_DATA_INVALID
    many = InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(i), callback_data=str(i))] for i in range(101)]
    )
    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await bot.send_message(alice.id, "x", reply_markup=many)
    assert len(fake.sent_messages(alice.id)) == 1


async def test_callback_query_round_trip(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    sent = await bot.send_message(alice.id, "Pick", reply_markup=keyboard("hip", "back"))
    with pytest.raises(ValueError, match="no button"):
        fake.press_button(alice.id, alice.id, sent.message_id, "knee")
    update_id = fake.press_button(alice.id, alice.id, sent.message_id, "back")

    (update,) = await bot.get_updates()
    assert update.update_id == update_id
    query = update.callback_query
    assert query is not None and query.data == "back"
    assert query.from_user.id == alice.id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.id == fake.update(update_id)["callback_query"]["id"]

    assert await bot.answer_callback_query(query.id, text="Back it is") is True
    assert fake.callback_answer(query.id) == {"callback_query_id": query.id, "text": "Back it is"}
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("never-issued")
    assert fake.calls_to("answerCallbackQuery")[-1].error == QUERY_TOO_OLD


# ---------------------------------------------------------------------------------- polling


async def test_long_polling_returns_a_pushed_update(
    fake: FakeBotApi, bot: Bot, alice: FakeUser
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_until_async(lambda: fake.waiting_pollers == 1)
    pushed_at = time.monotonic()
    update_id = fake.send_text(alice, "/start hello")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - pushed_at < 3  # answered on arrival, not after the timeout
    (update,) = updates
    assert update.update_id == update_id
    assert update.message is not None and update.message.text == "/start hello"
    assert [(e.type, e.offset, e.length) for e in update.message.entities] == [
        ("bot_command", 0, 6)
    ]
    assert fake.was_delivered(update_id)


async def test_long_poll_times_out_empty(fake: FakeBotApi, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 5


async def test_offsets_confirm_updates(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    ids = [fake.send_text(alice, f"message {n}") for n in range(3)]
    assert [u.update_id for u in await bot.get_updates()] == ids
    # Not confirmed yet: delivered again.
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u["update_id"] for u in fake.pending_updates] == ids[1:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert fake.pending_updates == []
    assert fake.confirmed_offset == ids[2] + 1

    more = [fake.send_text(alice, f"again {n}") for n in range(3)]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == more[-1:]
    assert [u["update_id"] for u in fake.pending_updates] == more[-1:]


async def test_concurrent_poll_gets_conflict(fake: FakeBotApi, bot: Bot) -> None:
    async with Bot(TOKEN, base_url=fake.api_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=10))
        await fake.wait_until_async(lambda: fake.waiting_pollers == 1)
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(first, 5)
        assert await second == ()


async def test_simulated_update_kinds_parse_in_ptb(
    fake: FakeBotApi, bot: Bot, alice: FakeUser
) -> None:
    bob = fake.new_user(1002, "Bob")
    first = fake.send_text(alice, "hello")
    fake.send_sticker(alice, emoji="🔥")
    fake.send_photo(alice, b"\xff\xd8jpeg", caption="my posture")
    fake.send_voice(alice, duration=4)
    fake.send_location(alice, 52.5, 13.4)
    fake.edit_user_message(alice.id, 1, "hello, edited")
    fake.send_group_text(-4001, bob, "/help@HipBackCoachBot")
    fake.send_channel_post(-1001234, "news")
    fake.send_inline_query(bob, "stretch")
    fake.send_my_chat_member(alice)

    updates = await bot.get_updates()
    assert updates[0].update_id == first
    message = updates[0].message
    assert message is not None and message.text == "hello"
    assert updates[1].message is not None and updates[1].message.sticker is not None
    assert updates[1].message.sticker.emoji == "🔥"
    photo_message = updates[2].message
    assert photo_message is not None and photo_message.caption == "my posture"
    photo_file = await bot.get_file(photo_message.photo[-1].file_id)
    assert await photo_file.download_as_bytearray() == bytearray(b"\xff\xd8jpeg")
    assert updates[3].message is not None and updates[3].message.voice is not None
    with warnings.catch_warnings():  # PTB 22 deprecates int durations
        warnings.simplefilter("ignore")
        assert updates[3].message.voice.duration in (4, dtm.timedelta(seconds=4))
    assert updates[4].message is not None and updates[4].message.location is not None
    assert updates[4].message.location.latitude == 52.5
    edited = updates[5].edited_message
    assert edited is not None and edited.text == "hello, edited" and edited.message_id == 1
    group = updates[6].message
    assert group is not None and group.chat.type == "group" and group.chat.id == -4001
    assert group.from_user is not None and group.from_user.id == bob.id
    assert group.entities[0].type == "bot_command" and group.entities[0].length == 21
    post = updates[7].channel_post
    assert post is not None and post.chat.type == "channel" and post.sender_chat is not None
    inline = updates[8].inline_query
    assert inline is not None and inline.query == "stretch"
    member = updates[9].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"

    result = InlineQueryResultArticle("1", "Stretch", InputTextMessageContent("Do it"))
    assert await bot.answer_inline_query(inline.id, [result]) is True
    answer = fake.inline_answer(inline.id)
    assert answer is not None and answer["results"][0]["title"] == "Stretch"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(inline.id, [result])

    # The user blocked the bot: sends to them fail from now on.
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "still there?")


# ----------------------------------------------------------------------------------- faults


async def test_429_fault_surfaces_as_retry_after(
    fake: FakeBotApi, bot: Bot, alice: FakeUser
) -> None:
    fake.inject_fault("sendMessage", status=429, retry_after=7)
    with warnings.catch_warnings(), pytest.raises(RetryAfter) as caught:
        warnings.simplefilter("ignore")  # PTB 22 deprecates int retry_after
        await bot.send_message(alice.id, "hi")
    assert retry_after_seconds(caught.value) == 7
    call = fake.calls_to("sendMessage")[-1]
    assert (call.status, call.error) == (429, "Too Many Requests: retry after 7")
    await bot.send_message(alice.id, "hi")  # only the next call was affected
    assert len(fake.sent_messages(alice.id)) == 1


async def test_403_fault_and_blocked_user(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    fake.inject_fault("sendMessage", status=403, chat_id=alice.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hi")
    await bot.send_message(alice.id, "hi")

    fake.block_user(alice.id)
    with pytest.raises(Forbidden):
        await bot.send_message(alice.id, "hi")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(alice.id, "typing")
    fake.unblock_user(alice.id)
    assert await bot.send_chat_action(alice.id, "typing") is True


async def test_slow_and_dropped_answers(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    fake.inject_fault("sendMessage", status=None, delay=0.3)
    started = time.monotonic()
    await bot.send_message(alice.id, "slow")
    assert time.monotonic() - started >= 0.3

    fake.inject_fault("sendMessage", status=None, delay=2.0)
    with pytest.raises(TimedOut):
        await bot.send_message(alice.id, "too slow", read_timeout=0.2)

    fake.inject_fault("sendMessage", drop_connection=True)
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "dropped")
    assert fake.calls_to("sendMessage")[-1].dropped

    fake.inject_fault("*", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_me()
    await bot.send_message(alice.id, "recovered")


async def test_a_revoked_token_answers_401_also_to_a_long_poll_in_progress(
    fake: FakeBotApi, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_until_async(lambda: fake.waiting_pollers == 1)

    fake.revoke_token()

    with pytest.raises(InvalidToken):
        await poll
    with pytest.raises(InvalidToken):
        await bot.get_me()


async def test_refused_connections_then_accepted_again_on_the_same_port(
    fake: FakeBotApi, bot: Bot, alice: FakeUser
) -> None:
    await bot.send_message(alice.id, "before")  # a connection is open and kept alive
    port = fake.port

    fake.refuse_connections()
    with pytest.raises(NetworkError, match="ConnectError"):
        await bot.send_message(alice.id, "down")
    fake.accept_connections()

    await bot.send_message(alice.id, "after")
    assert fake.port == port
    assert [m.text for m in fake.sent_messages(alice.id)] == ["before", "after"]


async def test_deliver_raw_webhook_posts_any_bytes(
    fake: FakeBotApi, webhook_receiver: tuple[str, list[tuple[dict[str, str], Any]]]
) -> None:
    url, received = webhook_receiver
    assert await asyncio.to_thread(fake.deliver_raw_webhook, url, b'{"update_id": 1}', "s") == (
        200,
        b"ok",
    )
    assert received[-1][1] == {"update_id": 1}


# ------------------------------------------------------------------------------ files, misc


async def test_send_photo_multipart_bytes_are_stored(
    fake: FakeBotApi, bot: Bot, alice: FakeUser
) -> None:
    data = bytes(range(256)) * 40 + b"\r\n--not-a-boundary\r\n"
    sent = await bot.send_photo(
        alice.id, photo=data, caption="<i>Good</i> form", parse_mode="HTML", filename="pose.jpg"
    )
    assert sent.caption == "Good form"
    call = fake.calls_to("sendPhoto")[-1]
    assert call.files["photo"].data == data
    assert call.params["caption"] == "<i>Good</i> form"
    stored = fake.last_sent_message(alice.id)
    assert stored.kind == "photo" and stored.file_bytes == data
    assert fake.file_bytes(sent.photo[-1].file_id) == data
    downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == data

    again = await bot.send_photo(alice.id, photo=sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id


async def test_commands_actions_and_deletion(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    commands = [BotCommand("start", "Start"), BotCommand("routine", "Exercise routine")]
    assert await bot.set_my_commands(commands) is True
    assert await bot.get_my_commands() == tuple(commands)
    assert fake.commands() == [c.to_dict() for c in commands]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "bad")])
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == ()

    with pytest.raises(BadRequest):
        await bot.send_chat_action(alice.id, "dancing")
    sent = await bot.send_message(alice.id, "temporary")
    assert await bot.delete_message(alice.id, sent.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=sent.message_id)
    assert fake.sent_messages(alice.id) == []
    assert await bot.close() is True


async def test_unknown_method_and_wrong_token(
    fake: FakeBotApi, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")
    assert fake.calls_to("fooBar")[-1].error == "Not Found: method not found"

    other = Bot("999:OTHER-token", base_url=fake.api_url)
    try:
        with pytest.raises(InvalidToken):
            await other.initialize()  # getMe
    finally:
        await other.shutdown()
    assert fake.calls[-1].status == 401
    for secret in ("TEST-token", "OTHER-token"):
        assert secret not in repr(fake)
        assert secret not in repr(fake.calls)
        assert all(
            secret not in r.getMessage() for r in caplog.records if r.name.startswith("tests")
        )


async def test_rate_observation(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    bob = fake.new_user(1002, "Bob")
    await asyncio.gather(*(bot.send_message(alice.id, f"a{n}") for n in range(5)))
    for n in range(2):
        await bot.send_message(bob.id, f"b{n}")
    # A wide window keeps the assertions independent of machine speed.
    assert fake.max_rate(alice.id, window=60) == 5
    assert fake.max_rate(window=60) == 7
    assert fake.max_rate_per_chat(window=60) == {alice.id: 5, bob.id: 2}
    assert len(fake.call_times(chat_id=bob.id)) == 2
    # Sliding window semantics: [t, t + window).
    assert FakeBotApi._max_in_window([0.0, 0.5, 0.99, 1.0, 1.5, 1.6], 1.0) == 4


async def test_blocking_wait_for_from_a_thread(fake: FakeBotApi, bot: Bot, alice: FakeUser) -> None:
    since = fake.call_count
    waiter = asyncio.create_task(asyncio.to_thread(fake.wait_for, "sendMessage", 5, since=since))
    await bot.send_message(alice.id, "ping")
    call = await waiter
    assert call.ok and call.result["text"] == "ping"
    with pytest.raises(TimeoutError):
        await fake.wait_for_async("sendPhoto", timeout=0.05)


# ---------------------------------------------------------------------------------- webhook


class _Recorder(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], Any]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers.items()), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], Any]]]]:
    received: list[tuple[dict[str, str], Any]] = []
    handler = type("Recorder", (_Recorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_deliver_webhook(
    fake: FakeBotApi,
    bot: Bot,
    alice: FakeUser,
    webhook_receiver: tuple[str, list[tuple[dict[str, str], Any]]],
) -> None:
    url, received = webhook_receiver
    update = {"update_id": 77, "message": {"message_id": 1, "date": 0, "text": "hi"}}
    assert await fake.deliver_webhook_async(url, update, secret_token="s3cret") == (200, b"ok")
    headers, body = received[-1]
    assert body == update
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
    assert headers["Content-Type"] == "application/json"

    # Webhook mode: the fake delivers its queue to the URL the bot registered.
    assert await bot.set_webhook(url, secret_token="hook-secret") is True
    assert (await bot.get_webhook_info()).url == url
    update_id = fake.send_text(alice, "/start")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await fake.flush_webhook_async() == [(update_id, 200, b"ok")]
    headers, body = received[-1]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "hook-secret"
    assert Update.de_json(body, bot).message.text == "/start"  # type: ignore[union-attr]
    assert fake.pending_updates == []
    assert await bot.delete_webhook() is True
    assert await bot.get_updates(timeout=0) == ()


# ------------------------------------------------------------------------ application, stop


async def test_real_application_polls_and_answers(fake: FakeBotApi, alice: FakeUser) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Ready?", reply_markup=keyboard("go"))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Let's go")
        await query.edit_message_text("Started")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.api_url)
        .base_file_url(fake.file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        fake.send_text(alice, "/start")
        prompt = await fake.wait_for_message_async(alice.id, "Ready?")
        update_id = fake.press_button(alice.id, alice.id, prompt.message_id, "go")
        await fake.wait_for_async("editMessageText")
        await app.updater.stop()
        await app.stop()
    query_id = fake.update(update_id)["callback_query"]["id"]
    answer = fake.callback_answer(query_id)
    assert answer is not None and answer["text"] == "Let's go"
    assert fake.last_sent_message(alice.id).rendered_text == "Started"
    assert fake.confirmed_offset > update_id  # PTB confirmed everything on shutdown
    assert "deleteWebhook" in {c.method for c in fake.calls}


async def test_stop_ends_long_polls_and_joins_threads() -> None:
    fake = FakeBotApi(token=TOKEN).start()
    async with Bot(TOKEN, base_url=fake.api_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await fake.wait_until_async(lambda: fake.waiting_pollers == 1)
        stopped_at = time.monotonic()
        fake.stop()
        assert time.monotonic() - stopped_at < 3
        assert await asyncio.wait_for(poll, 5) == ()
    assert not [t for t in threading.enumerate() if t.name.startswith("fake-bot-api")]
