"""Input the bot did not write: callback data under a prefix it never made, and messages far
longer than Telegram allows (a forged update, or the console), are refused or cut, not obeyed."""

from __future__ import annotations

import pytest

from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.questions import MAX_TEXT
from bot.store import Store
from tests.unit.dialogue_chat import Chat, all_data, joined, texts, toasts

KNOWN_ENTRY = "psoas-anatomy"


@pytest.mark.parametrize("prefix", ["zz", "KB", "kbx", "k", "fb", "tc:x", "mn", "none"])
def test_an_unknown_prefix_before_a_valid_entry_id_parses_to_nothing(prefix: str) -> None:
    assert cb.parse(f"{prefix}:{KNOWN_ENTRY}") is None


def test_each_entry_prefix_parses_to_its_own_action() -> None:
    assert cb.parse(f"kb:{KNOWN_ENTRY}") == cb.ShowEntry(KNOWN_ENTRY)
    assert cb.parse(f"ch:{KNOWN_ENTRY}") == cb.ChooseEntry(KNOWN_ENTRY)
    assert cb.parse(f"te:{KNOWN_ENTRY}") == cb.BrowseEntry(KNOWN_ENTRY)
    assert cb.parse(f"tc:{KNOWN_ENTRY}") == cb.BrowseCategory(KNOWN_ENTRY)


@pytest.mark.parametrize("data", [f"zz:{KNOWN_ENTRY}", f"xx:{KNOWN_ENTRY}", f"show:{KNOWN_ENTRY}"])
async def test_a_button_with_an_unknown_prefix_shows_no_entry(chat: Chat, data: str) -> None:
    shown = await chat.press(f"kb:{KNOWN_ENTRY}")
    assert "fb:1:" + KNOWN_ENTRY in all_data(shown)  # the real prefix shows the entry

    replies = await chat.press(data)

    assert toasts(replies) == [msg.stale_button()]
    assert texts(replies) == []


async def test_a_message_is_read_only_up_to_its_cap(chat: Chat, store: Store) -> None:
    question = "where does the psoas attach"
    answered = await chat.text(question)
    assert "fb:1:" + KNOWN_ENTRY in all_data(answered)

    replies = await chat.text("." * MAX_TEXT + " " + question)

    assert texts(replies)
    assert "fb:1:" + KNOWN_ENTRY not in all_data(replies)
    assert "psoas" not in joined(replies).lower()
    assert MAX_TEXT <= 10_000  # Telegram's own limit is 4096: the cap only meets forged input


def test_callback_data_up_to_64_bytes_parses_and_longer_data_does_not() -> None:
    longest = "kb:" + "a" * (cb.MAX_BYTES - 3)
    assert cb.parse(longest) == cb.ShowEntry("a" * (cb.MAX_BYTES - 3))
    assert cb.parse(longest + "a") is None


@pytest.mark.parametrize(
    "data",
    ["rs:Bad Id", "rs:bad_id:start", "pn:done", "rt:5", "pn:x", "pn:11", "pn:-1", "rt:jump"],
)
def test_routine_and_pain_data_of_the_wrong_shape_parses_to_nothing(data: str) -> None:
    assert cb.parse(data) is None


def test_a_pain_score_from_0_to_10_parses() -> None:
    assert cb.parse("pn:0") == cb.PainScore(0)
    assert cb.parse("pn:10") == cb.PainScore(10)
    assert cb.parse("rs:beginner:start") == cb.StartRoutine("beginner", "start")


def test_the_forget_answers_encode_and_parse_back() -> None:
    assert cb.encode(cb.ForgetAnswer(True)) == "fg:yes"
    assert cb.encode(cb.ForgetAnswer(True, "Xq3")) == "fg:yes:Xq3"
    assert cb.encode(cb.ForgetAnswer(False)) == "fg:no"
    assert cb.parse("fg:no") == cb.ForgetAnswer(False)
    assert cb.parse("fg:yes") == cb.ForgetAnswer(True, None)
    assert cb.parse("fg:yes:Xq3") == cb.ForgetAnswer(True, "Xq3")


def test_encoding_refuses_data_over_64_bytes_naming_its_start() -> None:
    assert len(cb.encode(cb.ShowEntry("a" * (cb.MAX_BYTES - 3)))) == cb.MAX_BYTES
    with pytest.raises(ValueError) as caught:
        cb.encode(cb.ShowEntry("b" * (cb.MAX_BYTES - 2)))
    assert str(caught.value) == "callback data longer than 64 bytes: kb:" + "b" * 17 + "..."
