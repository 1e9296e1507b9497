"""Curation and insight in the dialogue: admin commands, the progress chart, inline results,
and answers marked not helpful kept for review."""

from __future__ import annotations

import io
import shutil
import struct
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase, default_knowledge_dir
from bot.core.loader import load_knowledge
from bot.dialogue import ButtonIn, CommandIn, Dialogue, TextIn, Who
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.chart import SIZE
from bot.dialogue.replies import Edit, Photo, Send
from bot.store import FinishedSession, Store, open_store

ADMIN, USER = 1, 2
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = open_store(database_url=None, sqlite_path=tmp_path / "hipbot.sqlite3")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), target)
    return target


@pytest.fixture
def dialogue(kb: KnowledgeBase, answerer: Answerer, store: Store, knowledge_copy: Path) -> Dialogue:
    return Dialogue(
        kb,
        store,
        answerer,
        clock=lambda: NOW,
        admin_ids=frozenset({ADMIN}),
        reload=lambda: load_knowledge(knowledge_copy),
    )


def who(user: int) -> Who:
    return Who(user, user, "Test")


def only_text(replies: Sequence[object]) -> str:
    return "\n".join(r.text for r in replies if isinstance(r, Send))


async def test_a_non_admin_gets_exactly_the_unknown_command_reply(dialogue: Dialogue) -> None:
    unknown = await dialogue.handle(CommandIn(who(USER), "nosuchcommand"))
    for name in ("stats", "reload"):
        assert await dialogue.handle(CommandIn(who(USER), name)) == unknown
    assert only_text(unknown) == msg.unknown_command()


async def test_stats_counts_questions_sessions_and_feedback(
    dialogue: Dialogue, store: Store, kb: KnowledgeBase
) -> None:
    await dialogue.handle(TextIn(who(USER), "Should I use heat or ice on my back?"))
    await dialogue.handle(TextIn(who(USER), "what is the capital of france"))
    await dialogue.handle(ButtonIn(who(USER), cb.encode(cb.Feedback("heat-or-ice", False)), 5))
    async with store.user_action(USER) as tx:
        for day, (before, after) in enumerate([(5, 3), (4, 4), (6, 2)]):
            start = NOW - timedelta(days=day + 1)
            await tx.add_finished_session(
                FinishedSession(
                    USER,
                    "beginner",
                    "weeks-1-2",
                    start,
                    start + timedelta(minutes=15),
                    before,
                    after,
                    7,
                    0,
                    True,
                )
            )
    text = only_text(await dialogue.handle(CommandIn(who(ADMIN), "stats")))
    assert "Users: 1" in text
    assert "Questions asked: 2" in text
    assert "answer 50 %" in text and "fallback 50 %" in text
    assert "Routines started: 3, finished: 3" in text
    assert "Median pain change (after − before): -2" in text
    assert "heat-or-ice: 0 % of 1" in text


async def test_reload_swaps_in_a_valid_knowledge_base(
    dialogue: Dialogue, knowledge_copy: Path
) -> None:
    pain = knowledge_copy / "pain.yaml"
    pain.write_text(
        pain.read_text().replace(
            "title: Should I use heat or ice?", "title: Heat or ice, which is better?"
        )
    )
    text = only_text(await dialogue.handle(CommandIn(who(ADMIN), "reload")))
    assert text == "Reloaded: 70 entries and 4 routines."
    answer = only_text(await dialogue.handle(TextIn(who(USER), "heat or ice for back pain?")))
    assert "Heat or ice, which is better?" in answer


async def test_reload_of_an_invalid_knowledge_base_keeps_the_old_one(
    dialogue: Dialogue, knowledge_copy: Path
) -> None:
    (knowledge_copy / "pain.yaml").write_text("category: pain\nentries: [oops\n")
    text = only_text(await dialogue.handle(CommandIn(who(ADMIN), "reload")))
    assert "I kept the one that is running" in text
    assert "pain.yaml: -: is not valid YAML" in text
    answer = only_text(await dialogue.handle(TextIn(who(USER), "heat or ice for back pain?")))
    assert "Sources" in answer


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


