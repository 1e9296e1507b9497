"""Getting replies out: flood control (429) survived without losing a reply, messages over
4096 characters split on paragraph boundaries, and the send rate kept under Telegram's
limits (per chat: a burst of 3, then 1 a second; overall: 30 a second)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from html import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.telegram.limits import CHAT_BURST, SlidingWindow
from bot.adapters.telegram.render import split_text
from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from tests.e2e.harness import TIMEOUT, AnyApplication, Chat, StartApp, texts
from tests.fakes import FakeBotApi, FakeUser
from tests.fakes.bot_api import MESSAGE_TOO_LONG, parse_telegram_html

# PTB's own RetryAfter warns about its future type whenever it is built from a 429.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:DeprecationWarning")

LIMIT = 4096
QUESTIONS = (
    "Should I use heat or ice on my back?",
    "Is sitting bad for my back?",
    "Should I stretch my hip flexors?",
)


# ------------------------------------------------------------------ flood control


async def test_flood_control_on_send_message_is_waited_out_and_no_reply_is_lost(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    alices = chat(alice)
    fake.inject_fault("sendMessage", status=429, retry_after=1)
    updates = [fake.send_text(alice, command) for command in ("/start", "/help", "/topics")]
    for update_id in updates:
        await alices.handled.wait(update_id)

    sends = fake.calls_to("sendMessage")
    assert [c.status for c in sends] == [429, 200, 200, 200]
    assert sends[1].time - sends[0].time >= 1.0  # retry_after was respected
    assert sends[0].params["text"] == sends[1].params["text"]  # the same reply, retried
    replies = texts(fake.sent_messages(alice.id))
    assert [r.split("\n")[0] for r in replies] == [
        "Hello Alice! I'm Hip & Back Coach.",
        "What I can do",
        "Topics",
    ]


async def test_flood_control_on_a_button_edit_is_waited_out(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    alices = chat(alice)
    topics = await alices.say_one("/topics")
    fake.inject_fault("editMessageText", status=429, retry_after=1)

    pressed = await alices.press(topics.message_id, topics.callback_data[0])

    assert pressed.answer is not None
    assert pressed.message.edit_count == 1
    assert [c.status for c in fake.calls_to("editMessageText")] == [429, 200]


# ------------------------------------------------------------------ splitting


def test_split_text_keeps_a_short_message_whole() -> None:
    assert split_text("Hello <b>there</b>") == ["Hello <b>there</b>"]
    text = "x" * LIMIT
    assert split_text(text) == [text]


def test_split_text_cuts_on_paragraph_boundaries() -> None:
    paragraphs = [f"Paragraph {n}. " + "word " * 300 for n in range(12)]
    chunks = split_text("\n\n".join(p.strip() for p in paragraphs))

    assert len(chunks) > 1
    assert all(len(c) <= LIMIT for c in chunks)
    for chunk in chunks:  # every chunk is whole paragraphs
        assert chunk.startswith("Paragraph ")
        assert chunk.endswith("word")
    assert "\n\n".join(chunks) == "\n\n".join(p.strip() for p in paragraphs)


def test_split_text_cuts_a_huge_paragraph_on_lines_then_words_then_anywhere() -> None:
    lines = "\n".join(["line " * 100] * 30)
    words = "word " * 3000
    word = "y" * 10_000

    for text in (lines, words, word):
        chunks = split_text(text)
        assert len(chunks) > 1
        assert all(0 < len(c) <= LIMIT for c in chunks)
        assert "".join(c.replace("\n", "").replace(" ", "") for c in chunks) == text.replace(
            "\n", ""
        ).replace(" ", "")


def test_split_text_closes_and_reopens_bold_across_a_cut() -> None:
    text = "<b>" + "bold words " * 900 + "</b>\n\nafter"

    chunks = split_text(text)

    assert len(chunks) > 1
    for chunk in chunks:
        parse_telegram_html(chunk)  # balanced tags, or this raises
    assert chunks[0].startswith("<b>") and chunks[0].endswith("</b>")
    assert chunks[1].startswith("<b>")


@pytest.mark.parametrize(
    "text",
    [
        "x" * 4078 + "&amp;" * 10 + "y" * 100,
        "x" * 4078 + "<b>bold</b>" + "y" * 100,
        "word " * 400 + "x" * 4078 + "<i>it</i>",
        "<i>" + "x&lt;" * 3000 + "</i>",
    ],
    ids=["entity", "tag", "after-words", "entities-in-italics"],
)
def test_split_text_never_cuts_through_a_tag_or_an_entity(text: str) -> None:
    chunks = split_text(text)

    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= LIMIT
        parse_telegram_html(chunk)  # raises on a broken tag or entity


_PIECES = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300).map(
        escape
    ),
    st.sampled_from(["\n\n", "\n", " ", "<b>", "</b>", "<i>", "</i>", "&amp;", "&lt;", "🙂"]),
    st.integers(min_value=1, max_value=2000).map(lambda n: "z" * n),  # runs without spaces
)


def _balanced_html(pieces: list[str]) -> str:
    """Join pieces, dropping tags that would not nest, and close what is open."""
    out: list[str] = []
    stack: list[str] = []
    for piece in pieces:
        if piece in ("<b>", "<i>"):
            if piece[1] in stack:
                continue
            stack.append(piece[1])
        elif piece in ("</b>", "</i>"):
            if not stack or stack[-1] != piece[2]:
                continue
            stack.pop()
        out.append(piece)
    out += [f"</{tag}>" for tag in reversed(stack)]
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=120), st.integers(min_value=200, max_value=LIMIT))
def test_split_text_chunks_are_valid_html_within_the_limit(pieces: list[str], limit: int) -> None:
    text = _balanced_html(pieces)
    if not parse_telegram_html(text)[0].strip():
        return  # Telegram refuses an empty message anyway; the dialogue never sends one

    chunks = split_text(text, limit)

    rendered = []
    for chunk in chunks:
        assert len(chunk) <= limit
        shown, _ = parse_telegram_html(chunk)
        assert shown.strip(), f"an empty chunk in {chunks!r}"
        rendered.append(shown)
    whole, _ = parse_telegram_html(text)
    assert "".join("".join(r.split()) for r in rendered) == "".join(whole.split())  # nothing lost


async def test_an_answer_over_4096_characters_arrives_in_parts_with_the_buttons_last(
    start_app: StartApp,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    question = QUESTIONS[0]
    entry_id = Answerer(kb).verdict(question).entry_id
    assert entry_id is not None
    entry = kb.entries[entry_id]
    paragraphs = [f"Part {n}: " + "Keep moving gently & often. " * 60 for n in range(8)]
    huge = dataclasses.replace(entry, answer="\n\n".join(p.strip() for p in paragraphs))
    big_kb = dataclasses.replace(kb, entries={**kb.entries, entry.id: huge})
    assert len(msg.answer(huge)) > 3 * LIMIT

    async with start_app(kb=big_kb):
        parts = await chat(alice).say(question)

    assert len(parts) >= 4
    assert all(len(p.rendered_text or "") <= LIMIT for p in parts)
    assert (parts[0].rendered_text or "").startswith(entry.title)
    assert "Sources" in (parts[-1].rendered_text or "")
    assert [bool(p.callback_data) for p in parts] == [False] * (len(parts) - 1) + [True]
    shown = "\n\n".join(p.rendered_text or "" for p in parts)
    for paragraph in paragraphs:
        assert paragraph.strip() in shown
    assert [c for c in fake.calls if c.error == MESSAGE_TOO_LONG] == []


# ------------------------------------------------------------------ rate


async def test_a_sliding_window_lets_at_most_its_limit_through_in_any_period() -> None:
    window = SlidingWindow(limit=3, period=0.2)
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(10):
        async with window:
            times.append(loop.time())

    assert all(later - earlier >= 0.2 for earlier, later in zip(times, times[3:], strict=False))
    assert times[2] - times[0] < 0.05  # the first three go at once


async def test_a_burst_of_ten_questions_is_sent_at_most_three_a_second(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    alices = chat(alice)
    burst = [fake.send_text(alice, QUESTIONS[n % len(QUESTIONS)]) for n in range(10)]
    for update_id in burst:
        await alices.handled.wait(update_id, timeout=3 * TIMEOUT)

    assert len(fake.sent_messages(alice.id)) == 10
    assert fake.max_rate_per_chat(window=1.0)[alice.id] <= CHAT_BURST
    assert fake.max_rate(window=1.0) <= 30
    times = fake.call_times(chat_id=alice.id)
    assert times[-1] - times[0] >= 10 - CHAT_BURST - 1  # the limit did hold the replies back


async def test_many_users_at_once_stay_under_thirty_sends_a_second(
    app: AnyApplication, fake: FakeBotApi, chat: Callable[..., Chat]
) -> None:
    users = [fake.new_user(5000 + n, f"User{n}") for n in range(45)]
    updates = [(user, fake.send_text(user, "/start")) for user in users]
    for user, update_id in updates:
        await chat(user).handled.wait(update_id, timeout=3 * TIMEOUT)

    assert all(len(fake.sent_messages(user.id)) == 1 for user in users)
    assert fake.max_rate(window=1.0) <= 30


async def test_a_user_held_back_by_the_rate_limit_does_not_hold_up_other_users(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    commands = ["/help", "/topics", "/start", "/timezone", "/reminder"] * 2
    burst = [fake.send_text(alice, command) for command in commands]
    await fake.wait_for_async(lambda c: c.chat_id == alice.id, timeout=TIMEOUT)
    bobs_turn = fake.send_text(bob, "/start")
    await chat(bob).handled.wait(bobs_turn)
    answered_bob = fake.last_sent_message(bob.id).sent_at

    alice_sends = fake.call_times(chat_id=alice.id)
    assert len(alice_sends) < len(burst)  # Alice's replies are still trickling out
    assert answered_bob - alice_sends[0] < 1.0
    for update_id in burst:
        await chat(alice).handled.wait(update_id, timeout=3 * TIMEOUT)
    starts = ["What I can do", "Topics", "Hello Alice", "Your time zone is", "Send /reminder"]

    def reply_to(text: str) -> str:
        return next((start for start in starts if text.startswith(start)), text)

    # Alice's updates were handled in the order she sent them.
    assert [reply_to(text) for text in texts(fake.sent_messages(alice.id))] == starts * 2
    assert fake.max_rate_per_chat(window=1.0)[alice.id] <= CHAT_BURST