async def test_progress_sends_a_chart_that_decodes_at_the_expected_size(
    dialogue: Dialogue, store: Store
) -> None:
    pytest.importorskip("matplotlib")
    async with store.user_action(USER) as tx:
        for day in range(3):
            start = NOW - timedelta(days=day)
            await tx.add_finished_session(
                FinishedSession(
                    USER,
                    "beginner",
                    "weeks-1-2",
                    start - timedelta(minutes=20),
                    start,
                    5 - day,
                    3,
                    7,
                    0,
                    True,
                )
            )
    replies = await dialogue.handle(CommandIn(who(USER), "progress"))
    photos = [r for r in replies if isinstance(r, Photo)]
    assert len(photos) == 1
    assert _png_size(photos[0].png) == SIZE
    from matplotlib import image

    pixels = image.imread(io.BytesIO(photos[0].png), format="png")
    assert pixels.shape[:2] == (SIZE[1], SIZE[0])
    assert "Current streak: 3 days" in only_text(replies)


async def test_progress_without_sessions_is_a_friendly_message_and_no_chart(
    dialogue: Dialogue,
) -> None:
    replies = await dialogue.handle(CommandIn(who(USER), "progress"))
    assert not [r for r in replies if isinstance(r, Photo)]
    assert "No sessions yet" in only_text(replies)


def test_inline_results_offer_matching_entries_with_a_deep_link(dialogue: Dialogue) -> None:
    items = dialogue.inline("psoas")
    assert items and all("psoas" in i.entry_id or "psoas" in i.text.lower() for i in items[:3])
    first = items[0]
    assert first.start_payload == f"kb-{first.entry_id}"
    assert "[" in first.description and "Sources" in first.text
    assert dialogue.inline("recipe for banana bread") == []
    assert len(dialogue.inline("")) == 10


async def test_a_deep_link_from_an_inline_result_opens_that_entry(dialogue: Dialogue) -> None:
    replies = await dialogue.handle(CommandIn(who(USER), "start", "kb-psoas-anatomy"))
    assert "Sources" in only_text(replies)


async def test_an_answer_marked_not_helpful_is_kept_with_its_question(
    dialogue: Dialogue, store: Store
) -> None:
    question = "Should I use heat or ice on my back?"
    await dialogue.handle(TextIn(who(USER), question))
    await dialogue.handle(ButtonIn(who(USER), cb.encode(cb.Feedback("heat-or-ice", False)), 9))
    await dialogue.handle(ButtonIn(who(USER), cb.encode(cb.Feedback("imaging", True)), 9))
    kept = await store.review_questions()
    assert [(k.text, k.reason, k.entry_id) for k in kept] == [
        (question, "not-helpful", "heat-or-ice")
    ]


async def test_writing_in_a_group_keeps_reminders_in_the_private_chat(
    dialogue: Dialogue, store: Store
) -> None:
    group = Who(USER, -100123, "Test")
    await dialogue.handle(CommandIn(who(USER), "reminder", "09:00"))
    await dialogue.handle(TextIn(group, "heat or ice for back pain?"))
    await dialogue.handle(CommandIn(group, "reminder", "10:00"))
    async with store.user_action(USER) as tx:
        user = await tx.get_user()
        reminder = await tx.get_reminder()
    assert user is not None and user.chat_id == USER
    assert reminder is not None and (reminder.chat_id, reminder.time) == (USER, "10:00")


async def test_ending_a_session_early_does_not_say_well_done(dialogue: Dialogue) -> None:
    me = who(USER)
    replies = await dialogue.handle(CommandIn(me, "routine", "gentle-start"))
    for wanted in ("rt:safe", "pn:3", "rt:hurt", "rt:sharp", "rt:end"):
        # The card's own button (it names the session and the step).
        data = next(
            b.data
            for r in replies
            if isinstance(r, Send | Edit)
            for row in r.buttons
            for b in row
            if b.data == wanted or b.data.startswith(f"{wanted}:")
        )
        replies = await dialogue.handle(ButtonIn(me, data, 7))
    text = "\n".join(r.text for r in replies if hasattr(r, "text"))
    assert "How much does your back hurt now" in text
    assert "Well done" not in text
